// Generic: failures a person recognises at a glance whatever printed them. First, structured records
// that say themselves that they are failures; then, at the lowest priorities so that any pack that
// knows the stack names the incident, the shapes every runtime shares: an exception or error line,
// a process killed by a signal, a unit of work reported failed, a non-zero exit, an HTTP error.
// A failure event (step_failed) outranks language-level stack rules, since it names what failed.
import type { MatchExpr } from '../../config/config-types.js';
import { COPING, RDKAFKA_RECONNECTS } from './coping.js';
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('generic', spec);

// Levels a failure is never reported at; INFO is allowed on purpose: task runners and CI relay a
// child's traceback at INFO, and a person still sees the failure.
const NOT_QUIET: MatchExpr = { not: { level: ['trace', 'debug', 'warn'] } };

// A database server's own log ending one session, not itself: refusing a database or role that is
// not there (`2024-06-20 13:01:14.272 UTC [67] FATAL:  role "root" does not exist`: what health
// checks and init scripts probe with), or closing sessions while it starts or shuts down as asked.
// The client whose session it was logs the failure if it is one (a psycopg error quoting the same words).
export const SESSION_NOTICE: MatchExpr = {
  regex: String.raw`(?:^|\n)\d{4}-\d\d-\d\d [\d:.]{8,15}(?: [A-Z]{2,5})? \[\d+\][^\n]{0,60}? FATAL:  (?:(?:database|role) "[^"\n]{1,100}" does not exist|terminating connection due to administrator command|the database system is (?:starting up|shutting down))`,
};

// An error record with an error object is generic.exception's, named by its error.
const NOT_ERROR_OBJECT: MatchExpr = { not: { all: [{ level: 'error' }, { has_error: true }] } };

/** Matches `expr` on records at any level but trace / debug / warn, unless the record is a retry notice or generic.exception's. */
const loud = (expr: MatchExpr): MatchExpr => ({ all: [NOT_QUIET, NOT_ERROR_OBJECT, expr, { not: COPING }] });

// Words an error class in capitals names a failure with (`TABLE_OR_VIEW_NOT_FOUND`, `CAST_INVALID_INPUT`).
// A single word is spelled out with its underscore (`_MISSING|MISSING_`): the name must be a
// compound, and the record screen then looks for `missing_`, not for every `missing`.
const ERROR_CLASS_PARTS = [
  ...['NOT_FOUND', 'DIVIDE_BY_ZERO', 'TIMED_OUT', 'OUT_OF_RANGE', 'ALREADY_EXISTS'],
  ...['INVALID', 'UNRESOLVED', 'INCONSISTENT', 'INCOMPATIBLE', 'MISMATCH', 'MISSING', 'ILLEGAL', 'UNSUPPORTED', 'DENIED', 'EXCEEDED', 'FAILED', 'FAILURE', 'ERROR', 'OVERFLOW', 'DUPLICATE', 'AMBIGUOUS', 'MALFORMED', 'UNAUTHORIZED', 'FORBIDDEN', 'TIMEOUT', 'CANNOT', 'CONFLICT', 'UNAVAILABLE'].flatMap((word) => [`_${word}`, `${word}_`]),
].join('|');

// What a setting or a metric about errors is called (`Error rate: 0.2%`, `Error handling: retry`): no error.
const ERROR_MACHINERY = String.raw`(?:rates?|counts?|handling|handlers?|reporting|tracking|logging|thresholds?|budgets?|pages?|codes? table)`;

