// Where a tool's own diagnostic says the failure is, for failures that have no stack trace: a
// compiler or linter line (`cmd/server/main.go:44:2: missing go.sum entry …`, `src/lib.rs:12:5`,
// `psql:/tmp/load.sql:364: ERROR: …`), Terraform's `on main.tf line 49, in resource "a" "b":`, or
// make's `*** [Makefile:333: import-osm] Error 1`. Else the place a logger says it logged from: a Go
// logger's caller, a Rust error's `Location { file, line }`.
import type { Location } from '../../types.js';
import { isLibraryLogger, isUserFrame } from '../../parse/stack-trace/user-code.js';

const SOURCE_EXT = String.raw`(?:go|rs|ts|tsx|js|mjs|cjs|java|scala|kt|c|cc|cpp|h|hpp|py|sql|tf|yaml|yml)`;
// The file, its line and an optional column, then the message: `path.ext:LINE[:COL]: text`.
const PATH = String.raw`((?:[A-Za-z]:)?[\w./\\@+-]{1,300}\.${SOURCE_EXT})`;
// A Go stack frame's file line (`\tC:/go/src/runtime/panic.go:605 +0x9c`) is not a diagnostic.
const COMPILER = new RegExp(String.raw`^\s*(?:psql:)?${PATH}:(\d{1,7})(?::\d{1,5})?:? (?=\S)(?!\+0x)`);
// rustc points at the place on a line of its own: `  --> src/lib.rs:12:5`.
// dbt Fusion adds the compiled file: `--> models/x.sql:47:9 (target/compiled/models/x:47:9)`.
const POINTER = new RegExp(String.raw`^\s*--> ${PATH}:(\d{1,7})(?::\d{1,5})?(?: \([^()\s]{1,500}\))?\s*$`);
const TERRAFORM = /\bon ([\w./\\-]{1,300}\.tf) line (\d{1,7})(?:, in (?:resource|data|module|provider|variable|output) "([\w-]+)"(?: "([\w-]+)")?)?/;

// GNU make naming the recipe that failed: `make[1]: *** [tools/make/kube.mk:62: kube-deploy] Error 1`.
const MAKE = /\bmake(?:\[\d+\])?: \*\*\* \[([^\s:\]]{1,300}):(\d{1,7}): ([^\]\s]{1,200})\] Error \d+/;

// A shell script's own error: `/app/script/entrypoint: line 38: /script/x: No such file or directory`.
const SHELL = /(?:^|\s)((?:\.{0,2}\/)?[\w./-]{1,300}): line (\d{1,7}): \S/;
// The shell reporting on a command it ran (`/bin/bash: line 1: 21688 Killed  fastp …`) names no script.
const SHELL_ITSELF = /(?:^|\/)(?:ba|da|z|k|c|tc|fi)?sh$/;
// psql running a script, quoted inside another tool's message (`Detail: psql:/tmp/x.sql:364: ERROR: …`),
// or with its message wrapped to the next line (`psql:d:/db/load.sql:78:` alone, `ERROR: …` below).
const PSQL_SCRIPT = /\bpsql:((?:[A-Za-z]:)?[^\s:]{1,300}\.sql):(\d{1,7}):(?: (?:ERROR|FATAL)\b|\s*$)/;
// A tool's error report that gives the file and the line as fields of their own, one under the other
// (Flyway: `Location   : /sql/V1__init.sql (/sql/V1__init.sql)` then `Line       : 6`).
const REPORT_FILE_FIELD = new RegExp(String.raw`^\s*(?:Location|File|Script)\s*:\s*${PATH}(?:\s|$)`);
const REPORT_LINE_FIELD = /^\s*Line\s*:\s*(\d{1,7})\s*$/;

