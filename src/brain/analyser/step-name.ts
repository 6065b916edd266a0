// The step, task, op or model a log names, for failures whose frames are all library code (or that
// have no frames at all): "where" is then the unit the orchestrator ran.

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
  // dbt source freshness: the stale source.
  /\bERROR STALE freshness of ([\w.-]+)/,
  // Snakemake: the rule whose job failed.
  /\bError in rule ([\w-]+):/,
  // Luigi: the task a worker failed, died in, or could not schedule; a dependency missing at run time (family__hash).
  /\bWorker\(.{0,300}?\) failed\s+([A-Za-z_][\w.]*)\(/,
  /\bTask ([\w.]+) died unexpectedly\b/,
  /\btask\s+([\w.]+)\s+has status\s+FAILED\b/,
  /\bwhile scheduling ([A-Za-z_][\w.]*)\(/,
  /\bUnfulfilled dependenc(?:y|ies) at run time: ([A-Za-z_][\w.]*?)__[0-9a-f]{10}\b/,
];

// Kubernetes: the pod an event, a kubelet line or a status is about (`pod/etl-7d9f-x2k4`,
// `Successfully assigned ns/etl-x2k4 to node`, `Error syncing pod <uid> ("etl-x2k4_ns(…)")`), else
// the container a status names. Heard only when no orchestrator names its task: an Airflow task
// that ran in a pod is the task.
const POD_PATTERNS: RegExp[] = [
  /\bpod\/([a-z0-9][a-z0-9.-]{0,252})/,
  /\bSuccessfully assigned [\w-]+\/([a-z0-9][a-z0-9.-]{0,252}) to /,
  /\bError syncing pod [0-9a-f-]+ \("([a-z0-9][a-z0-9.-]{0,252})_[\w-]+\(/,
  /\b([a-z0-9][a-z0-9.-]{0,252})\.[0-9a-f]{16}\s+Pod\b/,
  /\bpods? "([a-z0-9][a-z0-9.-]{0,252})"/,
  /\bContainer ([a-z0-9][a-z0-9-]{0,62}) was using\b/,
];

const CONTAINER_PATTERNS: RegExp[] = [
  /\bdag_id=([\w.-]+)/,
  /<TaskInstance: ([\w-]+)\./,
  / - dagster - \w+ - ([\w.-]+) - [0-9a-f-]{8,}/,
  /"pipeline"\s*:\s*"([^"]+)"/,
  /\bpipeline=([\w.-]+)/,
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

/** Looks in the record first, then in its context (closest line first). */
export function findNamedStep(textLines: readonly string[], contextLines: readonly string[]): NamedStep | undefined {
  const step = search(textLines, STEP_PATTERNS) ?? search(contextLines, STEP_PATTERNS) ?? search(textLines, POD_PATTERNS) ?? search(contextLines, POD_PATTERNS);
  if (!step) return undefined;
  const container = search(textLines, CONTAINER_PATTERNS) ?? search(contextLines, CONTAINER_PATTERNS);
  return container ? { step, container } : { step };
}