// An exception / error header at the start of a line: `ValueError: x`, `java.io.IOException: x`,
// `Caused by: x.Y: z`, `Uncaught TypeError: x`, `error[E0308]: x`, `Error: x`, `FATAL: x`. (No
// nested quantifiers anywhere in this pack: the packs test rejects any regex safe-regex2 doubts.)
const ERROR_HEADERS = [
  // `ValueError: x`, `java.io.IOException: x`, `Caused by: x.Y: z`, `│ Error: x` (a boxed CLI report),
  // `RecordTooLargeException` alone, `MissingInputException in line 9 of …`.
  // A paste may wrap each line in backticks (`` `CreateCondaEnvironmentException:` ``), or lose its
  // line breaks to a terminal's padding (`WorkflowError:        MissingInputException: …`).
  String.raw`(?:^|\n)[ \t]*(?:[│|] |[│|]|\x60)?(?:Caused by: |Uncaught |\[cause\]: )?[\w$.:]*[A-Z][\w$]*(?:Error|Exception|Fault|Failure)(?:: {1,400}\S|:?\x60?[ \t]*(?:$|\n)| in line \d)`,
  // The base classes themselves, bare: Python's `Exception: no rows`, JavaScript's `Uncaught Error: x`.
  String.raw`(?:^|\n)[ \t]*(?:Uncaught |Unhandled )?Exception: \S|(?:^|\n)[ \t]*Uncaught Error: \S`,
  // .NET's and C++'s last words on an exception nobody caught.
  String.raw`\bUnhandled [Ee]xception[.:] |\bterminate called after throwing an instance of\b`,
  // SQL Server's error report (severity 11 and up is an error): `Msg 208, Level 16, State 1, Line 1`.
  String.raw`\bMsg \d+, Level (?:1[1-9]|2\d), State \d+`,
  // Docker's refusal, and a build tool's verdict (`BUILD FAILED in 12s`, Maven's `BUILD FAILURE`).
  // kubectl's report of the API server's refusal: `Error from server (Conflict): error when applying patch: …`.
  String.raw`\bError response from daemon: |\bBUILD FAILED\b|\bBUILD FAILURE\b|(?:^|\n)[ \t]*Error from server(?: \([A-Za-z]{2,40}\))?: \S`,
  // The same relayed behind a runner's prefix (`INFO - Subtask: KeyError: 'x'`) or quoted as a
  // JSON value (`"runError": "DatasourceError: …"`).
  String.raw`(?:: | - |")[\w.]*[A-Z]\w*(?:Error|Exception): \S|(?: - |: )Error: \S`,
  // R's own last word after an error stopped a script.
  String.raw`(?:^|\n)Execution halted\b`,
  // The bare HTTP exceptions of client libraries (`ServiceUnavailable: 503 …`, `Forbidden: 403 …`).
  String.raw`(?:^|\n)[ \t]*(?:ServiceUnavailable|Forbidden|NotFound|BadRequest|Unauthorized|TooManyRequests|InternalServerError|BadGateway|GatewayTimeout|Conflict|PermissionDenied): [45]\d\d\b`,
  // A Python exception from an errors module, whatever its name: `google.api_core.exceptions.Forbidden: 403 …`.
  // Also relayed behind a runner's prefix (`{pod_launcher.py:104} INFO - google.api_core.exceptions.BadRequest: 400 …`).
  String.raw`(?:^|\n| - (?:\[[\w.-]{1,40}\] )?)[a-z_][\w.]*\.(?:exceptions?|errors?)\.[A-Z]\w*: \S`,
  // CLIs: `error: x`, `Error: x`, `FATAL: x`, `error[E0308]: x`, `error initializing: x`, `Error in f(…)`,
  // and the same behind the program's name (`slurmstepd: error: x`, `tar: Error is not recoverable`).
  String.raw`(?:^|\n)[ \t]*(?:[│|] |[│|])?(?:error|Error|ERROR|fatal|Fatal|FATAL)(?:\[[A-Z]\d\d\d\d\])?(?!s? (?:${ERROR_MACHINERY})\b)[a-z ]{0,30}: \S|(?:^|\n)Error in [\w.]+\(`,
  String.raw`(?:^|\n)[\w.-]{1,40}: (?:error|Error|ERROR|fatal|FATAL)(?:: \S| is not recoverable)`,
  // A tool naming its own failure: `BigQuery error in load operation: x`, `Snowflake error: x`, `JDBC ERROR: x`.
  String.raw`(?:^|\n)[ \t]*[A-Z][\w.-]{1,30} (?:error|ERROR): \S|\b[A-Z][\w.-]{1,30} error in [a-z]{1,20} operation: \S`,
  // CI runners and SDKs: `##[error]…`, `A client error (RequestTimeout) occurred`, a shell's `line 38: x: No such file`.
  String.raw`##\[error\]|\bA client error \(\w+\) occurred|: line \d+: [^\n]{0,200}(?:No such file or directory|command not found|Permission denied)`,
  // A failure reason at the start of a line: what a bare pasted one-line error usually is.
  String.raw`(?:^|\n)[ \t]*(?:Access Denied|Permission denied|Forbidden|Unauthorized|context deadline exceeded|Connection refused|No such file or directory|denied|unauthorized)\b`,
  // A client that stopped trying, or an error report's own wording (`error message: …`, BigQuery's
  // `Error while reading data, error message: …`), and a container whose binary could not start.
  String.raw`\b(?:[Gg]iving up|[Gg]ave up)\b|\b[Ee]rror message: \S|\bexec user process caused\b|\bexec format error\b`,
  // An OS error as Rust's and Python's I/O errors print it: `Too many open files (os error 24)`, `[Errno 2] No such …`;
  // work the system stopped (`Statement … was canceled`, `the job has been killed`; not by a person).
  String.raw`\(os error \d+\)|\[Errno -?\d+\] [A-Z]|\b(?:was|were|has been|have been) (?:canceled|cancelled|aborted|killed|terminated)\b(?! by (?:the )?user)`,
  // The csv crate's errors, wherever a progress bar left them: `CSV deserialize error: record 0 (line: 1, byte: 0): …`.
  String.raw`\bCSV (?:deserialize |parse )?error: record \d+`,
  // pydantic's report of a model it could not build (a config, a recipe, a request): `1 validation error for PipelineConfig`.
  String.raw`(?:^|\n)[ \t]*\d+ validation errors? for [A-Z]\w*`,
  // A warehouse load's error position (Snowflake COPY: `File 'x.csv.gz', line 39, character 168`).
  String.raw`\bFile '[^'\n]{1,300}', line \d+, character \d+`,
  // An API's error body (google.rpc.Status, as Google's APIs return it): `"status": "UNAVAILABLE"`;
  // an SDK's error object logged as JSON (`{"code":"ValidationException","statusCode":400,…}`).
  String.raw`"code"[ \t]*:[ \t]*"[A-Z]\w*(?:Exception|Error|Fault)"`,
  String.raw`"status"[ \t]*:[ \t]*"(?:UNAVAILABLE|PERMISSION_DENIED|NOT_FOUND|RESOURCE_EXHAUSTED|UNAUTHENTICATED|INVALID_ARGUMENT|FAILED_PRECONDITION|DEADLINE_EXCEEDED|ABORTED|ALREADY_EXISTS|OUT_OF_RANGE|UNIMPLEMENTED|DATA_LOSS)"`,
  // Failure reasons that say it anywhere: a Go dial that failed, a transaction aborted, a table not found.
  String.raw`\bdial tcp\b[^\n]{0,200}(?:no such host|connection refused|i/o timeout)|\baborted due to\b|\bNot found: (?:Table|Dataset|Project|Job)\b|\bValidation Failed\b|\bExpectations? Failed\b`,
  // A caught exception reported with what failed: `Failed to fetch data: SyntaxError: …`.
  String.raw`\b(?:Failed|failed|Unable|unable|Could not|could not|Cannot|cannot) [^\n]{1,120}: [\w.]*[A-Z]\w*(?:Error|Exception)\b`,
  // A module-qualified exception after any prefix a paste or a logger put before it (a line
  // number, a logger's columns, a warning's `file.py:` that relays it):
  // `1 dagster.core.errors.DagsterExecutionStepExecutionError: x`.
  String.raw`(?:^|[\s:])[a-z_]\w*\.[\w.]*[A-Z]\w*(?:Error|Exception): \S`,
  // pytest's explanation lines of a failed test: `E       distributed.scheduler.KilledWorker: x`.
  String.raw`(?:^|\n)E    {0,57}(?:[a-z_][\w.]*\.)?[A-Z]\w*: \S`,
  // A workflow engine naming the rule that failed: `[date] MissingInputException in line 258 of …`,
  // `KeyError in file …/Snakefile, line 291:`; npm's own error lines (`npm ERR! code E404`, `npm error code ERESOLVE`).
  String.raw`\b[A-Z]\w*(?:Exception|Error) in (?:line \d+ of \S|rule \w+|file \S)|(?:^|\n)npm (?:ERR!|error) \S`,
  // pytest's summary line of a failed test, a query or stream that died with an exception.
  String.raw`(?:^|\n)FAILED \S+::\S|\bterminated with (?:an )?(?:exception|error)\b`,
  // Pasted or escaped: a traceback inside a JSON string (`…\nsqlalchemy.exc.DatabaseError: …`), a `> ` quoted line.
  String.raw`(?:\\n|(?:^|\n)> ?)[\w$.]*[A-Z][\w$]*(?:Error|Exception): \S`,
  // A module-qualified exception class named for what went wrong though not `…Error`
  // (`gzip.BadGzipFile: …`, `subprocess.TimeoutExpired: …`), or a wrapper cut before its opening
  // parenthesis (`snowflake.connector.errors.ProgrammingError) 000904 …`). The ending is required:
  // the record screen needs a literal, and `pkg.Thing: text` alone is too often a logger's name.
  String.raw`(?:^|\n)[ \t]*[a-z_][a-z0-9_.]*\.[A-Z][A-Za-z0-9]*(?:Error|Exception|File|Fault|Failure|Failed|Timeout|Expired|Denied|Forbidden|NotFound|DoesNotExist|Unavailable|Refused|Invalid|Conflict|Interrupt|Exit|Violation|Representation)(?:: |\) )\S`,
  // A database's own error code and state: Snowflake `000904 (42000): …` (indented under the
  // tool's header, as dbt prints it), PDO `SQLSTATE[42S02]: …`.
  String.raw`(?:^|\s)\d{6} \([0-9A-Z]{5}\): \S|\bSQLSTATE\[[0-9A-Z]{5}\]`,
  // An HTTP error as Go's googleapi and many SDKs print it, or ending an error chain:
  // `googleapi: Error 400: …`, `…: reading https://…: 502 Bad Gateway`.
  String.raw`\bError [45]\d\d: \S|: [45]\d\d (?:Bad Request|Unauthorized|Forbidden|Not Found|Conflict|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)[ \t]*(?:$|\n)`,
  // An exception printed as its repr / toString: `DataError('value too long …')`, `KafkaError{code=…}`,
  // an OS error with its number first (`OSError(28, 'No space left on device')`), an Elixir error
  // struct (`%Postgrex.Error{connection_id: 7, …}`).
  String.raw`\b[A-Z]\w*(?:Error|Exception)(?:\(['"]|\{\w+=|\(-?\d+, ?['"])|%[A-Z][\w.]{0,60}(?:Error|Exception)\{`,
  // What the operating system says when it refused the work (strerror texts), wherever they are quoted.
  String.raw`\b(?:No space left on device|Disk quota exceeded|Cannot allocate memory|Too many open files|Read-only file system)\b`,
  // Kubernetes and its clients: an RBAC refusal, a volume that could not be mounted, an untrusted
  // certificate, a controller's recovered panic, an API server out of reach.
  String.raw`\bis forbidden: User "|\bMountVolume\.\w+ failed\b|\bx509: certificate\b|\bObserved a panic: |(?:^|\n)Unable to connect to the server: `,
  // Multi-error reports (Terraform, HashiCorp tools): `* google_bigquery_table.x: 1 error(s) occurred:`.
  String.raw`\b[1-9]\d* errors?(?:\(s\))? occurred\b`,
  // A tool's JSON result that says it failed (a validation or checkpoint run, an API answer), pretty-printed.
  String.raw`(?:^|\n)[ \t]*"success"[ \t]*:[ \t]*false\b`,
  // A syslog / journald line relaying a command's error: `host c2d-startup[431]: ERROR: (gcloud…) …`.
  String.raw`\w\[\d+\]: (?:ERROR|FATAL|Error|error|fatal): \S`,
  // An error level in the server's or runtime's language, as psql and java.util.logging print it at
  // the start of a line: PostgreSQL's `FEHLER:  Relation »x« existiert nicht`, `ERREUR:  …`,
  // `ERRORE:  …`, `ERRO:  …`, `FOUT:  …`, `HATA:  …`; JUL's SEVERE as `SCHWERWIEGEND: …`, `GRAVE: …`.
  // (ASCII spellings only: the tailer's byte search needs ASCII words.)
  String.raw`(?:^|
)[ 	]*(?:FEHLER|ERREUR|ERRORE|ERRO|FOUT|HATA|SCHWERWIEGEND|GRAVE):[ 	]{1,2}\S`,
  // A quota used up, said of whatever holds it (`resource monitor 'X' has exceeded its quota`,
  // `the project has exceeded the daily quota`).
  // A warehouse's verdict on a query that ran out of what it was allotted: BigQuery's
  // `Resources exceeded during query execution: The query could not be executed in the allotted memory`.
  String.raw`\b(?:has|have) exceeded (?:its|their|the|your|our) (?:[\w-]{1,30} )?quota\b|\bResources exceeded\b`,
  // An error said as a sentence on what was being done, behind a logger's bracketed context at
  // most: `Error reading input file a.pdf: …`, `[Consumer clientId=c-1] Error while fetching metadata … : {…}`.
  String.raw`(?:^|\n)[ \t]*(?:\[[^\]\n]{1,100}\] ?)?(?:Error|ERROR|error) (?!${ERROR_MACHINERY})(?:while|when|during|[a-z]{2,20}ing)\b[^\n]{0,160}? ?: \S`,
  // An error class alone on its line as a heading, its details below (`Parsing Error`, `Runtime Error`).
  String.raw`(?:^|\n)[ \t]*[A-Z][a-z]{2,20} Error[ \t]*:?[ \t]*(?:$|\n)`,
  // Apache Beam's mark on an exception raised inside a step: `… [while running 'load/WriteToBigQuery']`.
  String.raw`\[while running '[^'\n]{1,200}'\]`,
  // Runtime messages every language's users know as errors, whatever prints them.
  String.raw`\b(?:division|divide) by zero\b|\bcodec can't (?:decode|encode) (?:byte|bytes|character|characters)\b|\bcontext deadline exceeded\b`,
  // A shape that is not what was expected (a row, a column's type, a count): `Inserted row has
  // wrong column count; Has 3, expected 2`, `expected 4 fields but got 5`, `has changed type from
  // TIMESTAMP to STRING`, `is declared as type bigint, but the file declares … INT32`, `schemas
  // contained differing number of columns: 8 != 7`.
  String.raw`\bdiffering number of [a-z]{2,20}\b|\bmismatched number of [a-z]{2,20}\b|: \d+ != \d+[ \t]*(?:$|\n)|\b(?:has|have|with) (?:the |a )?wrong (?:number of [a-z]{2,20}|[a-z]{2,20} count|type)\b|\b(?:[Hh]as|[Gg]ot|[Ff]ound|[Rr]eceived) \d+,? (?:but )?expected \d+\b|\b[Ee]xpected \d+(?: [a-z]{2,20})?,? but (?:got|found|received|was|is|has) \d+\b|\bhas changed type from [A-Za-z]\w{0,30} to [A-Za-z]\w{0,30}\b|\bis declared as (?:type )?\w{1,30}, but\b`,
  // An ODBC driver's diagnostic, tagged with its vendor and driver (`[Microsoft][ODBC Driver 18 for
  // SQL Server][SQL Server]Login failed…`, `[unixODBC][Driver Manager]Data source name not found`).
  String.raw`\[[\w .-]{0,40}ODBC[\w .-]{0,40}\]`,
];
// Error bodies, matched on the raw record (a JSON record's keys are not in its message): an error
// class or code in capitals naming what went wrong, as Spark SQL brackets it
// (`[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column …`; a cut paste may lose the `[`) or an API's error
// body gives it (`"code": "CSV_RECORD_INCONSISTENT_COLUMNS"`), so that a `[ERROR]` level tag is none;
// an error count or code (`"error_code": 409`, `'error-count': 35`), a list of errors that is not
// empty (`"insertErrors": [{…`, a Ruby tool's `errors:[{:reason=>"invalid", …` or `:errors=>[{…`), or a report that says it did not pass (`'valid': False`). Spelled
// so that the record screen looks for `'valid': ` or `success`, not for every `false` or `valid`
// (a `validate_orders` step is on every line of some logs).
const ERROR_BODIES = [
  String.raw`(?:^|\n|\[|['"](?:code|error|error_?code|errorCode|reason|type|error_?type|errorClass|error_?class)['"][ \t]*:[ \t]*['"])[A-Z0-9_.]{0,40}(?:${ERROR_CLASS_PARTS})[A-Z0-9_.]{0,60}(?:\]|['"])`,
  String.raw`['"]error[-_ ]?(?:code|count)['"][ \t]*:[ \t]*['"]?[1-9]|['"]\w*(?:errors|Errors)['"][ \t]*:[ \t]*\[[ \t\r\n]*\{|(?:^|[\s{,:])\w*(?:errors|Errors)(?::|=>) ?\[\{|"success"[ \t]*:[ \t]*[Ff]alse\b|'success': [Ff]alse\b|'valid': [Ff]alse\b`,
];