/** The file and line a report's fields name, the line field within a few lines below the file's. */
function reportFieldsOf(lines: readonly string[]): Location | undefined {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length > 1000 || !line.includes(':')) continue;
    const file = REPORT_FILE_FIELD.exec(line);
    if (!file?.[1]) continue;
    for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) {
      const lineNo = REPORT_LINE_FIELD.exec(lines[j] ?? '');
      if (lineNo?.[1]) return { file: file[1], line: Number(lineNo[1]), function: null, code: null };
    }
  }
  return undefined;
}
// A manifest kubectl or Helm could not apply: `unable to recognize "k8s/api/deployment.yaml": …`,
// `Error: failed to install CRD crds/x.yaml: …`.
const MANIFEST = /\b(?:unable to recognize "([^"\s]{1,300}\.ya?ml)"|failed to install CRD (\S{1,300}\.ya?ml):)/;
// Spring names the bean that failed and where it is defined: `Error creating bean with name
// 'liquibase' defined in class path resource [com/acme/DatabaseConfiguration.class]`; MyBatis the
// mapper: `### The error may exist in class path resource [mappers/OrderMapper.xml]`.
const SPRING_BEAN = /\bError creating bean with name '([^'\s]{1,200})' defined in (?:class path resource|file|URL) \[([^\]\s]{1,500})\]/;
const MYBATIS = /^### The error may exist in (?:class path resource|file|URL) \[([^\]\s]{1,500})\]/;
// Airflow could not load a DAG file: `Broken DAG: [/opt/airflow/dags/etl.py] …`, `Failed to import: /…/etl.py`.
const BROKEN_DAG = /\bBroken DAG: \[([^\]\n]{1,500}\.py)\]|\bFailed to import: (\S{1,500}\.py)\s*$/;
// PostgreSQL's CONTEXT names the PL/pgSQL function and its line: `PL/pgSQL function load_stage() line 11 at SQL statement`.
const PLPGSQL = /\bPL\/pgSQL function ((?:[\w$]+\.)?[\w$]+)\([^)\n]{0,300}\) line (\d{1,7})\b/;
// A SQL file a tool reports failed (`sql/x/query.sql ERROR`), or the compiled model under dbt's error (`compiled SQL at target/run/…/orders.sql`).
const SQL_FILE_FAILED = /^\s*(\S{1,500}\.sql):? (?:ERROR|FAILED|failed)\s*$|\bcompiled (?:SQL|code) at (\S{1,500}\.sql)\b/;
// Not a place to look: a warning's location, a library's own file, the container runtime's
// `standard_init_linux.go:228: exec user process caused …`.
const NOT_A_DIAGNOSTIC = /[\\/](?:site|dist)-packages[\\/]|[\\/]node_modules[\\/]|[\\/]pkg[\\/]mod[\\/]|^\s*(?:standard_init|container|process|init|exec)_linux\.go:|:\d+: \w*Warning: /;
// An object in a store that a loader reports on, first on its line (BigQuery: `gs://b/day.json.gz: Error
// while reading data, …`; `s3a://lake/raw/part-0.parquet: Invalid magic`): the input that failed.
const OBJECT_URI = /^\s*((?:gs|s3|s3a|s3n|abfss?|wasbs?|hdfs|gcs):\/\/[^\s:]{1,500}): \S/;
// Terraform 0.11's multi-error names the resource: `* google_bigquery_table.person: 1 error(s) occurred:`.
const TERRAFORM_RESOURCE = /^[\s>]*\* ((?:module\.[\w-]+\.)*[a-z][a-z0-9]*_[a-z0-9_]+\.[\w-]+): /;

