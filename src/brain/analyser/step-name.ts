// The step, task, op or model a log names, for failures whose frames are all library code (or that
// have no frames at all): "where" is then the unit the orchestrator ran.
import { eventObjectOf, failedDescribedContainer } from './kubernetes-object.js';

export interface NamedStep {
  step: string;
  /** The job / DAG / pipeline that owns the step, when the log names it. */
  container?: string;
}

const STEP_PATTERNS: RegExp[] = [
  /Execution of step "([^"]+)" failed/,
  /Error occurred while executing (?:op|asset|step) "([^"]+)"/,
  /\btask_id=([\w.-]+)/,
  /<Task\(\w+\): ([\w.-]+)>/,
  /<TaskInstance: [\w.-]+\.([\w-]+) /,
  /"step"\s*:\s*"([^"]+)"/,
  /\bstep[=:]\s?"?([\w.-]+)"?/,
  /\b(?:step|task|op) "([\w.-]+)" failed/i,
  // Dagster's older wordings: `In solid "load" the output …`, `Step load.compute`.
  /\b[Ii]n (?:solid|op|asset) ["']([\w.-]+)["']/,
  /\bStep ([\w-]+)\.compute\b/,
  // dbt: the progress line of a failing data test names the test.
  /\b\d+ of \d+ FAIL \d+ ([\w.-]+)/,
  /\bFailure in test ([\w.-]+)/,
  // dbt.log's debug lines name the node a connection works for (`Using postgres connection "model.shop.orders"`).
  /\bconnection "(?:model|seed|snapshot)\.[\w-]{1,100}\.([^"]{1,200})"/,
  // dbt source freshness: the stale source.
  /\bERROR STALE freshness of ([\w.-]+)/,
  // Snakemake: the rule whose job failed.
  /\bError in rule ([\w-]+):/,
  // Luigi: the task a worker failed, died in, or could not schedule; a dependency missing at run time (family__hash).
  /\bWorker\(.{0,300}?\) failed\s+([A-Za-z_][\w.]*)\(/,
  /\bTask ([\w.]+) died unexpectedly\b/,
  /\btask\s+([\w.]+)\s+has status\s+FAILED\b/,
  /\bwhile scheduling ([A-Za-z_][\w.]*)\(/,
  /\bUnfulfilled dependenc(?:y|ies) at run time: ([A-Za-z_][\w.]*?)(?:__[0-9a-f]{10}\b|\()/,
  // Dagster's step key in a serialized event; a daemon or executor reporting for a sensor, schedule or step.
  /"step_key"\s*:\s*"([^"]+)"/,
  /\b(?:process|error|errors|failure) for (?:step|sensor|schedule|op|asset) ['"]?([\w.-]+)/,
  // Prefect: the flow whose parameters or run failed (`Parameter validation failed for flow 'etl'`).
  /\bfor flow '([\w.-]+)'/,
  // Kafka Connect: the connector task (`WorkerSourceTask{id=orders-source-0}`).
  /\bWorker(?:Source|Sink)?Task\{id=([\w.-]+)\}/,
  // Google Cloud Build prefixes every line with its step (`Step #2 - "load": …`, `Step #0: …`).
  /^(Step #\d+)(?: - "[^"]{1,100}")?: /,
  // Snakemake's job header (`rule trim_reads:`), the last one before the failure (a paste may number its lines).
  /^\s*(?:\d{1,6}\s+)?(?:local)?rule ([\w-]+):[ \t]*(?:$|\n)/,
  // Dagster: the step whose input or output failed to load (`… loading input "cereals" of step "kelloggs"`).
  /\b(?:input|output) "[^"]{1,200}" of step "([^"]+)"/,
  // Prefect 1: `Task 'load': Exception encountered during task execution!` (names may hold quotes of the other kind).
  /^Task '([^']+)': Exception encountered\b/,
  /^Task "([^"]+)": Exception encountered\b/,
  // Azure Functions: `Exception while executing function: Functions.ingest`.
  /\bException while executing function: ([\w.-]+)/,
  // Great Expectations: the data asset a validation ran on (`- data_asset_name: orders`, `"data_asset_name": "orders"`).
  /\bdata_asset_name["']?\s?[:=]\s?["']?([\w.-]{1,200})/,
  // Airbyte: the stream a sync failed in (`Exception while syncing stream events`, `Stream funnels: 429 …`).
  /\bException while syncing stream ([\w-]+)/,
  /^Stream ([\w-]+): /,
  // Meltano: the plugin that could not run (`Cannot start plugin tap-github: …`).
  /\bCannot start plugin ([\w-]+)/,
  // pgloader: the table a batch failed for (`ERROR PostgreSQL ["public.orders"] Database error 22P02: …`).
  /\bPostgreSQL \["([^"\n]{1,200})"\] Database error\b/,
  // Apache Beam names the transform an error was raised in (`… [while running 'Write/WriteToBigQuery']`).
  /\[while running '([^'\n]{1,300})'\]/,
  // Argo Workflows: the template of the node that failed (the workflow is its container).
  /\btemplateName=([\w-]+)/,
  // A migration tool running a SQL file (`Running current.sql`, Flyway's `Migration V3__add_region.sql failed`).
  /\b(?:Running|Executing|Applying) (?:migration )?[`'"]?([\w./-]{1,300}\.sql)\b/,
  /\bMigration ([\w./-]{1,300}\.sql) failed\b/,
  // knex and other migrators: `migration file "20170331_lists.js" failed`.
  /\bmigration (?:file )?["'\x60]?([\w./-]{1,300}\.(?:js|ts|sql|py))["'\x60]? failed\b/,
  // Django: the migration being applied (`Applying sales.0042_add_region...`); Alembic: the revision
  // being upgraded to (`Running upgrade 1a2b3c -> 4d5e6f, add region`).
  /\bApplying ([A-Za-z_]\w*\.\d{4}_\w+)\.\.\./,
  /\bRunning (?:upgrade|downgrade) [\w, ]{0,200}-> (\w{1,100}), /,
  // A dbt node by its unique id (`Snapshot 'snapshot.shop.orders_snap'`, `node "model.shop.orders"`): the node's name.
  /['"`](?:model|seed|snapshot|test|analysis)\.[\w-]{1,100}\.([\w-]{1,200})['"`]/,
  // A unit named bare after the verb that failed on it (`Cannot initialize datasource warehouse`).
  /\b(?:initiali[sz]e|load|run|find) (?:the )?(?:datasource|checkpoint|expectation suite) ([\w.-]{1,200})/,
  // Dagster's handle of an op (`KeyError: NodeHandle(name='my_asset', parent=None)`).
  /\b(?:Node|Solid)Handle\(name='([\w.-]{1,200})'/,
  // Luigi's id of a task without parameters (`Task Export__99914b932b timed out`): the family.
  /\b[Tt]ask ([A-Za-z_][\w.]{0,200}?)__[0-9a-f]{10} (?:timed out|failed|died)\b/,
  // A JSR-352 batch job (`job[importjob/7/287]`), the target Snakemake has no rule for.
  /\bjob\[([\w.-]{1,200})\/\d/,
  /\bNo rule to produce ([^\s(]{1,300})/,
  // The job a launcher was asked to run (`hadoop jar etl.jar`, `spark-submit --class x.Main job.jar`,
  // `java -cp app.jar:lib/* com.acme.Main`): when no frame is the job's own, its jar is the place.
  // (`java -jar tool.jar` is as often a packaged tool the user ran as their own program.)
  /\b(?:hadoop|yarn) jar ([^\s:;]{1,300}\.jar)\b/,
  /\bjava\b[^\n]{0,300}? -(?:cp|classpath) ([^\s:;]{1,300}\.jar)\b/,
  /\bspark-submit\b[^\n]{0,500}? ([^\s:;=]{1,300}\.(?:jar|py))(?:\s|$)/,
];

// The unit the failing record names in a structured position: heard only in the failing record
// itself, where the unit is the one that failed; in the lines before, such a name is only a unit
// that ran. Ranked, most specific position first:
// - a name in quotes right after its kind (`Core compute for op "load"`, `the model 'orders'`,
//   `Could not find checkpoint \`nightly\``, `Input "t1" for sink "211"`, `tool "sync"`); not a topic (the labels say a topic a
//   message was sent to is no place);
// - a plugin in brackets (Telegraf's `E! [inputs.exec] Error in plugin: …`, `[outputs.http::alias]`) or
//   in its words (`[agent] Error writing to outputs.http: …`);
// - a component id as a key (Vector's `component_kind="sink" component_id=out`, its span
//   `sink{name=s3_archives …}`); not any unit kind as a key (`topic=x`, `source: x`, `op: 'x'`
//   name what was being worked on as often as what failed: measured, more wrong than right);
// - a bare name after `for <kind>` that ends the clause (`… for model model.shop.orders: …`), or
//   a code location that did not load (`Failure loading etl-prod: …`; a plain word is what was
//   loaded, not a unit: `Error loading config: …`). (Dagster's warning `Error loading repository
//   location x:…` was measured: its labels disagree, one for the location, one for no place.)
const UNIT_KIND = String.raw`(?:[Oo]p|[Ss]olid|[Aa]sset|[Ss]tep|[Tt]ask|[Mm]odel|[Ss]napshot|[Ss]eed|[Ff]low|[Rr]ule|[Jj]ob|[Ss]tage|[Cc]heckpoint|[Dd]atasource|[Ss]uite|[Ss]ink|[Ss]ource|[Tt]ransform|[Cc]omponent|[Pp]lugin|[Cc]onnector|[Tt]ool|[Ss]tream|[Bb]ucket|[Dd]ataset|[Cc]ollection|[Pp]ipeline|[Gg]raph)`;
const RECORD_PATTERNS: RegExp[] = [
  new RegExp(String.raw`\b(${UNIT_KIND}) ["'\x60‘]([\w.-]{1,200})["'\x60’]`),
  /\b[Ee]rror (?:writing to|running|in) ((?:inputs|outputs|processors|aggregators)\.[\w-]{1,100})\b/,
  /\[((?:inputs|outputs|processors|aggregators|parsers|serializers|secretstores)\.[\w-]{1,100})(?:::[\w.-]{1,100})?\]/,
  /\bcomponent_id="?([\w.-]{1,200})/,
  /\b(sink|source|transform)\{(?:component_)?(?:name|id)="?([\w.-]{1,200})/,
  new RegExp(String.raw`\bfor (${UNIT_KIND}) ([A-Za-z_][\w.-]{0,199}?)(?:[:,]\s|:?$)`),
  /\b(?:[Ff]ailure|[Ee]rror) loading ([A-Za-z_][\w-]{0,99}[-_\d][\w-]{0,99}): /,
  // A bare name between its kind and the verb that failed (`Error: release etl-prod failed: …`, `job nightly_load has failed`).
  /\b(?:[Rr]elease|[Jj]ob|[Tt]ask|[Ss]tage|[Pp]ipeline|[Ww]orkflow|[Dd]eployment|[Mm]odel|[Cc]onnector) (?!(?:that|which|has|had|was|is|it|run|instance|execution)\b)([A-Za-z_][\w.-]{0,199}) (?:has )?(?:failed|FAILED)\b/,
  // A status line that starts with the unit's identifier (`silver_orders FAILED -->`): an identifier, not a word (`Build FAILED`).
  /^\s*([A-Za-z_][\w.-]{0,99}[-_\d.][\w.-]{0,99}) FAILED\b/,
];

// Vector's components are the keys of its config's `sinks`, `sources` and `transforms` tables
// (`[sinks.out]`): where the user changes one.
const VECTOR_KIND = /^(?:sink|source|transform)$/i;

/** The unit the failing record names (RECORD_PATTERNS), with the config key that holds a Vector component. */
function recordUnit(textLines: readonly string[]): NamedStep | undefined {
  for (const pattern of RECORD_PATTERNS) {
    for (let i = textLines.length - 1; i >= 0; i--) {
      const line = textLines[i] ?? '';
      if (line.length > 4000) continue;
      const m = pattern.exec(line);
      if (!m?.[1]) continue;
      const [kind, name] = m[2] !== undefined ? [m[1], m[2]] : [undefined, m[1]];
      // Vector names its component's kind beside its id (`component_kind="sink" component_id=out`).
      const vectorKind = kind ?? (pattern.source.includes('component_id') ? /\bcomponent_kind="?(sink|source|transform)\b/.exec(textLines.join('\n'))?.[1] : undefined);
      if (vectorKind && VECTOR_KIND.test(vectorKind) && /\bcomponent_|\bsink\b|\bsource\b|\btransform\b/.test(line)) {
        return { step: name, container: `${vectorKind.toLowerCase()}s.${name}` };
      }
      return { step: name };
    }
  }
  return undefined;
}

// pytest's summary names the failing test and its file: `FAILED tests/io/test_load.py::TestX::test_read[pg] - Error…`.
// dbt names the node that failed with the file that defines it: `Failure in test unique_orders_id (models/schema.yml)`.
const DBT_NODE_FILE = /\b(?:Failure|Error|Warning) in (?:test|model|seed|snapshot|unit_test|source) ([\w.-]{1,300}) \(([^()\s]{1,300}\.(?:ya?ml|sql|py|csv))\)/;

const PYTEST_FAILED = /^(?:FAILED|ERROR) (\S{1,300}?\.py)::(?:[\w.]+::){0,5}(\w+)/;

// Kubernetes: the pod an event, a kubelet line or a status is about (`pod/etl-7d9f-x2k4`,
// `Successfully assigned ns/etl-x2k4 to node`, `Error syncing pod <uid> ("etl-x2k4_ns(…)")`), else
// the container a status names. Heard only when no orchestrator names its task: an Airflow task
// that ran in a pod is the task.
const POD_PATTERNS: RegExp[] = [
  /\bpod\/([a-z0-9][a-z0-9.-]{0,252})/,
  /\bSuccessfully assigned [\w-]+\/([a-z0-9][a-z0-9.-]{0,252}) to /,
  /\bError syncing pod [0-9a-f-]+ \("([a-z0-9][a-z0-9.-]{0,252})_[\w-]+\(/,
  // kubelet's `Back-off restarting failed container etl in pod etl-7d9f-x2k4_default(<uid>)`.
  /\bin pod ([a-z0-9][a-z0-9.-]{0,252})_[a-z0-9-]{1,63}\(/,
  // Starts only where a name starts: from each `.` or `-` inside one the scan would run over it again.
  /(?<![a-z0-9.-])[.-]*\b([a-z0-9][a-z0-9.-]{0,252})\.[0-9a-f]{16}\s+Pod\b/,
  // Old kubelets name a pod by its full name, `name_namespace` (`Unable to mount volumes for pod "etl-2_prod"`).
  /\bpods? "([a-z0-9][a-z0-9.-]{0,252}(?:_[a-z0-9-]{1,63})?)"/,
  // klog's structured `pod="ns/name"`, a `kubectl get pods` row (NAME READY STATUS RESTARTS), `kubectl describe`'s Name.
  /\bpod="(?:[a-z0-9-]{1,63}\/)?([a-z0-9][a-z0-9.-]{0,252})"/,
  // An event listing (`event for etl-x2k4: {kubelet node} Failed: …`), a mount failure's `for pod: ns/name`.
  /\bevent for ([a-z0-9][a-z0-9.-]{0,252}): \{/,
  /\bfor pod:? (?:[a-z0-9-]{1,63}\/)?([a-z0-9][a-z0-9.-]{0,252})\s*$/,
  /^([a-z0-9][a-z0-9.-]{0,252})\s+\d+\/\d+\s+[\w:]+\s+\d+/,
  /^Name:\s{2,}([a-z0-9][a-z0-9.-]{0,252})\s*$/,
  // An eviction message folded by YAML may break after the container's name.
  /\bContainer ([a-z0-9][a-z0-9-]{0,62})(?: was using\b|\s*$)/,
];

// A Deployment's pod is named for it plus the ReplicaSet's hash and its own suffix
// (`etl-api-6846f658db-w4qhj`): the workload is what a person would name.
const DEPLOYMENT_POD = /^(.+)-[a-z0-9]{8,10}-[a-z0-9]{5}$/;

const CONTAINER_PATTERNS: RegExp[] = [
  /\bdag_id=([\w.-]+)/,
  /<TaskInstance: ([\w-]+)\./,
  / - dagster - \w+ - ([\w.-]+) - [0-9a-f-]{8,}/,
  /"pipeline"\s*:\s*"([^"]+)"/,
  /\bpipeline=([\w.-]+)/,
  /\bworkflow=([\w.-]+)/,
  /\bjob[=:]\s?"?([\w.-]+)"?/,
];

function search(lines: readonly string[], patterns: RegExp[]): string | undefined {
  for (const pattern of patterns) {
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i] ?? '';
      if (line.length > 4000) continue;
      const m = pattern.exec(line);
      if (m?.[1]) return m[1];
    }
  }
  return undefined;
}

// `kubectl describe pod` lists each container under `Containers:` as an indented `name:` line.
const CONTAINERS_HEADING = /^\s{0,4}(?:Init )?Containers:\s*$/;
const DESCRIBED_CONTAINER = /^\s{2,6}([a-z0-9][a-z0-9-]{0,62}):\s*$/;

/** The first container a `kubectl describe` listing names, in the record, else in the lines before it. */
function describedContainer(textLines: readonly string[], contextLines: readonly string[]): string | undefined {
  for (const lines of [textLines, contextLines]) {
    for (let i = 0; i + 1 < lines.length; i++) {
      if (!CONTAINERS_HEADING.test(lines[i] ?? '')) continue;
      const m = DESCRIBED_CONTAINER.exec(lines[i + 1] ?? '');
      if (m?.[1]) return m[1];
    }
  }
  return undefined;
}

// Terminal colours glue to the words they paint (`\x1b[31mFailure in test x`): no word boundary is
// left. A paste often keeps them without their escape byte (`[31mFailure`, `[0m`) or in caret
// notation (`^[[36m`); a time window in brackets (`[5m]`) is no colour.
const ANSI = new RegExp(String.raw`(?:${String.fromCharCode(27)}|\^\[)?\[[\d;]{0,15}m(?!\])`, 'g');
const MAYBE_ANSI = /\[[\d;]{0,15}m/;

function withoutColours(lines: readonly string[]): readonly string[] {
  return lines.some((line) => line.length < 4000 && MAYBE_ANSI.test(line)) ? lines.map((line) => (line.length < 4000 ? line.replace(ANSI, '') : line)) : lines;
}

/** Looks in the record first, then in its context (closest line first). */
export function findNamedStep(recordLines: readonly string[], linesBefore: readonly string[]): NamedStep | undefined {
  const textLines = withoutColours(recordLines);
  const contextLines = withoutColours(linesBefore);
  const test = pytestFailure(textLines) ?? pytestFailure(contextLines) ?? dbtNodeFile(textLines);
  if (test) return test;
  const step = search(textLines, STEP_PATTERNS) ?? dbtProgressNode(textLines, contextLines) ?? search(contextLines, STEP_PATTERNS);
  if (step === undefined) {
    const unit = recordUnit(textLines);
    if (unit?.container) return unit;
    if (unit) return withContainer(unit.step, textLines, contextLines);
  }
  if (step === undefined) {
    // A container that failed to start or was killed is named for itself (not its pod's hashed name);
    // an event, for the object it is about (a Job past its deadline). A listing may run from the
    // lines before the record into it (the record is its `Reason: OOMKilled` line), and a record joined from many lines holds part of one.
    const failed = failedDescribedContainer([...contextLines, ...textLines].flatMap((record) => record.split('\n'))) ?? eventObjectOf(textLines, contextLines);
    if (failed !== undefined) return withContainer(failed, textLines, contextLines);
  }
  const pod = step === undefined ? (search(textLines, POD_PATTERNS) ?? search(contextLines, POD_PATTERNS) ?? describedContainer(textLines, contextLines)) : undefined;
  // A Deployment's pod: the workload is the step, the pod what holds it.
  const workload = pod !== undefined ? DEPLOYMENT_POD.exec(pod)?.[1] : undefined;
  if (pod !== undefined && workload !== undefined) return { step: workload, container: pod };
  const named = step ?? pod;
  return named === undefined ? undefined : withContainer(named, textLines, contextLines);
}

function withContainer(step: string, textLines: readonly string[], contextLines: readonly string[]): NamedStep {
  const container = search(textLines, CONTAINER_PATTERNS) ?? search(contextLines, CONTAINER_PATTERNS);
  return container ? { step, container } : { step };
}

/** The dbt node the failing record reports, with the file that defines it as its container. */
function dbtNodeFile(lines: readonly string[]): NamedStep | undefined {
  for (const line of lines) {
    const m = line.length > 4000 || !line.includes(' in ') ? null : DBT_NODE_FILE.exec(line);
    if (m?.[1] && m[2]) return { step: m[1], container: m[2] };
  }
  return undefined;
}

// dbt's progress lines number each node (`3 of 9 START sql table model shop.orders …… [RUN]`, then
// `3 of 9 ERROR creating sql table model shop.orders …… [ERROR in 0.4s]`): the node that errored is
// named on its result line, or, when the paste cut that line, on the START line with the same number.
const DBT_PROGRESS_ERROR = /\b(\d{1,6}) of (\d{1,6}) ERROR\b(?: (?:creating|loading|snapshotting) [\w ]{0,60}?\b(?:model|seed(?: file)?|snapshot) (?:[\w-]{1,200}\.){0,2}([\w-]{1,200})\b)?/;
const DBT_NODE_STARTED = /\b(?:model|seed(?: file)?|snapshot) (?:[\w-]{1,200}\.){0,2}([\w-]{1,200})(?:\s|\.{2}|$)/;

/** The dbt model, seed or snapshot a progress line reports errored, by its name or by its number. */
function dbtProgressNode(textLines: readonly string[], contextLines: readonly string[]): string | undefined {
  for (const line of textLines) {
    const m = line.length > 4000 || !line.includes(' ERROR') ? null : DBT_PROGRESS_ERROR.exec(line);
    if (!m) continue;
    if (m[3]) return m[3];
    const started = `${m[1]} of ${m[2]} START `;
    for (let i = contextLines.length - 1; i >= 0; i--) {
      const before = contextLines[i] ?? '';
      const at = before.length > 4000 ? -1 : before.indexOf(started);
      if (at >= 0) return DBT_NODE_STARTED.exec(before.slice(at + started.length))?.[1];
    }
  }
  return undefined;
}

/** The test a pytest summary line reports failed, with its file as the container. */
function pytestFailure(lines: readonly string[]): NamedStep | undefined {
  for (const line of lines) {
    if (line.length > 4000 || !(line.startsWith('FAILED ') || line.startsWith('ERROR '))) continue;
    const m = PYTEST_FAILED.exec(line);
    if (m?.[1] && m[2]) return { step: m[2], container: m[1] };
  }
  return undefined;
}