// A tool's report of what it could not do, as the first words of a line (`Could not find
// checkpoint x`, kubectl's `unable to recognize "x.yaml": …`, `Invalid value for env var named X`)…
// (Matched ignoring case, so the record screen looks for whole words, not `annot` of `annotation`.)
// The same quoted as a message's first words (`('Unable to acquire credentials', …)`,
// `"msg": "could not open x"`), or behind a paste's `> `.
const COULD_NOT_WORDS = String.raw`(?:unable to|could not|couldn't|cannot|can't|failed to)`;
// Also behind the name of the program or package that says it (`ssh: Could not resolve hostname x`,
// Go's `json: cannot unmarshal number into …`, a captured `stderr=ssh: …`).
const COULD_NOT = String.raw`(?:^|\n)[ \t]*(?:> ?)?(?:[\w.=-]{1,40}: )?(?:${COULD_NOT_WORDS}|invalid) [a-z]|(?:^[(\[]|[(\[,:=] ?)['"]${COULD_NOT_WORDS} [a-z]`;
// A verdict on what the job was given (`your config appears to be invalid:`), or credentials that
// ran out (`Authentication token has expired.`): the job cannot go on without a person.
const VERDICT = String.raw`\b(?:is|are|was|were|appears to be|seems to be) (?:invalid|malformed|corrupt|corrupted)(?:[:!]|\.(?:\s|$))|\b(?:token|credentials?|certificate|password|session|signature|license|key)s? (?:has|have|is|are) expired\b`;
// …unless it works around it (Hadoop's `Unable to load native-hadoop library … using builtin-java
// classes`, a config file not found and defaults used or created, Docker's `Unable to find image 'x'
// locally` before it pulls it, Snakemake's `Unable to set utime on symlink … does not support it`).
export const FALLBACK = String.raw`\b(?:using|falling back|fall back|defaulting|skipping|ignoring|ignored|continuing|will use|instead|creating|optional|locally|does not support it|assume|assuming|refreshing|renewing|skipped)\b`;