// Perl's `die` names the script and its line: `… at /opt/app/bin/load-orders line 173.`; a module
// (`.pm`) is a library the script called.
const PERL_DIED = /\bat ((?:[A-Za-z]:)?[\\/][^\s:]{1,500}) line (\d{1,7})\.?\s*$/;
// Elixir's stacktrace: `    (glific 6.0.7) lib/glific/bigquery/worker.ex:170: Glific.BigQuery.Worker.insert/3`,
// innermost first. The top frame of an application outside Elixir, Erlang/OTP and the well-known
// libraries (Ecto, Postgrex, Phoenix, Plug, Oban …) is the place, as on the JVM.
const ELIXIR_FRAME = /^\s{0,12}\(([a-z_][\w]{0,100}) [\w.+-]{1,40}\) ([^\s:]{1,300}\.exs?):(\d{1,7}): ([\w.!?]{1,200}\/\d{1,3})\s*$/;
const ELIXIR_LIBRARY = /^(?:elixir|stdlib|kernel|erts|logger|ex_unit|mix|iex|ecto|ecto_sql|postgrex|myxql|db_connection|phoenix\w*|plug\w*|cowboy|ranch|bandit|oban|broadway|gen_stage|telemetry|jason|poison|tesla|hackney|finch|mint|req|absinthe|exq|quantum)$/;

/** The top Elixir frame outside the runtime and the well-known libraries. */
function elixirFrameOf(lines: readonly string[]): Location | undefined {
  for (const line of lines) {
    if (line.length > 600 || !line.includes(') ')) continue;
    const m = ELIXIR_FRAME.exec(line);
    if (m?.[1] && m[2] && m[3] && !ELIXIR_LIBRARY.test(m[1])) return { file: m[2], line: Number(m[3]), function: m[4] ?? null, code: null };
  }
  return undefined;
}

/** The file a named unit lives in, as a location without a line (`etl.py` → function `etl`). */
function namedFile(file: string, fn?: string): Location {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  return { file, line: null, function: fn ?? base.replace(/\.\w+$/, ''), code: null };
}

// pytest's short and long tracebacks print a frame as `etl/load.py:12: in load`, outermost first.
const PYTEST_FRAME = /^((?:[A-Za-z]:)?[^\s:]{1,300}\.py):(\d{1,7}): in ([\w<>.]{1,200})\s*$/;

/** The innermost frame of a pytest traceback that is the user's code. */
function pytestFrameOf(lines: readonly string[]): Location | undefined {
  let found: Location | undefined;
  for (const line of lines) {
    if (line.length > 600 || !line.includes('.py:')) continue;
    const m = PYTEST_FRAME.exec(line);
    if (m?.[1] && m[2] && isUserFrame('python', m[1])) found = { file: m[1], line: Number(m[2]), function: m[3] ?? null, code: null };
  }
  return found;
}

/** The place a tool's diagnostic names; `withFrames` false reads single diagnostics only (lines in any order). */
export function diagnosticLocationOf(lines: readonly string[], withFrames = true): Location | undefined {
  const frame = withFrames ? (pytestFrameOf(lines) ?? elixirFrameOf(lines) ?? reportFieldsOf(lines)) : undefined;
  if (frame) return frame;
  for (const line of lines) {
    if (line.length > 4000) continue;
    const dag = line.includes('Broken DAG') || line.includes('Failed to import') ? BROKEN_DAG.exec(line) : null;
    if (dag) return namedFile((dag[1] ?? dag[2]) as string);
    const bean = line.includes('Error creating bean') ? SPRING_BEAN.exec(line) : null;
    if (bean?.[1] && bean[2]) return namedFile(bean[2], bean[1]);
    const mapper = line.startsWith('###') ? MYBATIS.exec(line) : null;
    if (mapper?.[1]) return namedFile(mapper[1]);
    const manifest = line.includes('.yaml') || line.includes('.yml') ? MANIFEST.exec(line) : null;
    if (manifest) return { file: (manifest[1] ?? manifest[2]) as string, line: null, function: null, code: null };
    const psql = line.includes('psql:') ? PSQL_SCRIPT.exec(line) : null;
    if (psql?.[1] && psql[2]) return { file: psql[1], line: Number(psql[2]), function: null, code: null };
    const plpgsql = line.includes('PL/pgSQL') ? PLPGSQL.exec(line) : null;
    if (plpgsql?.[1] && plpgsql[2]) return { file: plpgsql[1], line: Number(plpgsql[2]), function: plpgsql[1], code: null };
    const sqlFile = line.includes('.sql') ? SQL_FILE_FAILED.exec(line) : null;
    if (sqlFile) return namedFile((sqlFile[1] ?? sqlFile[2]) as string);
    const object = line.includes('://') ? OBJECT_URI.exec(line) : null;
    if (object?.[1]) return namedFile(object[1]);
    const resource = line.includes('* ') ? TERRAFORM_RESOURCE.exec(line) : null;
    if (resource?.[1]) return { file: resource[1], line: null, function: resource[1], code: null };
    const shell = line.includes(': line ') ? SHELL.exec(line) : null;
    if (shell?.[1] && shell[2] && shell[1].includes('/') && !SHELL_ITSELF.test(shell[1])) return { file: shell[1], line: Number(shell[2]), function: null, code: null };
    const perl = line.includes(' line ') ? PERL_DIED.exec(line) : null;
    if (perl?.[1] && perl[2] && !perl[1].endsWith('.pm')) return { file: perl[1], line: Number(perl[2]), function: null, code: null };
    if (NOT_A_DIAGNOSTIC.test(line)) continue;
    const m = MAKE.exec(line);
    if (m?.[1] && m[2] && m[3]) return { file: m[1], line: Number(m[2]), function: m[3], code: null };
    const t = TERRAFORM.exec(line);
    if (t?.[1] && t[2]) {
      const fn = t[3] ? (t[4] ? `${t[3]}.${t[4]}` : t[3]) : null;
      return { file: t[1], line: Number(t[2]), function: fn, code: null };
    }
    const c = COMPILER.exec(line) ?? POINTER.exec(line);
    if (c?.[1] && c[2]) return { file: c[1], line: Number(c[2]), function: null, code: null };
  }
  return undefined;
}


// Spark names the user's call site of the action whose job or stage failed (`Job 0 failed: collect at
// Report.scala:54, took 14.7 s`, `ResultStage 3 (count at etl.py:88) failed in 2.1 s`): the line of
// the driver program that ran it, when every frame of the error is Spark's or a library's.
const SPARK_CALL_SITE = /\b(?:Job \d{1,9} failed: |(?:Result|ShuffleMap)Stage \d{1,9} \()(\w{1,100}) at ([\w$.-]{1,300}\.(?:scala|java|py|kt|R)):(\d{1,7})\b(?:\) failed)?/;

/** The driver program's line Spark says ran the failed job or stage, closest to the failure first. */
export function sparkCallSiteOf(lines: readonly string[]): Location | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    const m = line.length > 4000 || !line.includes(' at ') || !/failed/.test(line) ? null : SPARK_CALL_SITE.exec(line);
    if (m?.[1] && m[2] && m[3]) return { file: m[2], line: Number(m[3]), function: m[1], code: null };
  }
  return undefined;
}

// A Go logger's caller (`devices.go:76: [ERROR] …`, `[error] agent.go:90: …`, a path in klog's message
// `…/controller.go:147: Failed to list`), not in installed modules or the Go tree itself.
// klog's header caller (`E0418 04:56:17.489683 1 reflector.go:201] …`) is the component's own logging site.
const GO_CALLER = /(?:^|[\s[(])((?:[\w.@~-]{1,100}\/){0,30}[\w.-]{1,100}\.go):(\d{1,6})(?=[\s:)]|$)/g;
// runc's own files (`standard_init_linux.go:228: exec user process caused …`) are the container runtime's, not the program's.
const GO_LIBRARY = /\/pkg\/mod\/|\/vendor\/|(?:^|\/)go\/src\/(?!github\.com\/)|^(?:k8s\.io|sigs\.k8s\.io)\/|^(?:standard_init|container|process|init|exec)_linux\.go$/;
// A Rust error printed with `{:?}` or `{:#?}` carries where it was made: `Location { file: "src/x.rs", line: 252, … }`.
const RUST_LOCATION = /\bLocation \{\s{0,40}file: "([^"\n]{1,300}\.rs)",\s{0,40}line: (\d{1,7})/;
// loguru's default format names the caller as module:function:line: `… | ERROR    | main:update_board:274 - Error …`.
// A WARNING's caller is not the failure's: a warning a record carries above its error (measured: 1 right, none wrong).
const LOGURU_CALLER = /^[\d-]{10} [\d:.]{8,15} \| (?:ERROR|CRITICAL)\s*\| ([\w.]{1,200}):([\w<>]{1,200}):(\d{1,7}) - /;
// Elixir's Logger metadata (and logfmt like it): `file=lib/app/load.ex function=run/1 line=47`.
const FILE_FUNCTION_LINE = /\bfile=(\S{1,300}\.(?:exs?|erl|py|rb|go|js|ts)) function=(\S{1,200}) line=(\d{1,7})\b/;