// A limit the work ran into, said of the work or of whoever runs it (`Your project or organization
// exceeded the maximum disk and memory limit available for shuffle operations`, `the job exceeded its
// memory limit of 4 GiB`), not a limit that was not reached (`has not exceeded the limit`).
const LIMIT_EXCEEDED = String.raw`(?<!\bnot |\bnever |n't )\bexceeded (?:its|their|the|your|our|a) [\w -]{0,100}?\blimits?\b`;

/**
 * A report matching `regex` (ignoring case) on a record not levelled error or fatal (those have their
 * own rules, which name them better), unless it says how it works around it (FALLBACK).
 */
const unlessWorkedAround = (regex: string): MatchExpr =>
  loud({ all: [{ not: { level: ['error', 'fatal'] } }, { regex, ignore_case: true }, { not: { regex: FALLBACK, ignore_case: true } }] });

// The same type named anywhere in a record the logger itself marked as an error.
const ERROR_TYPE = String.raw`\b[A-Z][\w$]*(?:Error|Exception)\b: \S`;

// What an error record's message says when it reports a failure rather than a notice at the wrong
// level. Broad on purpose: on the real corpus a stricter form (a cause after a colon) missed more
// failures than the second incidents it saved, where a bare `download failed` at ERROR precedes the
// exception that names it.
const ERROR_RECORD_WORDS = String.raw`\b(?:failed|failure|error|exception|unable to|cannot|can't|could not|denied|refused|timed out|not found|does not exist|no such|invalid|unauthori[sz]ed|forbidden|expired|exceeded|aborted|crashed|never (?:started|starts|ran|came up|became ready|finished|completed|succeeded|arrived|connected))\b`;