/** Where the failing record's logger says it was called from; the last such place on its first line (klog's own caller comes first). */
export function callerLocationOf(recordLines: readonly string[]): Location | undefined {
  const head = recordLines.slice(0, 40).join('\n');
  if (head.length > 16_000) return undefined;
  const rust = RUST_LOCATION.exec(head);
  if (rust?.[1] && rust[2]) return { file: rust[1], line: Number(rust[2]), function: null, code: null };
  const loguru = LOGURU_CALLER.exec(recordLines[0] ?? '');
  if (loguru?.[1] && loguru[3]) return { file: loguru[1], line: Number(loguru[3]), function: loguru[2] ?? null, code: null };
  const meta = head.includes('file=') ? FILE_FUNCTION_LINE.exec(head) : null;
  if (meta?.[1] && meta[3]) return { file: meta[1], line: Number(meta[3]), function: meta[2] ?? null, code: null };
  const first = recordLines[0] ?? '';
  if (!first.includes('.go:')) return undefined;
  let found: Location | undefined;
  for (const m of first.matchAll(GO_CALLER)) {
    if (m[1] && m[2] && !GO_LIBRARY.test(m[1])) found = { file: m[1], line: Number(m[2]), function: null, code: null };
  }
  return found;
}

// Node's report of an uncaught exception starts with the throwing line: `/app/src/load.js:13`, the
// code, a caret under it, then the error. Node's own files (`internal/…`, `events.js`) and installed
// packages are not the place.
const NODE_BANNER = /^((?:[A-Za-z]:)?[^\s:]{0,300}\.(?:[cm]?js|ts|tsx|jsx)):(\d{1,7})\s*$/;

/** The file and line Node printed above an uncaught exception, when it is not Node's or an installed package's. */
export function nodeBannerOf(lines: readonly string[]): Location | undefined {
  for (let i = 0; i < lines.length - 2; i++) {
    const line = lines[i] ?? '';
    if (line.length > 400) continue;
    const m = NODE_BANNER.exec(line.trim());
    if (!m?.[1] || !m[2]) continue;
    const caret = [lines[i + 2], lines[i + 3]].some((l) => l !== undefined && /^\s*\^+\s*$/.test(l));
    if (!caret || !isUserFrame('node', m[1])) continue;
    return { file: m[1], line: Number(m[2]), function: null, code: (lines[i + 1] ?? '').trim() || null };
  }
  return undefined;
}

// Spring Boot's and Logback's header names the class that logged the error (`2019-10-24 07:07:49.856
// ERROR 1 --- [nio-8080-exec-7] n.e.w.r.ReadingController : SQL exception thrown:`; Spring Boot 3 adds
// the application's name in brackets). When every frame is a driver's or the framework's, the
// application's class that caught and logged it is the place to look.
const JVM_LOGGER = /^\S{1,40}(?: \S{1,40})?\s{1,3}(?:ERROR|FATAL|WARN)\s{1,3}\d{1,10} --- (?:\[[^\]\n]{0,100}\]\s{0,3}){1,2}([\w$]{1,100}(?:\.[\w$]{1,100}){1,30})\s{0,40}: /;