// A runner's progress line for a node that failed (`1 of 3 ERROR creating sql table model x`): the
// framework names the failure itself on the lines below.
const PROGRESS = String.raw`\b\d+ of \d+ (?:ERROR|FAIL)\b`;

// Signals, the OOM killer, core dumps, a goroutine dump, a failed C assertion, and a scheduler
// killing a job over its memory limit (SLURM's `exceeded virtual memory limit …, being killed`, YARN's
// `running beyond physical memory limits … Killing container`).
const KILLED = String.raw`\b[Cc]ontainer killed (?:by|on request)\b|\bkilled by YARN\b|\b(?:OOM Killed|OOM killed|OOM-killed|OOM Killer|OOM killer|OOMKilled|oom_kill|oom-kill)\b|Segmentation fault|\(core dumped\)|(?:killed|terminated) by signal|signal: (?:killed|segmentation fault|aborted)|received signal SIG(?:KILL|SEGV|ABRT|BUS)\b|\b(?:exit code|exit status|exited with code|exited with status):? (?:13[479]|-9|-11|-6)\b|Killed process \d+|\bNegsignal\.SIG(?:SEGV|KILL|ABRT|BUS)\b|\bSIG(?:SEGV|ABRT)\b|(?:^|\n)Killed\s*$|: line \d+: +\d+ (?:Killed|Aborted)\b|\bgoroutine \d+ \[running\]:|\bAssertion [\x60'][^\n]{1,200}' failed|\*\*\* [\w./-]{1,100}:\d+:\w+: assert: |\bmemory limits?\b[^\n]{0,120}\b(?:being killed|[Kk]illing)\b|\b[Ee]xceeded (?:job |step )?memory limit\b`;

// …or a line that is only a unit's name (snake_case, dotted or dashed, as code names it) and `failed`:
// a wrapper's verdict on the step it ran (`load_orders failed.`); a framework's verdict in capitals
// ending the line (`Job execution FAILURE`).
const UNIT = String.raw`(?:[Ee]xecutor|[Ww]orker|[Tt]ask|[Ss]tep|[Mm]odel|[Jj]ob|[Ss]tage|[Pp]od|[Cc]ontainer|[Ff]low|[Bb]uild|[Cc]ommand|[Pp]rocess|[Ss]ubprocess|[Pp]ipeline|DAG|dag_?run|op|[Aa]sset|[Rr]ule|[Qq]uery|[Rr]un|[Nn]ode|[Dd]eployment|[Oo]perator|[Oo]peration|[Ss]ensor|[Hh]ook|[Mm]igration)`;
const FAILED_UNIT = String.raw`\b${UNIT}s?\b[^\n]{0,100}?\b(?:failed|FAILED|crashed|errored)\b|\b${UNIT}\b[^\n]{0,60}?\bFAILURE[.!]?[ \t]*(?:$|\n)|\b${UNIT} (?:was |has been )?aborted\b(?! by (?:the )?user)|\bwith (?:state|status) ['"]?(?:failed|FAILED|FAILURE)\b|\bError in rule \w+|\bin state Failed\b|\bfinished with state ['"]?failed|\bstatus(?: is|:|=) ?['"]?(?:failed|FAILED)\b|\bFailed to (?:execute|run|start|complete|process|load|build) ${UNIT}\b|(?:^|\n)[ \t]*[A-Za-z]\w*[_.-][\w.-]* failed[.!]?[ \t]*(?:$|\n)`;
// Spark's scheduler reports lost executors and failed task attempts before the job's own failure
// (jvm.spark-failure), which names the cause; its lines are not failures of their own.
const SPARK_SCHEDULER = String.raw`\b(?:YarnScheduler|TaskSetManager|TaskSchedulerImpl|DAGScheduler|YarnAllocator|BlockManagerMasterEndpoint)\b`;