// Logback's and Log4j's default layouts put the level and the logger in the header too:
// `12:20:00.703 [pool-4-thread-1] ERROR ai.acme.tasks.ImportJob - Error during import:`,
// `2024-01-02 03:04:05,678 ERROR [main] org.acme.etl.Loader - failed`. A logger is a dotted class
// name; not `ERROR yarn.ApplicationMaster: …` (Log4j 1's short names, a framework's class as often
// as not: measured, 3 wrong on dev), not a namespace (`django.request`, `c.acme.interceptor`).
const LAYOUT_LOGGER = /(?:^|\s)(?:ERROR|FATAL|SEVERE)\s{1,6}(?:\[[^\]\n]{1,100}\]\s{1,6})?([a-z][\w$]{0,100}(?:\.[a-z_][\w$]{0,100}){0,30}\.[A-Z][\w$]{0,100})\s{1,40}- /;

/** The application class a Logback / Log4j / Spring Boot header says logged the failing record; not the JDK's or a library's. */
export function loggerClassOf(recordLines: readonly string[]): Location | undefined {
  const first = recordLines[0] ?? '';
  if (first.length > 4000) return undefined;
  const logger = first.includes(' --- ') ? JVM_LOGGER.exec(first)?.[1] : LAYOUT_LOGGER.exec(first.slice(0, 400))?.[1];
  if (!logger || isLibraryLogger(logger)) return undefined;
  const cls = logger.slice(logger.lastIndexOf('.') + 1);
  return { file: cls, line: null, function: cls, code: null };
}

// A configuration file the failing record names where it says what is wrong in it (`dbt found 1
// package(s) specified in packages.yml, but …`, `invalid key in /etc/app/config.toml`), else the one
// a line before said was loaded (`Loading config. path="/etc/vector/vector.toml"`, `Using config
// file: conf/app.yaml`) when the record reports a configuration error. Not a conda environment's
// file (`Could not create conda environment from envs/x.yaml`, `--file x.yaml`): measured, its labels
// say no place 5 times, the file 2 times.
const CONFIG_FILE = String.raw`((?:[A-Za-z]:)?[\w.~/\\-]{0,300}?[\w-]\.(?:ya?ml|toml|ini|cfg|conf|properties))`;
const CONFIG_NAMED = new RegExp(String.raw`\b(?:in|(?<!environment )from|of|parsing|reading)[: ]{1,3}["'\x60]?${CONFIG_FILE}(?=["'\x60]?(?:$|[\s,:;)]))`);
const CONFIG_LOADED = new RegExp(String.raw`\b(?:[Ll]oad(?:ing|ed)|[Rr]ead(?:ing)?|[Uu]sing) config(?:uration)?(?: file)?(?: from)?[.:]?\s{1,3}(?:path=)?["'\x60]?${CONFIG_FILE}(?=["'\x60]?(?:$|[\s,:;)]))`);
const CONFIGURATION_ERROR = /\b[Cc]onfig(?:uration)? error\b|\binvalid config(?:uration)?\b/;

/** The configuration file the failing record says is wrong, or the one loaded before a configuration error. */
export function configFileOf(recordLines: readonly string[], linesBefore: readonly string[]): Location | undefined {
  for (const line of recordLines) {
    const m = line.length > 4000 ? null : CONFIG_NAMED.exec(line);
    if (m?.[1]) return namedFile(m[1]);
  }
  if (!recordLines.some((line) => line.length < 4000 && CONFIGURATION_ERROR.test(line))) return undefined;
  for (let i = linesBefore.length - 1; i >= 0; i--) {
    const line = linesBefore[i] ?? '';
    const m = line.length > 4000 ? null : CONFIG_LOADED.exec(line);
    if (m?.[1]) return namedFile(m[1]);
  }
  return undefined;
}