const EXIT = String.raw`\b(?:exit code|exit status|exited with code|exited with status|exited with exit code|return code|returned code|with exit code|with exit status|non-zero exit code|non-zero exit status)[: =]+(?:[1-9]\d{0,2}|-\d{1,3})\b|\bnon-zero exit (?:code|status)|\breturned non-zero\b|\bexit status [1-9]\d{0,2}\b|\bmake(?:\[\d\]|\[\d\d\])?: \*\*\* [^\n]{0,200}Error \d+|\bELIFECYCLE\b`;

// A PostgreSQL background worker exits with code 1 to say "do not restart me": the logical
// replication launcher does so at every clean shutdown.
const BGWORKER_STOP = String.raw`\bbackground worker "[^"\n]{1,100}" \(PID \d+\) exited with exit code 1\b`;

const HTTP = String.raw`\b[45]\d\d (?:Client|Server) Error\b|\bHTTPError\b[^\n]{0,60}\b[45]\d\d\b|(?:\bstatus code[ :=]+|\bstatus[ :=]+|\bresponse code[ :=]+|\bHTTP/\d\.\d |\bHTTP/\d |\bHTTP |\bHTTP:)[45]\d\d\b[^\n]{0,80}\b(?:error|failed|failure|exception|aborted|abort)\b`;

// The words a record must hold for the learned backstop to read it (generic.learned-line): failure
// words, so that the byte screen still rules out every other line before any parse.
export const LEARNED_LINE_GATE = String.raw`\b(?:error|exception|failed|failure|fatal|panic|denied|refused|invalid|cannot|can't|unable|timed out|aborted|killed|not found|exceeded|corrupt|does not exist|no such|could not|couldn't)`;

export const genericPack: RulePack = {
  name: 'generic',
  description: 'Fatal records, failure events, error records carrying an exception; exception lines, kills, failed units, non-zero exits and HTTP errors in any log.',
  rules: [
    r({
      id: 'failure-event',
      description: 'An error record whose event names a failure (step_failed, job_failure, task.failed).',
      severity: 'critical',
      priority: 45,
      match: {
        level: ['error', 'fatal'],
        field_regex: { event: String.raw`(?:^|[_.\-\s])(?:fail|failed|failure|crash|crashed|abort|aborted)$` },
        ignore_case: true,
      },
    }),
    r({
      id: 'rdkafka-broker-unreachable',
      // One `|FAIL|` record per failed attempt (librdkafka relays the same event as `|ERROR|` and
      // sums it up as `N/N brokers are down`: those only cope, coping.ts). It reconnects with
      // back-off and folds identical errors into one line for a while, so a broker that is really
      // gone shows as a few attempts a minute apart, and one that answers on another address
      // (IPv6 refused, IPv4 taken) as one.
      description: 'A Kafka client built on librdkafka (kcat, confluent-kafka, node-rdkafka) keeps failing to reach its broker.',
      severity: 'error',
      priority: 60,
      anyLevel: true,
      reportsRetries: true,
      threshold: { count: 3, window_secs: 180 },
      fingerprint: '{{source}}:{{file}}',
      match: { all: [{ regex: RDKAFKA_RECONNECTS }, { regex: String.raw`%[0-7]\|\d{9,11}\.\d{3}\|FAIL\|` }] },
    }),
    r({
      id: 'killed',
      echoes: true,
      description: 'A process killed by a signal or the OOM killer (segmentation fault, SIGKILL, exit 137 / 139), or a goroutine dump.',
      severity: 'critical',
      priority: 19,
      anyLevel: true,
      match: loud({ regex: KILLED }),
    }),
    r({
      id: 'rust-panic',
      echoes: true,
      description: 'A Rust thread panicked.',
      severity: 'critical',
      priority: 18,
      anyLevel: true,
      // Rust 1.87+ prints the thread's id: `thread 'main' (2018384) panicked at …`. The quoted thread
      // name before `panicked at` is the shape, whatever a paste did to it: its first letters cut
      // (`hread 'main' panicked`), its quotes escaped (`\'main\'`).
      match: { regex: String.raw`\\?'[^'\n]{0,80}'(?: \(\d{1,20}\))? panicked at |\bPanic occurred in file '` },
    }),
    r({
      id: 'error-line',
      echoes: true,
      description: 'An exception or error line (`FooError: …`, `Caused by: …`, `Error: …`), at the start of a line of any record but a warning or debug one, or anywhere in an error record.',
      severity: 'error',
      priority: 16,
      anyLevel: true,
      match: {
        any: [
          // One regex each: safe-regex2 (the packs test) caps the quantifiers of a single regex.
          loud({ any: ERROR_HEADERS.map((regex) => ({ regex })) }),
          loud({ any: ERROR_BODIES.map((raw_regex) => ({ raw_regex })) }),
          unlessWorkedAround(COULD_NOT),
          unlessWorkedAround(VERDICT),
          unlessWorkedAround(LIMIT_EXCEEDED),
          { all: [{ level: ['error', 'fatal'] }, NOT_ERROR_OBJECT, { regex: ERROR_TYPE }, { not: COPING }] },
          loud({ regex: String.raw`(?:^|\n)panic: \S` }),
        ],
      },
    }),
    r({
      id: 'failed-unit',
      echoes: true,
      description: 'An executor, worker, task, step, model or job reported failed.',
      severity: 'error',
      priority: 14,
      anyLevel: true,
      match: { all: [loud({ regex: FAILED_UNIT }), { not: { regex: SPARK_SCHEDULER } }] },
    }),
    r({
      id: 'exit-code',
      echoes: true,
      description: 'A command or process exited with a non-zero code (not at INFO: a runner relays its child\'s exit there just before it reports the failure itself).',
      severity: 'error',
      priority: 13,
      anyLevel: true,
      match: { all: [{ not: { level: 'info' } }, loud({ regex: EXIT, ignore_case: true }), { not: { regex: BGWORKER_STOP } }] },
    }),
    r({
      id: 'http-error',
      echoes: true,
      description: 'An HTTP 4xx / 5xx response reported as an error.',
      severity: 'error',
      priority: 12,
      anyLevel: true,
      match: loud({ regex: HTTP }),
    }),
    r({
      id: 'fatal',
      description: 'A record logged at fatal / critical level.',
      severity: 'critical',
      priority: 11,
      match: { all: [{ level: 'fatal' }, { not: SESSION_NOTICE }] },
    }),
    r({
      id: 'error-record',
      echoes: true,
      description: 'An error record says something failed.',
      severity: 'error',
      priority: 9,
      match: { all: [{ level: ['error', 'fatal'] }, NOT_ERROR_OBJECT, { regex: ERROR_RECORD_WORDS, ignore_case: true }, { not: COPING }, { not: { regex: PROGRESS } }, { not: SESSION_NOTICE }] },
    }),
    r({
      id: 'learned-line',
      echoes: true,
      description: 'No rule matched, but the learned line scorer (src/detect/line-scorer.ts, trained on the real corpus) reads the record as a failure.',
      severity: 'error',
      priority: 1,
      scored: true,
      // Not at warn either: a warning is not a failure on its own (a rule with a threshold says when repeats are).
      match: { all: [{ not: { level: 'warn' } }, { regex: LEARNED_LINE_GATE, ignore_case: true }] },
    }),
    r({
      id: 'exception',
      description: 'An error record carrying an error: an object, a stack trace, or a string field (slog `err=`, zap `"error"`).',
      severity: 'error',
      priority: 10,
      match: { level: 'error', has_error: true },
    }),
  ],
};
