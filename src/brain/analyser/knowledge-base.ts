// Error signatures across Python, Node, the JVM / Spark, Go, dbt and PostgreSQL, each mapped to the
// taxonomy of `CATEGORIES` (src/types.ts) with a plain-language cause, fix steps tied to the failing line, and whether a
// retry is likely to help. Order matters: the first signature that matches wins, so specific
// signatures (an environment KeyError, a password failure inside a connection error) come before the
// broad ones they would otherwise fall into.
import type { Category } from '../../types.js';
import type { Finding, Signature } from './finding.js';
import {
  atWhere,
  codeRef,
  columnName,
  endpointOf,
  envVarOf,
  firstLine,
  headline,
  languageOf,
  moduleOf,
  pathOf,
  relationOf,
  suggestedColumns,
  where,
} from './describe.js';
import { SQLSTATE_PATTERN, sqlStateOf } from './sqlstate.js';
import { STANDARD_CODE_PATTERN, standardCodeOf } from './category-codes.js';
import { categoryCheck } from './category-advice.js';
import { categoryOfClassName } from './category-class-words.js';
import { parsedAnObjectReference, raisedReadingResponse } from './category-parse-origin.js';

const RETRYABLE_KINDS: ReadonlySet<Category> = new Set(['timeout', 'rate_limit', 'network_or_service_unavailable']);

const q = (s: string | undefined, fallback: string): string => (s ? `\`${s}\`` : fallback);

function usesEnviron(f: Finding): boolean {
  if (/environ|getenv/.test(f.location?.code ?? '')) return true;
  // Python 3.11+ names the frozen stdlib module `<frozen os>`; the code line may be redacted
  // (`password=os.environ[…]` reads as a secret assignment), so the frame alone must suffice.
  return f.chain.some((e) => e.stack.some((fr) => /(?:^|\/)os\.py$|^<frozen os>$/.test(fr.file) || /environ|getenv/.test(fr.code ?? '')));
}

/** The denominator in the failing code line (`total / count` → `count`), when the line shows one. */
function denominatorOf(code: string | null | undefined): string | undefined {
  if (!code) return undefined;
  const m = /[\w$)\]]\s*\/\/?(?![/*=])\s*([A-Za-z_$][\w$.]*(?:\([^()]*\))?(?:\.[\w$]+)*)/.exec(code);
  return m?.[1];
}

function zeroGuard(f: Finding, denominator: string): string {
  switch (languageOf(f)) {
    case 'python':
      return `if ${denominator} == 0: raise ValueError("no rows to average") (or return None / skip the batch)`;
    case 'node':
      // Only BigInt division throws in JavaScript (`RangeError: Division by zero`); numbers give Infinity.
      return /BigInt|\dn\b/.test(f.location?.code ?? '') || /RangeError/.test(f.error?.type ?? '') || /BigInt/.test(f.text)
        ? `if (${denominator} === 0n) throw new Error('no rows to average') (or skip the batch)`
        : `if (${denominator} === 0) throw new Error('no rows to average') (or skip the batch)`;
    case 'jvm':
      return `if (${denominator} == 0) { fail with a clear message or skip the batch }`;
    case 'go':
      return `if ${denominator} == 0 { return fmt.Errorf("no rows to average") }`;
    case 'sql':
      return `divide by NULLIF(${denominator}, 0) and handle the NULL`;
    default:
      return `check ${denominator} for zero before dividing`;
  }
}

/** How the failing code can set unparseable rows aside, in the language of the failing frame. */
function quarantineAdvice(f: Finding): string {
  switch (languageOf(f)) {
    case 'python':
      return 'e.g. errors="coerce" then check, or a try/except that counts and skips';
    case 'jvm':
      return 'e.g. a try/catch (Scala: Try) around the conversion that counts and skips; in Spark, read with mode PERMISSIVE and a columnNameOfCorruptRecord column, or use try_cast';
    case 'node':
      return 'e.g. check Number.isNaN / a try/catch around the parse that counts and skips';
    case 'go':
      return 'e.g. check the strconv / json error per record, count and skip';
    case 'sql':
      return 'e.g. TRY_CAST / SAFE_CAST and a check on the rows that come back NULL';
    default:
      return 'count and skip them, or route them to a reject table';
  }
}

// OOM and retries. Running out of memory is a function of the input and the code, so a re-run with
// the same input hits the same limit: not retryable. The exception is memory the step did not use
// alone: when the log shows load pressure around the failure (a queue or lag reported high, other
// runs / pods placed on the same node, node memory pressure or eviction), the peak came from
// contention, and a re-run at normal load is likely to pass: retryable.
const LOAD_PRESSURE =
  /\b(?:queue(?:[ _-]?depth)?|backlog|(?:event[ _-]?loop[ _-]?)?lag|load|in-?flight|concurrency|memory pressure)\b[^\n]{0,24}\b(?:high|growing|rising|spik(?:e|ing))\b|\bback-?pressure\b|\bMemoryPressure\b|\bnoisy neighbou?r|\bother (?:runs|pods|jobs|tasks|containers|executors|workers)\b[^\n]{0,60}\b(?:this|the same) (?:node|host|machine|instance)\b|\bevicted\b[^\n]{0,80}\b(?:memory|pressure)\b/i;

function underLoad(text: string): boolean {
  return text.split('\n').some((line) => line.length < 4000 && LOAD_PRESSURE.test(line));
}

// The same holds when the log reports the step's input next to its usual size and the two agree
// (`loaded 1842291 rows (7-day avg 1801554)`): the input did not grow, so the peak was not the
// data's, and a re-run is likely to pass. An input well above its usual size is the data's fault.
const VOLUME_VS_USUAL =
  /\b(\d[\d,]*)\s+(?:rows|records|events|messages|files|lines)\b[^\n(]{0,40}\((?:[\w-]+ )?(?:avg|average|mean|median|usual|typical|baseline)\b[:= ]*(\d[\d,]*)\)/i;

function usualVolume(text: string): boolean {
  return text.split('\n').some((line) => {
    const m = line.length < 4000 ? VOLUME_VS_USUAL.exec(line) : null;
    if (!m?.[1] || !m[2]) return false;
    const [now, usual] = [Number(m[1].replaceAll(',', '')), Number(m[2].replaceAll(',', ''))];
    return usual > 0 && now / usual <= 1.2;
  });
}

// A schema-validation error (zod, pydantic, Joi, ajv, envalid) is about configuration when what it
// validated is the environment or a settings object, and about the data otherwise.
const ENV_FIELD = /"path"\s*:\s*\[\s*"([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{3,})"|^\s*([A-Z][A-Z0-9]*_[A-Z0-9_]+)\s*$|\b(?:process\.env|os\.environ)\.?\[?['"]?([A-Z][A-Z0-9_]+)?/m;
const SETTINGS_MODEL = /validation errors? for (\w*(?:Settings|Config|Configuration|Env|Environment)\b)/;
const CONFIG_CODE = /(?:load|read|parse|get|validate|check)_?(?:env|config|settings|environment)\b|^(?:env|config|settings)$|(?:^|\/)(?:config|settings|env|environment)(?:\/|\.[\w]+$)/i;

function validatesConfig(f: Finding): boolean {
  if (ENV_FIELD.test(f.subject) || SETTINGS_MODEL.test(f.subject)) return true;
  const user = f.chain.flatMap((e) => e.stack.filter((fr) => fr.inUserCode));
  return user.slice(0, 3).some((fr) => CONFIG_CODE.test(fr.function ?? '') || CONFIG_CODE.test(fr.file));
}

function configFieldOf(f: Finding): string | undefined {
  const m = ENV_FIELD.exec(f.subject);
  return m?.slice(1).find((g) => g) ?? SETTINGS_MODEL.exec(f.subject)?.[1];
}

// A validator's issue list (zod's JSON) in which two or more records fail on exactly the same fields
// the same way: the payload's structure changed (fields renamed, dropped or retyped for everyone),
// not a few records with bad values, which fail on different fields.
function sameFailureEveryRecord(subject: string): boolean {
  const start = subject.indexOf('[');
  if (start < 0 || subject.length > 100_000) return false;
  let issues: unknown;
  try {
    issues = JSON.parse(subject.slice(start));
  } catch {
    return false;
  }
  if (!Array.isArray(issues)) return false;
  const byRecord = new Map<string, Set<string>>();
  for (const issue of issues as { path?: unknown; code?: unknown; expected?: unknown; received?: unknown }[]) {
    if (!Array.isArray(issue.path)) return false;
    const path = issue.path as unknown[];
    const at = path.findIndex((p) => typeof p === 'number');
    if (at < 0) return false;
    const record = path.slice(0, at + 1).join('.');
    const field = `${path.slice(at + 1).join('.')}|${String(issue.code)}|${String(issue.expected)}|${String(issue.received)}`;
    byRecord.set(record, (byRecord.get(record) ?? new Set<string>()).add(field));
  }
  const shapes = [...byRecord.values()].map((fields) => [...fields].sort().join(','));
  return shapes.length >= 2 && shapes.every((shape) => shape === shapes[0]);
}

/** The line that raised reads `field` as a literal subscript (`x["field"]`, `row['field']`). */
function literalFieldRead(f: Finding, field: string): boolean {
  if (field === '') return false;
  const raised = f.error?.stack.filter((frame) => frame.code).at(-1)?.code ?? f.location?.code ?? '';
  return raised.includes(`["${field}"]`) || raised.includes(`['${field}']`);
}

// A refusal on this host at a service's fixed port (below the kernel's ephemeral range, 32768+):
// `connect ECONNREFUSED 127.0.0.1:5432`, `localhost:9092 … Connection refused`. A refusal at an
// ephemeral port is a listener that comes and goes (a sidecar or test server restarting).
const FIXED_PORT = String.raw`(?:[1-9]\d{0,3}|[12]\d{4}|3[01]\d{3}|32[0-6]\d{2}|327[0-5]\d|3276[0-7])`;
const LOCAL_HOST_PORT = String.raw`(?:127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0)[:/ ,]+(?:port )?${FIXED_PORT}\b`;
const LOCAL_FIXED_PORT = new RegExp(`${LOCAL_HOST_PORT}|(?:127\\.0\\.0\\.1|localhost)[^\\n]{0,80}?\\bport ${FIXED_PORT}\\b`);
const REFUSED = /ECONNREFUSED|[Cc]onnection refused/;
const REFUSED_OR_UNREACHABLE = /ECONNREFUSED|[Cc]onnection refused|No route to host|Network is unreachable|EHOSTUNREACH|ENETUNREACH/;
/** Refused, at a fixed port of this host as the error or a connection line names it (libpq puts host and port on the line below). */
const localRefusal = (f: Finding): boolean =>
  REFUSED.test(f.subject) && (LOCAL_FIXED_PORT.test(f.subject) || f.text.split('\n').some((line) => line.length < 4000 && /refused|server running|connect/i.test(line) && LOCAL_FIXED_PORT.test(line)));
const STATEMENT_TIMEOUT = /canceling statement due to statement timeout|statement timeout|STATEMENT_TIMEOUT|exceeded (?:the )?statement_timeout|Statement reached its statement or warehouse timeout/i;

const TABLE_LOOKUP = /\bpandas\b|\bget_loc\b|DataFrame|\.(?:i?loc|at)\[|\b(?:df|row|record|frame|data)\w*\[['"]|\bcolumns?\b/;

const REGISTRY_RATE_LIMIT = /\btoomanyrequests\b|\bpull rate limit\b/i;
const REGISTRY_AUTH = /no basic auth credentials|pull access denied|unauthorized: |authentication required|denied: requested access|insufficient_scope/i;
// The registry saying the credentials themselves failed, beside Docker Hub's `pull access denied for
// x, repository does not exist or may require 'docker login'`, which it prints for a repository that
// does not exist as for a private one: without a credential failure, the reference names an image
// the registry does not have (a wrong name or tag, an image taken down), like a manifest not found.
const REGISTRY_CREDENTIALS = /no basic auth credentials|unauthorized: |authentication required|insufficient_scope|invalid username\/password/i;
const IMAGE_NOT_THERE = /repository does not exist|manifest unknown|manifest for [^\s]+ not found|not found: manifest|failed to resolve reference [^\n]{0,200}: not found/i;

function registryCategory(text: string): Category {
  if (REGISTRY_RATE_LIMIT.test(text)) return 'rate_limit';
  if (REGISTRY_CREDENTIALS.test(text)) return 'auth_or_permission';
  return IMAGE_NOT_THERE.test(text) || !REGISTRY_AUTH.test(text) ? 'configuration' : 'auth_or_permission';
}

// What to do, by the category a SQLSTATE gives, in the sqlstate signature's fix.
const SQLSTATE_ADVICE: Partial<Record<Category, string>> = {
  data_quality: 'find the rows whose value the column cannot take (too long, out of range, not parseable) and clean or reject them before the load',
  schema_drift: 'compare the column the statement names with the table as it is now, and update the query or migrate the table',
  missing_input: 'check that the table exists in the database and schema the job connects to, and that the step creating it ran',
  auth_or_permission: 'grant the job\'s role the privilege, or fix its credentials',
  network_or_service_unavailable: 'check the database server is up and reachable from the job',
  resource_exhaustion: 'free the resource the database ran out of (disk, memory, connection slots) or lower the job\'s use of it',
  timeout: 'find why the statement ran so long (plan, locks, volume) or raise its time limit',
  code_bug: 'fix the statement in the code that issues it',
  database_error: 'fix what the database names (the object, the transaction, the constraint)',
};

// Why a Kubernetes pod never started, as its events and container status name it.
const POD_START_REASON = /ImagePullBackOff|ErrImagePull|ErrImageNeverPull|InvalidImageName|CreateContainerConfigError|Failed to pull image/;

// Wordings by failure class, one table per class, across clouds, SDKs, databases and brokers. Each
// entry is a regular-expression source (case-insensitive); a class's signature matches any of them.
// Extend a class here rather than adding a one-off signature: the next unseen log is more likely a
// new wording of a known class than a new class.
const anyOf = (words: readonly string[]): RegExp => new RegExp(words.join('|'), 'i');

/** A connection that was never established in time: the dial, the TLS handshake, a broker's transport. */
const CONNECT_TIMEOUT =
  /\bdial tcp [^\n]{0,120}(?:i\/o timeout|timed? ?out)|TLS handshake timeout|\bConnect(?:ion)?Timeout(?:Error|Exception)?\b(?!\s*=)|\bconnect(?:ion)? timed? ?out\b|\btimed out (?:while )?(?:connecting|trying to connect|establishing)|\btimeout (?:while )?(?:connecting|establishing a connection)|\bconnect timeout\b|\bBroker transport failure\b|\bTimeout waiting for connection from pool\b|\btimed out\b[^\n]{0,60}\bwaiting (?:to connect|for (?:a |the )?(?:connection|server))\b|\bServerSelectionTimeout(?:Error|Exception)?\b/i;

/** Kafka (and similar) clients saying a broker could not be reached, before they time out. */
const BROKER_UNREACHABLE = /Broker may not be available|\bbroker\b[^\n]{0,60}\b(?:not available|unavailable|unreachable|disconnected)\b|run out of available brokers|NoBrokersAvailable|All broker connections are down/i;

/** Throttling / quota: the provider refused the call for its rate, retry later (AWS, GCP, Azure, Kafka, HTTP). */
export const THROTTLING_WORDS: readonly string[] = [
  String.raw`\b(?:HTTP|status|code|error|response)\W{0,3}429\b`, String.raw`\b429 (?:Too|Client|GET|POST|PUT|PATCH|DELETE)\b`, 'Too ?Many ?Requests',
  String.raw`\brate[ -]?limit(?:s|ed|ing)?\b`, String.raw`\bRateLimit(?:Error|Exception|Exceeded|ed)?\b`, String.raw`Throttl(?:ed|ing|e)\b`, 'Throttl\\w*Exception', 'SlowDown', String.raw`\b503\W{1,3}Slow Down\b`,
  String.raw`(?<!disk )quota(?: \w+)? (?:exceeded|exhausted)`, String.raw`exceeded (?:your |the )?(?:[\w-]+ )?quota`, 'quotaExceeded',
  'RESOURCE_EXHAUSTED', 'Resource has been exhausted', 'Request ?Limit ?Exceeded', String.raw`\bRate exceeded\b`,
  'ProvisionedThroughputExceeded', 'RequestThrottled', 'TransactionThrottled', 'BandwidthLimitExceeded', 'LimitExceededException',
  'Request rate is large', 'THROTTLING_QUOTA_EXCEEDED', String.raw`exceeded the (?:limit|maximum) (?:for|on) the number of`,
  String.raw`concurrent (?:query|request|queries|requests) limit`,
  String.raw`too many (?:requests|api calls|calls|table update operations|concurrent (?:requests|queries))`, 'reduce your request rate',
  // A quota stated as calls per unit of time (`Number of allowed API requests per minute exceeded`,
  // `exceeded the limit of 100 queries per second`): the rate, whatever the service calls its calls.
  String.raw`\b(?:requests?|calls?|queries|operations) per (?:second|minute|hour|day)\b[^\n]{0,60}\b(?:exceeded|reached)\b`,
  String.raw`\b(?:exceeded|reached)\b[^\n]{0,60}\b(?:requests?|calls?|queries|operations) per (?:second|minute|hour|day)\b`,
];

/** Authorization: the identity is known but not allowed (IAM, GCP, Kafka ACLs, database grants, HTTP 403). */
export const AUTHZ_WORDS: readonly string[] = [
  String.raw`\(403\)`, String.raw`\b403 Forbidden`, String.raw`\bForbidden\b`, 'AccessDenied', 'Access Denied', 'Access is denied',
  String.raw`not authori[sz]ed`, String.raw`authori[sz]ation (?:failed|error|denied)`, 'AUTHORIZATION_FAILED',
  String.raw`Authori[sz]ation(?:Failed|Exception|Error)\b`, 'PERMISSION_DENIED', 'PermissionDenied', 'permission denied',
  'PermissionError', String.raw`insufficient (?:privileges?|permissions?|scopes?)`,
  String.raw`does not have (?:the )?(?:required |necessary )?(?:permission|access|privilege)s?\b`,
  String.raw`(?:lacks?|missing) (?:the )?(?:required |necessary )?(?:permission|privilege)s? (?:to|for|on)\b`,
  'AccessControlException', 'must be owner of', String.raw`Topic(?:Authorization|Group)\w*Exception`,
];

/** A named input (object, file, bucket, prefix, dataset) that is not there. */
export const MISSING_INPUT_WORDS: readonly string[] = [
  'FileNotFoundError', 'No such file or directory', 'FileNotFoundException', 'NoSuchFileException', 'Path does not exist',
  // Windows' ERROR_FILE_NOT_FOUND / ERROR_PATH_NOT_FOUND (a pasted log may wrap them), Rust's io::ErrorKind.
  String.raw`cannot\s+find\s+the\s+(?:file|path)\s+specified`, String.raw`\bkind: NotFound\b`, String.raw`\bOs\(2\)`,
  'PATH_NOT_FOUND', 'NoSuchKey', 'The specified key does not exist', 'Input path does not exist',
  String.raw`\(404\) when calling the \w+ operation`, 'No such object:', 'BlobNotFound', String.raw`google\.api_core\.exceptions\.NotFound`,
  String.raw`no files? (?:found|matched)`, 'matches 0 files', 'FileDoesNotExist', 'No URLs matched', 'matched no (?:objects|files)',
  'NoSuchBucket', String.raw`(?:specified )?bucket (?:does not exist|not found)`, String.raw`Not found: (?:URI|Files?|Bucket|Object)\b`,
  String.raw`\b(?:object|file|blob|prefix|path) ['"\x60]?[\w./:*=-]+['"\x60]? (?:does not exist|was not found|not found)\b`,
  String.raw`\b404\b[^\n]{0,40}\b(?:object|file|blob|bucket|path)\b`, 'File does not exist:', 'ContainerNotFound',
  String.raw`The specified (?:blob|container|bucket|key|path) does not exist`,
  // Go cloud SDKs: GCS `storage: object doesn't exist` (ErrObjectNotExist), `bucket doesn't exist`.
  String.raw`\b(?:storage: )?(?:object|bucket|blob) (?:doesn't|does not) exist\b`, 'ErrObjectNotExist', 'ErrBucketNotExist',
  String.raw`\bNoSuchKey\b`, String.raw`\b(?:BlobNotFound|ResourceNotFound)\b[^\n]{0,40}\bblob\b`,
  // Workflow engines (Snakemake, Nextflow) checking a rule's inputs before running it.
  'Missing input files for rule', 'MissingInputException',
  // Kubernetes: a ConfigMap or Secret a pod mounts or reads that does not exist.
  String.raw`\b(?:configmaps?|secrets?) "[^"\n]+" not found\b`,
  // Message brokers: the topic a consumer subscribes to or a producer writes to is not there.
  'UNKNOWN_TOPIC_OR_PART', String.raw`UnknownTopicOrPartition(?:Exception)?`, 'Unknown topic or partition', String.raw`\btopic [\w.'"\x60-]+ (?:not available|does not exist|not found)\b`,
];

/** Concurrency conflicts the database resolves by aborting one writer: retry the transaction. */
export const WRITE_CONFLICT_WORDS: readonly string[] = [
  'deadlock detected', 'Deadlock found', 'DeadlockDetected', 'could not serialize access', 'SerializationFailure',
  'serialization failure', 'could not obtain lock', 'LockNotAvailable', 'Lock wait timeout exceeded',
  String.raw`Concurrent(?:Append|DeleteRead|DeleteDelete|Transaction|Write)Exception`, String.raw`DELTA_CONCURRENT_\w+`,
  'MetadataChangedException', String.raw`iceberg[\w.]*CommitFailedException`, 'WriteConflict', 'write conflict', 'TransactionConflict',
  String.raw`conflicting (?:transactions?|commits?|updates?)`, String.raw`by a concurrent (?:update|transaction|write|commit)`,
  String.raw`\bSQLSTATE[ =:\[]*40(?:001|P01)\b`, String.raw`\(40(?:001|P01)\)`, 'ORA-00060', 'number of waiters for this lock exceeds',
  'deadlocked on lock', 'conflict with recovery',
  // Single-writer embedded databases: another process or run holds the file (SQLite SQLITE_BUSY, DuckDB's file lock).
  // SQLite says `database table is locked` / `database schema is locked` (SQLITE_LOCKED) when another
  // connection of the same process holds the table: the same conflict.
  String.raw`database (?:table |schema )?is locked`, String.raw`\bSQLITE_(?:BUSY|LOCKED)\b`, 'Could not set lock on file', String.raw`Serializable isolation violation`,
  String.raw`\bserializ(?:able|ation) (?:isolation )?(?:violation|conflict)`, String.raw`Transaction (?:was |is )?aborted`, 'TransactionRetry', 'restart transaction',
  // Optimistic concurrency: a write whose condition or snapshot another writer changed first (DynamoDB, BigQuery DML).
  String.raw`due to concurrent update`, 'ConditionalCheckFailed', 'TransactionCanceledException', String.raw`Transaction cancell?ed, please refer cancell?ation reasons`,
];

/** A value of the data that cannot be converted to its type or format (SQLSTATE class 22 is "data exception"). */
export const BAD_VALUE_WORDS: readonly string[] = [
  String.raw`(?:Numeric|Date|Timestamp|Time|Boolean|Integer|Decimal) value '[^']*' is not recognized`, 'is not recognized as a valid',
  // SQLSTATE class 22 is the data's, but its bare class code 22000 is what Snowflake gives errors it does
  // not classify (no current database, a column count that differs): a subclass names a bad value.
  String.raw`\b\d{6} \(22(?!000)[0-9A-Z]{3}\)`, String.raw`\bSQLSTATE[ =:\[]*22(?!000)[0-9A-Z]{3}\b`,
  'JsonParseException', 'JsonMappingException', 'MismatchedInputException', 'BadRecordException',
  String.raw`Malformed (?:records?|rows?|lines?|CSV|JSON)\b`, 'MALFORMED_RECORD', String.raw`Parse Mode: FAILFAST`,
  String.raw`(?:could not|cannot|can't|unable to|failed to) parse (?:the )?(?:value|date|timestamp|number|record|row|field|line|'[^']*'|"[^"]*"|\x60[^\x60\n]*\x60)`,
  // Redshift's load error for a value that is not a number; PostgreSQL's 22003 for a value too large for its column type.
  String.raw`\bInvalid digit, Value '[^'\n]*', Pos \d+, Type: \w+`, String.raw`\b(?:smallint|integer|bigint) out of range\b`,
  // MySQL's words for 22001 / 1366 / 1292: a value the column cannot take.
  String.raw`\bData too long for column\b`, String.raw`\bIncorrect (?:integer|decimal|double|datetime|date|time) value: '`,
  String.raw`Invalid (?:date|timestamp|numeric|number|decimal|integer|boolean) (?:value|format|literal)`,
  'Error while reading data, error message', 'encountered too many errors', String.raw`Could not convert value`,
  // Rows the loader could not split into the table's columns (PostgreSQL COPY, Go's encoding/csv),
  // and a JSON value a warehouse function could not parse (Redshift's `invalid json object`).
  'extra data after last expected column', 'missing data for column "', 'wrong number of fields', 'unterminated CSV quoted field',
  String.raw`invalid json (?:object|array|value|text|string|document|input)\b`,
  'invalid input value for', String.raw`Bad (?:int64|double|numeric|bool|date|timestamp|datetime) value`,
  String.raw`Invalid (?:timestamp|date|datetime|time) string`, String.raw`unable to parse string`, String.raw`String '[^']*' is too long`,
  'NULL result in a non-nullable column',
  String.raw`(?:date|time|timestamp|datetime)(?:/time)? (?:field )?value out of range`, String.raw`different "?datestyle"? setting`,
  String.raw`\b(?:year \d+|day|month|hour|minute|second) (?:is )?out of range\b`, String.raw`month must be in 1\.\.12`,
  // An input file that is not what its name says (an HTML error page saved as .gz, a truncated
  // download), or a document that is empty or cut: the data, not the code.
  'Not a gzipped file', 'BadGzipFile', 'BadZipFile', 'File is not a zip file', String.raw`not a valid (?:parquet|gzip|zip|avro|orc) file`,
  'Parquet magic bytes not found', String.raw`Invalid (?:magic|header) (?:bytes|number)`, String.raw`EOF while parsing (?:a|an) \w+`,
  String.raw`Compressed file ended before the end-of-stream marker`, 'incorrect header check', String.raw`\bunexpected end of (?:stream|data|input)\b`,
];

/** A value that does not parse as its type or format: a date, a number, JSON, a CSV row, an encoding. */
const UNPARSEABLE_VALUE = anyOf([String.raw`invalid input syntax for(?: type)? \w+|could not convert string to (?:float|int)|invalid literal for int\(\)|NumberFormatException|For input string|DateTimeParseException|does not match format|Unparseable date|value too long for type|out of range for type|numeric field overflow|Out of range value|invalid byte sequence for encoding|UnicodeDecodeError|MalformedInputException|Error tokenizing data|Expected \d+ fields in line|JSONDecodeError|Unexpected token [^\n]{0,200} in JSON|Unexpected end of JSON input|is not valid JSON|strconv\.\w+: parsing|cannot unmarshal|converting NULL to \w+ is unsupported|Could not convert [^\n]{0,100}with type|tried to convert to|ArrowInvalid|invalid character '.' looking for|CAST_INVALID_INPUT|cannot be cast to [^\n]{0,40}because it is malformed|conversion from [^\n]{0,60} failed|failed to (?:parse|cast) (?:value|string|column)`, ...BAD_VALUE_WORDS]);

/** The data's schema changed under the step: a type, a column set, a table contract. */
export const SCHEMA_CHANGE_WORDS: readonly string[] = [
  'schema mismatch', 'SchemaMismatch', 'incompatible schema', 'Parquet column cannot be converted', 'Failed to merge fields',
  // pyarrow concatenating files whose schemas differ; an Avro reader schema that needs a field the writer's records lack.
  String.raw`Schema at index \d+ was different`, String.raw`\bexpecting [\w.$]+, missing required field\b`,
  String.raw`has type \w+ but expression is of type`, String.raw`column "[^"]+" is of type \w+ but`, 'Unexpected column', 'unexpected field',
  'CANNOT_UP_CAST', 'Cannot up cast', String.raw`expected (?:series|column) ['"][^'"]+['"] to have type`, String.raw`(?:data )?type mismatch for column`,
  String.raw`Provided Schema does not match`, String.raw`changed type from \w+ to \w+`, String.raw`has changed (?:type|mode)\b`,
  String.raw`schemas? [^\n]{0,60}\bout of sync`, 'on_schema_change', String.raw`(?:Source|Target) columns not in (?:target|source)`,
  String.raw`schema (?:has )?changed\b`, 'DELTA_SCHEMA_CHANGED', 'DELTA_FAILED_TO_MERGE_FIELDS', String.raw`does not match (?:the )?(?:table|target|destination) schema`,
  String.raw`incompatible with (?:an )?earlier schema`, 'Failed to merge incompatible data types',
  // Jackson: the payload carries a field the class does not declare (the producer's schema moved on).
  'UnrecognizedPropertyException', String.raw`Unrecognized field "[^"]+" \(class`,
  // A reader converting a file's column type to the table's (StarRocks, Doris, Trino over Parquet / ORC).
  String.raw`convert from (?:parquet|orc|avro|arrow) [\x60'"]?\w+[\x60'"]? to [\x60'"]?\w+`, String.raw`does not match (?:that of )?the corresponding table`, 'does not match column list',
];

/**
 * A decoder reading records into a declared type says the record's structure no longer fits it: a
 * field of another type (Go's encoding/json), a field the type requires that the record lacks or
 * one it does not know (serde), a field the table's schema does not have (BigQuery's JSON load).
 * One record with a bad value says "cannot parse"; these name a field, so the shape moved.
 */
const RECORD_SHAPE_WORDS: readonly string[] = [
  String.raw`cannot unmarshal \w+ into Go (?:struct field|value of type)`, String.raw`\bmissing field \x60[^\x60\n]{1,80}\x60`,
  String.raw`\bunknown field \x60[^\x60\n]{1,80}\x60, expected`, String.raw`\bNo such field: [\w.]+`,
  // BigQuery's streaming insert names the row's field in `location` and says only `no such field.`
  String.raw`\bno such field\.?['"]?\s*(?:[,}]|$)`,
  String.raw`\b(?:key[_ ]properties|primary key|schema|columns?)\x60?\W{0,2}changes? detected\b`,
  // A sink whose table lacks fields the records now carry (Kafka Connect's JDBC sink with auto-evolve off:
  // `Table "orders" is missing fields ([SinkRecordField{...}])`).
  String.raw`\b(?:Table|relation) ["'\x60]?[\w.$-]+["'\x60]? is missing (?:fields|columns)\b`,
];

/** The record being decoded is the tool's own settings (a config file or struct), not data: a setting's shape. */
const DECODING_SETTINGS = /\b(?:toml|ya?ml|ini)\b|\bconfig(?:uration)?\b|\bsettings\b|Go struct field \w*(?:Config|Settings|Options)\./i;

/** The session or process lacks a setting it needs: no warehouse / database selected, a required key unset. */
export const MISSING_SETTING_WORDS: readonly string[] = [
  String.raw`No active (?:warehouse|database|schema|catalog)\b`, String.raw`does not have a current (?:database|schema|warehouse|catalog)`,
  // Snowflake's codes for the same when the message is cut off: 090105 no current database, 090106 no current schema.
  String.raw`\b09010[56] \(22000\)`,
  String.raw`No (?:default|current) (?:warehouse|database|schema|catalog|project|region)\b[^\n]{0,40}(?:selected|set|specified|configured)`,
  String.raw`required key \S+ missing value`,
  String.raw`required (?:config(?:uration)? )?(?:key|setting|option|env(?:ironment)? var(?:iable)?|variable)s? ['"\x60]?[\w.-]+['"\x60]? (?:is )?(?:missing|not set|not provided|unset|empty)\b`,
  'ConfigFileNotFoundError', String.raw`Config File "[^"]+" Not Found`, String.raw`MissingRegion`,
  String.raw`\b(?:an? |the )?(?:AWS )?region (?:must|needs to) be (?:set|specified|configured|provided)`, String.raw`You must specify a region`,
  'NoRegionError', String.raw`\bregion (?:is )?(?:not set|missing|not configured|not specified)\b`,
  String.raw`(?:could not|unable to|failed to) (?:find|resolve|determine|load) (?:the |a |an )?(?:AWS |default )?region\b`,
  // A key the container's env takes from a Secret or ConfigMap that lacks it (CreateContainerConfigError).
  // A whole ConfigMap a volume mounts that is not there stays a missing input (round 4).
  String.raw`\bcouldn't find key [\w.-]+ in (?:Secret|ConfigMap)\b`,
  // Great Expectations' project settings as its exceptions name them (not DataContextError or
  // DatasourceInitializationError: GE wraps an import or a connection failure in those).
  String.raw`\b(?:InvalidDataContextConfigError|CheckpointNotFoundError)\b`,
];

// A runtime's own words for using a null / None / undefined value. Node before v16 names the property
// first (`Cannot read property 'len' of undefined`); Rust's `Option::unwrap()` on `None` and Java 14+'s
// helpful NPE (`Cannot invoke "…" because "x" is null`) are the same mistake in other words.
const NULL_DEREFERENCE =
  /'NoneType' object|NullPointerException|Cannot (?:read|set) propert(?:y|ies) (?:['"][^'"\n]{0,80}['"] )?of (?:undefined|null)|Cannot destructure property|undefined is not (?:an object|a function)|null is not an object|nil pointer dereference|invalid memory address|called `Option::unwrap\(\)` on a `None` value|Cannot invoke "[^"\n]{1,200}" because [^\n]{1,200} is null/;

// A resolver that says the name does not exist (NXDOMAIN: glibc, Go, Java, Node), with the name.
// `Temporary failure in name resolution` / `Try again` / EAI_AGAIN are the resolver failing, not the name.
const UNKNOWN_HOST =
  /could not translate host name "([^"\n]+)" to address: Name or service not known|\blookup ([^\s:]+)(?: on [\d.:[\]a-f]+)?: no such host|UnknownHostException: ([^\s:]+): Name or service not known|getaddrinfo ENOTFOUND ([^\s:]+)|Failed to resolve '([^'\n]+)' \(\[Errno -?2\] Name or service not known\)|Could not connect to the endpoint URL: "https?:\/\/([^/"\s:]+)/;

/**
 * A name no DNS server can know: one label (not `localhost`, not an address), a URL scheme, a label
 * starting or ending with `-`, or the printed form of an unset value (`s3.None.amazonaws.com`,
 * `undefined`, `${DB_HOST}`): an address assembled from a setting that was never given.
 */
function unresolvableName(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.replace(/\.$/, '').toLowerCase();
  if (/^(?:https?|tcp|jdbc)$/.test(name)) return true;
  if (name.split('.').some((label) => label === '' || label.startsWith('-') || label.endsWith('-') || /^(?:none|null|undefined|nil|nan)$|[${}<>%]/.test(label))) return true;
  return !name.includes('.') && !/^(?:localhost|[\d:]+)$/.test(name);
}

// A build that needs a native tool or library the machine does not have: the C linker, OpenSSL's
// headers, a pkg-config package, MSVC's build tools. The environment lacks a dependency.
const NATIVE_TOOLCHAIN_MISSING =
  /\blinker [`'"][\w.+-]+[`'"] not found|Could not find directory of OpenSSL installation|Package [\w.+-]+ was not found in the pkg-config search path|could not find system library '[^'\n]+'|Unable to find vcvarsall\.bat|Microsoft Visual C\+\+ [\d.]+ or greater is required|\b(?:gcc|cc|clang|g\+\+|cmake|pkg-config|protoc): (?:command )?not found\b|\.so(?:\.\d+)*: cannot open shared object file|error while loading shared libraries|\bLibrary not loaded: |\bDLL load failed\b|\bUnsatisfiedLinkError\b/;

export const SIGNATURES: readonly Signature[] = [
  {
    // A cloud account's capacity quota (CPUs, GPUs, addresses, instances) is a resource the project has
    // run out of, not a request rate: waiting does not free it. Checked before the rate limit, whose
    // `quota exceeded` words it shares; an API's requests-per-minute quota stays a rate limit.
    id: 'capacity-quota',
    category: 'resource_exhaustion',
    retryable: false,
    confidence: 0.8,
    // A warehouse's credit quota (Snowflake's resource monitor suspends or refuses to resume it) is
    // the same: spend used up until the period resets or the quota is raised.
    pattern: /\bresource monitor '?[\w$.-]+'? (?:has )?exceeded its quota\b|\bQuota '[A-Z][A-Z0-9_]*' exceeded\b|\b(?:VcpuLimitExceeded|InstanceLimitExceeded|MaxSpotInstanceCountExceeded|AddressLimitExceeded)\b|\brequested more vCPU capacity than your current vCPU limit\b|\bexceeding approved [\w ]{1,60}\b(?:Cores|vCPUs?) quota\b/,
    explain: (f) => ({
      summary: `A cloud capacity quota is used up${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The project or account asked for more of a resource (CPUs, GPUs, IP addresses, instances) than its quota allows in that region; the request is refused until capacity is freed or the quota raised.',
      fix: [
        'Free capacity (delete idle instances, addresses or disks in that region) or ask the provider for a higher quota; a free-trial account has low fixed limits.',
        'Size the job to the quota (fewer or smaller machines), or run it in a region with room.',
      ],
    }),
  },
  {
    id: 'rate-limit',
    category: 'rate_limit',
    retryable: true,
    confidence: 0.85,
    pattern: anyOf(THROTTLING_WORDS),
    explain: (f) => ({
      summary: `Rate limited by an API${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The upstream service refused the call because the job exceeded its request rate or quota (HTTP 429 or equivalent). It is not a bug in the data or the code.',
      fix: [
        `Retry ${codeRef(f)} with exponential back-off and jitter, honouring the Retry-After header.`,
        'Lower the request rate: batch calls, cap concurrency of this step, or spread the schedule.',
        'If the limit is a quota, ask the provider for a higher one.',
      ],
    }),
  },
  {
    id: 'env-var-missing',
    category: 'configuration',
    retryable: false,
    confidence: 0.85,
    pattern: /^KeyError: '([A-Za-z_][A-Za-z0-9_]*)'$|Env var required but not provided|environment variable[s]? [^\n]{0,100}(?:not set|not found|missing|required|undefined)|(?:missing|required|undefined|unset) (?:required )?environment variables?\b/i,
    // A variable's name is upper case, so this part is case-sensitive: under /i any word before
    // "not set" (`Could not set lock on file`) read as a variable. A name with an underscore may be
    // followed by a few words (`"DAGSTER_HOME" which is not set`); a plain upper-case word must be next to it.
    codes: /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b[^\n]{0,40}?\bnot set\b|\b[A-Z][A-Z0-9]{2,}\b['"`]? (?:is )?not set\b/,
    when: (f) => !f.subject.startsWith('KeyError') || usesEnviron(f),
    explain: (f) => {
      const name = envVarOf(f);
      return {
        summary: `Environment variable ${q(name, '(unnamed)')} is not set${atWhere(f)}.`,
        rootCause: `The job reads ${q(name, 'an environment variable')} ${f.location ? `in ${codeRef(f)} ` : ''}but the variable is not defined in the environment the step runs in.`,
        fix: [
          `Define ${q(name, 'the variable')} in the step's environment (deployment manifest, Airflow/Dagster run config, .env, CI secrets).`,
          `Make ${where(f)} fail early with a clear message, e.g. read it with a default or validate all required settings at start-up.`,
        ],
      };
    },
  },
  {
    id: 'airflow-connection-or-variable',
    category: 'configuration',
    retryable: false,
    confidence: 0.85,
    pattern: /The conn_id `([^`]+)` isn't defined|Variable (\S+) does not exist|Could not find profile named '([^']+)'|dbt_project\.yml[^\n]{0,100}not found|Profile [^\n]{0,100} not found/,
    explain: (f) => {
      const name = f.match.slice(1).find((g) => g);
      return {
        summary: `Missing configuration ${q(name, '')}${atWhere(f)}.`,
        rootCause: `The job asks its orchestrator or tool for ${q(name, 'a setting')} (a connection, variable or profile) that is not defined in this environment.`,
        fix: [
          `Create ${q(name, 'the missing entry')} (Airflow: Admin → Connections / Variables or an AIRFLOW_CONN_* / AIRFLOW_VAR_* env var; dbt: profiles.yml).`,
          'Check the name for a typo and that the deployment ships the same configuration as the environment where it worked.',
        ],
      };
    },
  },
  {
    id: 'setting-missing',
    category: 'configuration',
    retryable: false,
    confidence: 0.8,
    pattern: anyOf(MISSING_SETTING_WORDS),
    explain: (f) => ({
      summary: `Missing setting${atWhere(f)}: ${firstLine(f.subject, 160)}`,
      rootCause: 'The step (or its database session) runs without a setting it needs: no warehouse / database selected, or a required configuration key is not set in the environment it runs in. The code and the data are not at fault.',
      fix: [
        'Set the named value where the step gets its configuration (profile / connection default warehouse or database, env var, config file, orchestrator secrets), or grant the role a default.',
        'Validate required settings at start-up so the step fails before doing any work, and compare with an environment where it works.',
      ],
    }),
  },
  {
    id: 'config-validation',
    category: 'configuration',
    retryable: false,
    confidence: 0.8,
    pattern: /ZodError|ValidationError|validation errors? for \w|invalid_type|ValidationException|EnvError|EnvVarError|ConfigValidation/,
    when: validatesConfig,
    explain: (f) => {
      const name = configFieldOf(f);
      return {
        summary: `Invalid or missing setting ${q(name, '')}${atWhere(f)}: the configuration failed validation.`.replace(' :', ':'),
        rootCause: `The step validates its settings at start-up (${f.error?.type ?? 'a schema validator'}) and ${q(name, 'a required setting')} is missing or has the wrong type in the environment it runs in. The data was never read.`,
        fix: [
          `Define ${q(name, 'the setting')} with a valid value in the step's environment (deployment manifest, .env, CI / orchestrator secrets).`,
          'Compare the environment with one where the job works; keep the schema and the deployment\'s variables in the same change.',
        ],
      };
    },
  },
  {
    id: 'config-invalid-value',
    category: 'configuration',
    retryable: false,
    confidence: 0.75,
    // A setting whose value the runtime refused: a resource request above what the cluster allows,
    // an out-of-range or unknown option. Changing the setting fixes it; the code and data are fine.
    pattern: /above the max(?:imum)? (?:threshold|allowed|limit|allocation)|exceeds? the max(?:imum)? (?:allowed|allocation|threshold)|Please check the values? of ['"`]|Invalid value [^\n]{0,80}\bfor (?:config(?:uration)?|setting|option|parameter|property|flag|key)\b|\b(?:config(?:uration)?|setting|option|parameter|property) ['"`]?[\w.-]+['"`]? (?:must|should) be (?:an? )?(?:less|greater|smaller|larger|lower|higher|at (?:least|most)|between|positive|non-negative|one of)\b|\b[a-z][\w-]*(?:\.[\w-]+){2,12}['"`]? (?:must|should) be (?:an? )?(?:less|greater|smaller|larger|lower|higher|at (?:least|most)|between|positive|non-negative|one of)\b|\b(?:Unknown|Unrecognized|Unsupported) (?:config(?:uration)?|setting|option|property)(?: key| name)?\b|\busing the --[\w-]+ option\b|\bis not (?:a )?valid (?:for this adapter|(?:option|setting|value|choice) for)\b|\bValid (?:strategies|options|values|choices)(?: are)?:|\binvalid choice: |\b(?:must|should) be (?:set|specified|configured|provided) in (?:your |the )?(?:config(?:uration)?|settings|environment)\b|\bin (?:the )?(?:Spark|Hadoop|YARN|Flink|Kafka|Airflow|dbt) config(?:uration)?\b|\bthe value of the [\w.]+ configuration\b|\bUnknownParameter|\bunknown (?:parameter|option|argument|flag)s? ['"\w-]|\bunrecognized arguments?:|\bParameter validation failed\b|\bCredentials in profile [^\n]{0,80}\binvalid\b|\bMust specify (?:a |the )?(?:schema|database|warehouse|project|dataset)\b|\bVerify the account name is correct\b/i,
    explain: (f) => ({
      summary: `Invalid setting${atWhere(f)}: ${firstLine(f.subject, 160)}`,
      rootCause: 'A configuration value the step passes (a resource size, an option, a limit) is outside what the runtime or cluster accepts, so it refused to start the work. The code and the data are not at fault.',
      fix: [
        'Set the named value within the allowed range (or raise the cluster-side maximum if the larger value is intended), in the job\'s configuration rather than the code.',
        'Check the configuration against the target environment\'s limits before deploying (a different cluster size is the usual cause).',
      ],
    }),
  },
  {
    id: 'pod-start-failure',
    // A registry that refused the pull for want of credentials is an auth problem, not a wrong image;
    // one that refused it for the pull rate (Docker Hub's `toomanyrequests`) is a rate limit that clears.
    category: (f) => registryCategory(f.text),
    retryable: (f) => REGISTRY_RATE_LIMIT.test(f.text),
    confidence: 0.8,
    // A pod that never started because its image or its container config is wrong. The launcher
    // usually reports only that the pod took too long to start; the pod events / status beside it
    // give the reason. A pod waiting for room on the cluster (Unschedulable) is not this class.
    pattern: /ImagePullBackOff|ErrImagePull|ErrImageNeverPull|InvalidImageName|CreateContainerConfigError|Failed to pull image|PodLaunchFailedException|Pod took longer than \d+ \w+ to start/,
    when: (f) => POD_START_REASON.test(f.subject) || POD_START_REASON.test(f.text),
    explain: (f) => {
      const reason = POD_START_REASON.exec(f.subject)?.[0] ?? POD_START_REASON.exec(f.text)?.[0];
      const image = /(?:pull(?:ing)? image|image[:=]?) ["'`]?([\w./:@-]+:[\w.-]+)/i.exec(f.text)?.[1];
      return {
        summary: `Pod never started${atWhere(f)}: ${reason ?? 'container start failure'}${image ? ` for image \`${image}\`` : ''}.`,
        rootCause: /Config/.test(reason ?? '')
          ? 'The container could not be created from its configuration: a Secret or ConfigMap it references (env, volume) is missing, or a key in it is. The code never ran.'
          : `The node could not pull ${image ? `\`${image}\`` : 'the image'}: the tag does not exist (not pushed, wrong tag), the registry path is wrong, or the pull secret is missing. The code never ran.`,
        fix: [
          /Config/.test(reason ?? '')
            ? 'Create the missing Secret / ConfigMap (or key) in the pod\'s namespace, or fix the reference in the pod spec.'
            : `Check that ${image ? `\`${image}\`` : 'the image tag'} exists in the registry (push it or fix the tag in the operator / deployment), and that the namespace has the imagePullSecret.`,
          'Re-run once the image / config is fixed; a plain retry hits the same error.',
        ],
      };
    },
  },
  {
    id: 'port-in-use',
    category: 'configuration',
    retryable: false,
    confidence: 0.8,
    // The service could not listen: another process (a second instance, an old container, another
    // installation) holds its port. The deployment, not the code or the data.
    pattern: /Address already in use|EADDRINUSE|address already in use|port is already allocated|could not create any TCP\/IP sockets|Failed to bind to [^\n]{0,80}(?:in use|already)|BindException/,
    explain: (f) => ({
      summary: `Port already in use${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The process could not listen on its port because another process already holds it: a second instance, a container or service left running, or another installation using the same default port.',
      fix: [
        'Find what holds the port (`ss -ltnp`, `lsof -i :PORT`, `docker ps`) and stop it, or give this service another port in its configuration.',
        'Make deployments stop the old instance before starting the new one.',
      ],
    }),
  },
  {
    id: 'tls-certificate',
    category: 'configuration',
    retryable: false,
    confidence: 0.8,
    // The server's certificate is not trusted by the client: a CA bundle / SSL setting of the job's,
    // not the network and not the credentials.
    pattern: /self[- ]signed certificate|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify the first certificate|unable to get local issuer certificate|certificate verify failed|CERTIFICATE_VERIFY_FAILED|SSLCertVerificationError|x509: certificate (?:signed by unknown authority|is not valid for|has expired)|PKIX path building failed|unable to find valid certification path|ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match certificate|certificate has expired|CERT_HAS_EXPIRED/i,
    explain: (f) => ({
      summary: `TLS certificate not trusted${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The client refused the server\'s TLS certificate: it is self-signed or issued by a CA the client\'s trust store does not hold (a private / cloud database CA), expired, or for another host name. The job\'s SSL configuration is at fault, not the network or the credentials.',
      fix: [
        'Give the client the CA that issued the server certificate (e.g. the cloud provider\'s RDS / Cloud SQL CA bundle) via its ssl.ca / sslrootcert / NODE_EXTRA_CA_CERTS setting, in the deployment rather than the code.',
        'Keep certificate verification on; if the host name differs from the certificate, connect with the name the certificate was issued for.',
      ],
    }),
  },
  {
    id: 'native-toolchain-missing',
    category: 'dependency_or_import',
    retryable: false,
    confidence: 0.8,
    pattern: NATIVE_TOOLCHAIN_MISSING,
    explain: (f) => ({
      summary: `A native build tool or library is missing${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The build compiles or links native code and the machine (image, CI runner) lacks the compiler, linker or system library with its headers that it needs.',
      fix: [
        'Install the named tool or library in the build image (e.g. `build-essential` / `gcc`, `libssl-dev` + `pkg-config`, MSVC build tools), or point the build at it (OPENSSL_DIR, PKG_CONFIG_PATH).',
        'Pin the base image so the toolchain does not disappear with an update.',
      ],
    }),
  },
  {
    id: 'package-install',
    category: 'dependency_or_import',
    retryable: false,
    confidence: 0.8,
    // The environment the step needs could not be built: a package manager could not resolve or
    // install its dependencies.
    // A tool's plugin or executable that was never installed (Meltano: `Executable 'tap-x' could not be found`).
    pattern: /Executable ['"][^'"\n]+['"] could not be found|\bmay not have been installed yet\b|Could not create conda environment|CreateCondaEnvironmentException|PackagesNotFoundError|UnsatisfiableError|ResolutionImpossible|No matching distribution found for|Could not find a version that satisfies|npm ERR! code (?:E404|ERESOLVE|ETARGET)|unable to resolve dependency tree|Could not resolve dependencies for project|Could not find artifact|version solving failed|failed to select a version for|\b(?:Contextual)?VersionConflict\b|\bDistributionNotFound\b/i,
    explain: (f) => ({
      summary: `The step's environment could not be built${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'A package manager (conda, pip, npm, Maven) could not resolve or install the dependencies the step declares: a version that does not exist or conflicts, a channel or registry setting, or a tool version that changed.',
      fix: [
        'Run the same install by hand in a clean environment to see the conflict; pin versions that resolve together and rebuild the image / environment.',
        'Check the package manager and its channels / registry settings against the environment where it last worked.',
      ],
    }),
  },
  {
    id: 'json-got-html',
    category: 'network_or_service_unavailable',
    retryable: true,
    confidence: 0.7,
    // A JSON parser handed an HTML page: the service (or a proxy in front of it) answered with an
    // error page instead of data.
    pattern: /Unexpected token '?<'?,? (?:"<|in JSON at position 0)|JSON[^\n]{0,80}<!DOCTYPE|JSON[^\n]{0,80}<html/i,
    explain: (f) => ({
      summary: `A service answered with an HTML page instead of JSON${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The response body was HTML (an error page from the service, a proxy or a captive portal), not the JSON the step expects: the service or the network path was failing.',
      fix: [`Log the status and the start of the body at ${where(f)} before parsing; retry with back-off on non-2xx answers.`, 'Check the service\'s status and the network path (proxy, DNS) from the host the step runs on.'],
    }),
  },
  {
    id: 'json-parse-object',
    category: 'code_bug',
    retryable: false,
    confidence: 0.75,
    // JSON.parse given an object, which it turns into the string "[object Object]".
    pattern: /Unexpected token o in JSON at position 1|"\[object Object\]" is not valid JSON/,
    explain: (f) => ({
      summary: `JSON.parse was given an object, not a string${atWhere(f)}.`,
      rootCause: `${codeRef(f)} parses a value that is already an object (it stringifies to "[object Object]"): the code parses twice or parses the wrong variable.`,
      fix: [`At ${where(f)}, use the object directly or parse the raw string, not the parsed value.`],
    }),
  },
  {
    id: 'unschedulable',
    category: 'resource_exhaustion',
    retryable: false,
    confidence: 0.8,
    pattern: /FailedScheduling|nodes are available:[^\n]{0,200}Insufficient|Insufficient (?:memory|cpu|nvidia\.com\/gpu|ephemeral-storage)\b|\bUnschedulable\b/,
    explain: (f) => ({
      summary: `No node has room for the pod${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The pod requests more memory / CPU than any node that may run it has free, so the scheduler cannot place it and the step never starts.',
      fix: ['Lower the pod\'s requests to what it needs, or add / enlarge nodes (or let the autoscaler), and check node selectors and taints that narrow where it may run.'],
    }),
  },
  {
    id: 'python-import',
    category: 'dependency_or_import',
    retryable: false,
    confidence: 0.9,
    // A symbol moved to another package by a major release (pydantic 2's BaseSettings) raises the
    // library's own ImportError subclass: the installed version no longer provides the name.
    pattern: /ModuleNotFoundError|No module named|ImportError: cannot import name|^ImportError:|^[\w.]*\wImportError: |[`'"][\w.]+[`'"] has been (?:moved|removed)\b[^\n]{0,40}\b(?:package|module|library|version)\b|\bwas a deprecated alias for\b|\bCan't load plugin: sqlalchemy\.dialects\b|\b(?:was|has been|were) (?:deprecated and )?removed in (?:version |v)?\d+\.\d+/,
    explain: (f) => {
      const mod = moduleOf(f.subject);
      return {
        summary: `Python module ${q(mod, '')} cannot be imported${atWhere(f)}.`,
        rootCause: `${q(mod, 'A module')} is not installed in the image or virtualenv the step runs in, or the installed version no longer provides the imported name.`,
        fix: [
          `Add ${q(mod?.split('.')[0], 'the package')} to the project's requirements (pin the version) and rebuild the image / environment.`,
          'If it imports, check the installed version: the name may have moved in a newer release; pin the version that worked.',
        ],
      };
    },
  },
  {
    id: 'node-module',
    category: 'dependency_or_import',
    retryable: false,
    confidence: 0.9,
    pattern: /Cannot find (?:module|package) '|ERR_MODULE_NOT_FOUND|ERR_REQUIRE_ESM|ERR_PACKAGE_PATH_NOT_EXPORTED/,
    explain: (f) => {
      const mod = moduleOf(f.subject);
      const relative = mod?.startsWith('.') || mod?.startsWith('/');
      return {
        summary: `Node module ${q(mod, '')} not found${atWhere(f)}.`,
        rootCause: relative
          ? `The file ${q(mod, '')} does not exist in the deployed build (not compiled, wrong path or extension).`
          : `The package ${q(mod, '')} is not installed where the job runs (missing from dependencies, or node_modules not shipped).`,
        fix: relative
          ? ['Rebuild and check the output tree contains the file; ESM imports need the exact path with its .js extension.']
          : [`Add ${q(mod, 'the package')} to package.json "dependencies" (not devDependencies) and run \`npm ci\` in the image.`],
      };
    },
  },
  {
    id: 'jvm-classpath',
    category: 'dependency_or_import',
    retryable: false,
    confidence: 0.85,
    // Kafka Connect names a connector / converter plugin that is not on its plugin.path the same way.
    // JDBC's DriverManager says `No suitable driver` when no driver jar on the classpath accepts the URL.
    pattern: /ClassNotFoundException|NoClassDefFoundError|NoSuchMethodError|UnsupportedClassVersionError|Failed to find data source|Unsupported class file major version|Failed to find any class that implements|No suitable driver(?: found)? for jdbc:/,
    explain: (f) => {
      const cls = moduleOf(f.subject);
      return {
        summary: `JVM class ${q(cls, '')} missing or incompatible${atWhere(f)}.`,
        rootCause: `The classpath of the job lacks ${q(cls, 'a class it needs')}, or holds a different version of the library than the code was compiled against.`,
        fix: [
          'Ship the dependency with the job (--packages / --jars for spark-submit, or an assembly/shaded jar) with the version the code was built for.',
          'Look for version conflicts between the job\'s jar and the cluster\'s (Spark / Scala versions must match).',
        ],
      };
    },
  },
  {
    id: 'go-module',
    category: 'dependency_or_import',
    retryable: false,
    confidence: 0.85,
    pattern: /missing go\.sum entry|no required module provides package|cannot find package "/,
    explain: (f) => ({
      summary: `Go module ${q(moduleOf(f.subject), '')} is not available to the build.`,
      rootCause: 'The module graph (go.mod / go.sum) does not provide a package the code imports.',
      fix: ['Run `go mod tidy` and commit go.mod and go.sum; rebuild the binary.'],
    }),
  },
  {
    id: 'dbt-dependency',
    // A ref()/source() to a node the project does not define is a bug in the project's own code (a
    // rename, a typo); only an uninstalled package or macro is a dependency problem.
    category: (f) => (/depends on a (?:node|source) named/.test(f.subject) ? 'code_bug' : 'dependency_or_import'),
    retryable: false,
    confidence: 0.85,
    // `In dispatch: No macro named 'x' found`: a package's macro dispatched to an implementation no
    // installed package provides (a package version the others do not match).
    pattern: /package\(s\) specified in packages\.yml, but only \d+ package|"dbt deps"|calling a macro that does not exist|depends on a (?:node|source) named '([^']+)' which was not found|\bNo macro named '(\w+)' found/,
    explain: (f) => {
      const node = moduleOf(f.subject);
      const macro = /'(\w+)' is undefined|No macro named '(\w+)'/.exec(f.subject)?.slice(1).find((g) => g !== undefined);
      if (macro && !node) {
        return {
          summary: `dbt ${where(f)} calls \`${macro}\`, which is not defined: a package is not installed.`,
          rootCause: `\`${macro}\` comes from a dbt package (or macro) that is not installed where the job runs, so compilation fails.`,
          fix: ['Run `dbt deps` before `dbt run` in the job (and list the package in packages.yml), or fix the macro name.'],
        };
      }
      return node
        ? {
            summary: `dbt ${where(f)} refers to ${q(node, '')}, which does not exist in the project.`,
            rootCause: `A ref()/source() in ${where(f)} names ${q(node, 'a node')} that dbt cannot find: it was renamed, deleted, disabled, or misspelt.`,
            fix: [`Fix the ref in ${f.location?.file ?? 'the model'} to the node's current name, or restore/enable ${q(node, 'it')}.`, 'Run `dbt ls -s +' + (f.location?.function ?? 'model') + '` to check the graph resolves.'],
          }
        : {
            summary: 'dbt packages are not installed.',
            rootCause: 'packages.yml lists packages that are not installed in dbt_packages/.',
            fix: ['Run `dbt deps` before `dbt run` in the job (or bake dbt_packages into the image).'],
          };
    },
  },
  {
    id: 'out-of-memory',
    category: 'resource_exhaustion',
    retryable: (f) => underLoad(f.text) || usualVolume(f.text),
    confidence: 0.85,
    // Rust's allocator (`memory allocation of N bytes failed`) and Slurm's cgroup OOM killer say it in their own words.
    pattern: /MemoryError|OutOfMemoryError|out of memory|Cannot allocate memory|\bmemory allocation of \d+ bytes failed|\bDetected \d+ oom[-_]kill event|\bcgroup out-of-memory handler|heap out of memory|exceeding (?:physical |virtual )?memory limits|exited with code -9\b|return code -9\b|\b(?:exit|error) code:? 137\b[^\n]{0,120}\bmemory\b|\b(?:exit(?:ed)?|died)\b[^\n]{0,40}\bcode:? -9\b|\b(?:return|exit|status)?code=-9\b|low on resource: memory|GC overhead limit exceeded|OOMKilled|(?:exit|return|status) code:? 137\b|exit status 137\b|return code Negsignal\.SIGKILL|-9 \(SIGKILL\)|signal: killed|Java heap space|Unable to allocate [\d.]+ \w?iB|MemoryLimitExceeded|Resources exceeded during query execution|could not be executed in the allotted memory|(?:query|statement|session|per-query) memory limit (?:exceeded|reached)|exceeded (?:the )?(?:query |per-query |session |user |total )?memory limit|Memory limit \((?:for )?(?:query|user|total)\) exceeded|MEMORY_LIMIT_EXCEEDED|EXCEEDED_(?:LOCAL|GLOBAL)_MEMORY_LIMIT|KilledWorker|exceeded \d+% memory budget|Worker exceeded \d+% memory/i,
    // Dask's KilledWorker: every worker that ran the task died under it; its nannies restart workers that pass their memory budget.
    codes: /ENOMEM/,
    explain: (f) => ({
      summary: `Out of memory${atWhere(f)}.`,
      rootCause: usualVolume(f.text) && !underLoad(f.text)
        ? 'The process ran out of memory although the log shows its input at its usual size: the data did not grow, so the peak came from something transient (other work on the same worker, a noisy neighbour), and a re-run is likely to pass.'
        : underLoad(f.text)
        ? 'The process ran out of memory while the log shows it sharing memory with other work (high concurrency, a deep queue, other runs on the same node): the peak came from load, not from a fixed input size, so a re-run at normal load is likely to pass.'
        : 'The step needed more memory than its process / container / executor is allowed and was killed (or failed an allocation). Usually input volume grew or the step loads everything at once.',
      fix: [
        `Process the input in chunks or partitions at ${where(f)} instead of loading it whole (pandas chunksize, Spark repartition, streaming reads).`,
        'Raise the memory limit of the worker / pod / executor (spark.executor.memory, container limits) if the volume growth is expected.',
        'Check the input size against earlier runs: an unexpectedly large batch points at an upstream duplication.',
      ],
    }),
  },
  {
    id: 'disk-full',
    category: 'resource_exhaustion',
    retryable: false,
    confidence: 0.85,
    // Kubernetes evicts a pod when its node runs short of local storage.
    pattern: /No space left on device|Disk quota exceeded|could not extend file|DiskFull|insufficient disk|low on resource: ephemeral-storage|ephemeral local storage usage exceeds/i,
    codes: /ENOSPC/,
    explain: (f) => ({
      summary: `Disk full${atWhere(f)}.`,
      rootCause: 'A volume the step writes to (temp, spill, output or the database\'s data directory) has no free space.',
      fix: ['Free or grow the volume; clean old temp/spill files and partitions.', 'Point temporary/spill directories at a larger volume and add a free-space alert.'],
    }),
  },
  {
    id: 'connection-limit',
    category: 'resource_exhaustion',
    retryable: true,
    confidence: 0.8,
    pattern: /too many (?:clients|connections)|remaining connection slots|connection pool exhausted|QueuePool limit|PoolTimeout|Too many open files/i,
    codes: /EMFILE/,
    explain: (f) => ({
      summary: `Connection or file-handle limit reached${atWhere(f)}.`,
      rootCause: 'The job (or all jobs together) opened more connections / files than the server or OS allows; new ones are refused until others close.',
      fix: [
        'Close connections after use and share one pool per process; cap the pool size and the step\'s parallelism.',
        'Put a pooler (PgBouncer) in front of the database, or raise max_connections / ulimit -n if the load is legitimate.',
      ],
    }),
  },
  {
    id: 'deadlock-or-serialization',
    category: 'database_error',
    retryable: true,
    confidence: 0.85,
    pattern: anyOf(WRITE_CONFLICT_WORDS),
    explain: (f) => ({
      summary: `Database deadlock / lock conflict${atWhere(f)}.`,
      rootCause: 'Two transactions waited on each other\'s locks (or on a serialisation conflict) and the database aborted this one. Concurrent writers to the same rows or tables cause it.',
      fix: [
        `Retry the transaction at ${where(f)}; the database expects the client to retry on this error.`,
        'Make concurrent writers touch rows in the same order, keep transactions short, or serialise the steps that write the same table.',
      ],
    }),
  },
  {
    id: 'database-unavailable-state',
    category: 'database_error',
    retryable: true,
    confidence: 0.75,
    pattern: /read-only transaction|ReadOnlySqlTransaction|recovery is in progress|the database system is (?:starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i,
    explain: (f) => ({
      summary: `Database not accepting writes${atWhere(f)}: ${firstLine(f.subject, 120)}`,
      rootCause: 'The job reached a database that is a read-only replica, in recovery, or restarting (for example during a failover).',
      fix: ['Retry after the failover/restart completes.', 'Make sure the connection string points at the primary (writer) endpoint.'],
    }),
  },
  {
    id: 'sensor-timeout',
    category: 'missing_input',
    retryable: false,
    confidence: 0.8,
    pattern: /AirflowSensorTimeout|Sensor has timed out/,
    explain: (f) => ({
      summary: `Sensor${f.step ? ` ${f.step}` : ''} gave up waiting: its input never arrived.`,
      rootCause: 'The sensor polled for its input (a file, partition, upstream task) until its timeout and the input did not appear: the upstream delivery is late or failed.',
      fix: [
        'Check the upstream producer / partner delivery for this run date; once the input exists, clear the sensor task to re-run it.',
        'If deliveries are legitimately later, raise the sensor timeout or move the schedule; use mode="reschedule" so the sensor does not hold a worker slot.',
      ],
    }),
  },
  {
    id: 'source-stale',
    category: 'missing_input',
    retryable: false,
    confidence: 0.8,
    pattern: /\bERROR STALE\b|\bsource [^\n]{0,80}\bis stale\b|\bfreshness (?:check )?failed\b/i,
    explain: (f) => ({
      summary: `Source ${f.step ? `\`${f.step}\` ` : ''}is stale: its newest data is older than the freshness threshold.`,
      rootCause: 'The loader that feeds this source has not delivered new data within the allowed window (it failed, is late, or was paused), so the models built on it would be out of date.',
      fix: [
        `Check the last successful run of the ingestion that loads ${f.step ? `\`${f.step}\`` : 'the source'} and re-run it; then re-run the freshness check and the downstream models.`,
        'If the source legitimately updates less often, widen its freshness threshold in the sources YAML.',
      ],
    }),
  },
  {
    // A client timeout whose cause the log states: the broker could not be reached. Kafka reports an
    // unreachable broker only as a TimeoutException (`Timed out waiting for a node assignment`), after
    // NetworkClient warned `Broker may not be available`; the fault is the network / broker, not slowness.
    id: 'broker-unreachable-timeout',
    category: 'network_or_service_unavailable',
    retryable: true,
    confidence: 0.8,
    pattern: /Timeout(?:Error|Exception)\b|timed? ?out\b/i,
    when: (f) => BROKER_UNREACHABLE.test(f.text),
    explain: (f) => ({
      summary: `Message broker unreachable${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The client timed out because the broker it needed could not be reached (down, restarting, or blocked by the network / security group), as the earlier connection warnings show.',
      fix: [
        'Check the broker is up and reachable from the job (broker health, `nc -vz host port`, security groups / listeners advertised to clients).',
        'Retry the step once the broker is back; the streaming query resumes from its checkpoint.',
      ],
    }),
  },
  {
    // A timeout while connecting (TCP dial, TLS handshake, a broker's transport) is the service not
    // answering at all: unreachable, down, or the address is wrong. A timeout after the connection
    // (a read, a statement, a step's own limit) is slowness, the class below.
    id: 'connect-timeout',
    category: 'network_or_service_unavailable',
    retryable: true,
    confidence: 0.75,
    pattern: CONNECT_TIMEOUT,
    codes: /\bETIMEDOUT\b/,
    // Node's ETIMEDOUT is the socket's connect timeout; a read that ran out of time says so (ESOCKETTIMEDOUT, "Read timed out").
    when: (f) => !/read timed? ?out|ESOCKETTIMEDOUT|ReadTimeout/i.test(f.subject),
    explain: (f) => {
      const endpoint = endpointOf(f.subject) ?? endpointOf(f.text);
      return {
        summary: `Cannot reach ${endpoint ? `\`${endpoint}\`` : 'an upstream service'}${atWhere(f)}: the connection timed out (${firstLine(f.subject, 120)})`,
        rootCause: `The connection to ${endpoint ?? 'the service'} was never established: nothing answered in time (the service is down or gone, a firewall / security group drops the packets, or the step points at the wrong address).`,
        fix: [
          `Check that ${endpoint ? `\`${endpoint}\`` : 'the address the step uses'} is the right one and is reachable from the pipeline host (\`nc -vz host port\`, DNS, firewall, proxy settings).`,
          'Retry once it answers; a connection timeout says nothing about the work being slow.',
        ],
      };
    },
  },
  {
    id: 'timeout',
    category: 'timeout',
    // A database that cancels a statement for running past its statement timeout will cancel the
    // same query again: the query or the limit must change. Other timeouts are usually transient.
    retryable: (f) => !STATEMENT_TIMEOUT.test(f.subject),
    confidence: 0.8,
    // An established connection that the OS timed out under the TLS layer (`SSL SYSCALL error:
    // Operation timed out`) is the connection dropping, the service signature's class.
    // A timeout whose message says the connection was refused or unroutable (pymongo's
    // ServerSelectionTimeoutError: `Connection refused`) ran out of time because nothing answered.
    when: (f) => !/SSL SYSCALL error/i.test(f.subject) && !REFUSED_OR_UNREACHABLE.test(f.subject),
    // `result(timeout=timeout)` in a flattened traceback or `?timeout=32s` in a URL is a parameter and
    // its value, not a timeout; so is a setting's snake_case name (`Can't set busy_timeout`, `invalid
    // value for parameter "lock_timeout"`): the message is about the setting, not a wait that ran out.
    pattern: /AirflowTaskTimeout|(?<!=\s?)\b(?![A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*_timeout\b)\w*Timeout(?:Error|Exception|Expired)?\b(?!\s*=|:\s*\d)|(?<!=\s?)(?<!\w_)timed? ?out\b(?!\s*=|:\s*\d)|\b(?:exceeded|reached|hit) (?:the |its )?[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*_timeout\b|deadline exceeded|DeadlineExceeded|canceling statement due to (?:statement|lock) timeout|exceeded (?:its |the )?(?:\d+ ?\w+ )?timeout|execution_timeout|i\/o timeout|took longer than|longer than the (?:specified |allowed )?deadline|did not initialize after waiting for \d+|\bexceeded the maximum (?:execution|run(?:ning)?) time\b|\bmaximum (?:execution|run(?:ning)?) time\b[^\n]{0,40}\bexceeded|\bCANCELLED AT \S+ DUE TO TIME LIMIT\b|\bwalltime\b[^\n]{0,60}\bexceeded\b/i,
    codes: /ETIMEDOUT/,
    explain: (f) => ({
      summary: `Timed out${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The step (or a call it made) ran past its time limit. Either the remote side was slow or unresponsive, or the work grew beyond what the limit allows.',
      fix: [
        `Find what ${where(f)} was waiting on (the remote service, a lock, a large query) and compare its duration with earlier runs.`,
        'If the work legitimately grew, raise the step timeout or split the work; if a remote call hangs, give it its own shorter timeout with retries.',
        'A retry is likely to succeed if the slowness was transient.',
      ],
    }),
  },
  {
    id: 'auth',
    category: 'auth_or_permission',
    retryable: false,
    confidence: 0.85,
    pattern: anyOf([
      ...AUTHZ_WORDS,
      // Authentication: the identity itself was refused.
      'password authentication failed', 'authentication failed', 'Access denied for user', 'Login failed', String.raw`invalid (?:credentials|password|api[ _-]?key|token)`,
      String.raw`\b(?:JWT|access|auth(?:entication)?|bearer|session|OAuth)? ?token (?:is|was|has) (?:invalid|expired|been revoked)\b`,
      String.raw`\b(?:HTTP|status|code|error|response)\W{0,3}401\b`, String.raw`\b401 (?:Unauthori[sz]ed|Client)`, String.raw`\bUnauthori[sz]ed\b`, 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', String.raw`token (?:has )?expired`, 'invalid_grant',
      'Incorrect username or password', 'NoCredentialsError', 'Unable to locate credentials', 'DefaultCredentialsError', String.raw`no pg_hba\.conf entry`,
      'SaslAuthentication', 'SASL authentication',
      // The identity exists but its account may not sign in now (locked after failed logins, suspended, disabled).
      String.raw`\b(?:user |your |the )?account (?:has been |is |was )?(?:temporarily |permanently )?(?:locked|suspended|disabled|deactivated)\b`,
      // PostgreSQL refusing a login for a role it does not know (at connect time, hence FATAL).
      String.raw`FATAL:\s+role "[^"\n]+" does not exist`,
    ]),
    codes: /EACCES|EPERM/,
    // Snowflake says "Object 'X' does not exist or not authorized": a missing object far more often.
    when: (f) => !/does not exist or not authorized/i.test(f.subject),
    explain: (f) => {
      const credentials = /password|authentication failed|SASL|Login failed|credentials|api[ _-]?key|token|Unauthorized|\b401\b|no basic auth|InvalidAccessKeyId|SignatureDoesNotMatch|invalid_grant|Incorrect username|pg_hba/i.test(f.subject);
      const database = /for (?:table|schema|relation|database|sequence|function)|must be owner|insufficient privilege/i.test(f.subject);
      const path = pathOf(f.subject);
      if (credentials) {
        return {
          summary: `Credentials rejected${atWhere(f)}: ${firstLine(f.subject, 140)}`,
          rootCause: 'The service refused the credentials the step uses: the password, key or token is wrong, was rotated, or expired.',
          fix: [
            'Check the secret the step reads (env var, connection, secrets manager) against the current one and update it there; rotate both sides together.',
            'If the account was locked or disabled, re-enable it; consider a credential-expiry alert.',
          ],
        };
      }
      if (database) {
        return {
          summary: `Missing database privilege${atWhere(f)}: ${firstLine(f.subject, 140)}`,
          rootCause: 'The database role the step connects as lacks the privilege on this object (a new schema/table, or grants lost when it was re-created).',
          fix: [
            'GRANT the needed privilege (USAGE on the schema, SELECT/INSERT on the table) to the job\'s role, ideally via default privileges so re-created objects keep it.',
          ],
        };
      }
      return {
        summary: `Permission denied${atWhere(f)}: ${firstLine(f.subject, 140)}`,
        rootCause: `The job's user is not allowed to access ${q(path, 'the target (file, directory or bucket)')}.`,
        fix: [
          `Give the job's user access to ${q(path, 'the target')}: ownership/mode of the directory or volume mount for files, the bucket/IAM policy for object stores.`,
          'Do not widen access beyond what the step needs.',
        ],
      };
    },
  },
  {
    id: 'host-name-unknown',
    category: 'configuration',
    retryable: false,
    confidence: 0.7,
    // The resolver says the name does not exist (not a temporary failure) and the name could never be a
    // public one: a bare service name (`postgres`, a compose or Kubernetes service nothing defines) or
    // a malformed one (`http` from a mangled URL, `nfdiv-.vault…` from an empty variable). The address
    // the step is configured with is wrong; the network is fine.
    pattern: UNKNOWN_HOST,
    when: (f) => unresolvableName(UNKNOWN_HOST.exec(f.subject)?.slice(1).find((g) => g !== undefined)),
    explain: (f) => {
      const host = UNKNOWN_HOST.exec(f.subject)?.slice(1).find((g) => g !== undefined);
      return {
        summary: `Host name ${q(host, '')} does not exist${atWhere(f)}: ${firstLine(f.subject, 120)}`,
        rootCause: `The step is configured to reach ${q(host, 'a host')}, a name no DNS server knows: a service name that is not defined on this network (no Compose service or Kubernetes Service of that name), a typo, or an address assembled from an empty or mangled setting.`,
        fix: [
          `Fix the host in the step's connection settings (env var, connection, config file): use the service's real DNS name as seen from where the step runs (\`getent hosts ${host ?? 'NAME'}\`).`,
          'If the name is a service of your own, define it (Compose service, Kubernetes Service) on the network the step is attached to.',
        ],
      };
    },
  },
  {
    id: 'service-unavailable',
    category: 'network_or_service_unavailable',
    // Refused on this very host: nothing is listening there (the service is not installed or not
    // started, or the address defaulted to localhost), which a re-run does not change.
    retryable: (f) => !localRefusal(f),
    confidence: 0.85,
    pattern: /Connection refused|ConnectionRefused|(?<!connect\.errors\.)ConnectException|Connection reset|No route to host|Network is unreachable|Name or service not known|nodename nor servname|getaddrinfo|Temporary failure in name resolution|no such host|UnknownHostException|could not translate host name|Service Unavailable|Bad Gateway|Gateway Time|server closed the connection unexpectedly|connection (?:has been |was )?closed unexpectedly|\bfetch failed\b|Connection aborted|RemoteDisconnected|socket hang up|Broken pipe|Communications? link failure|TCP Provider: (?:Error code|An existing connection)|(?<!Resource )\btemporarily unavailable\b|\berror sending request for url\b|could not connect to server|Failed to establish a new connection|ServiceUnavailable|SSL SYSCALL error|connection was closed|\b50[234]\b (?:Server|Service|Bad)|status code 50[234]\b|too many 50[234] error responses|\bRetryError\b[^\n]{0,200}\b50[234]\b|Max retries exceeded[^\n]{0,300}(?:ResponseError|NewConnectionError|ConnectTimeout|ProxyError)|Broker may not be available|broker[^\n]{0,60}\b(?:not available|unavailable|unreachable|disconnected|down)\b|run out of available brokers|NoBrokersAvailable|Could not connect to the endpoint URL|Failed to get the response\. Hanging\?|\b50[0234] (?:GET|POST|PUT|PATCH|DELETE|HEAD) https?:\/\/|The job encountered an (?:internal )?error during execution|Retrying the job may solve the problem|\bbackendError\b|\bno brokers? (?:available|reachable)\b|All broker connections are down|(?:Exception|Error): 50[234](?: None\b|:|[ \t]*(?:\n|$))/i,
    codes: /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|\bUNAVAILABLE\b/,
    explain: (f) => {
      const endpoint = endpointOf(f.subject) ?? endpointOf(f.text);
      return {
        summary: `Cannot reach ${endpoint ? `\`${endpoint}\`` : 'an upstream service'}${atWhere(f)}: ${firstLine(f.subject, 120)}`,
        rootCause: `The service ${endpoint ? `at ${endpoint} ` : ''}(database, warehouse or API) was down, restarting, unreachable from this host, or not listening on that port when the step connected.`,
        fix: [
          `Check the service ${endpoint ? `at ${endpoint} ` : ''}is up and reachable from the pipeline host (status page, \`pg_isready\`, \`nc -vz host port\`), and that host/port in the step's configuration are right.`,
          `Retry the step once it is back; make ${where(f)} retry the connection with back-off so a short outage does not fail the run.`,
        ],
      };
    },
  },
  {
    id: 'code-not-deployed',
    category: 'configuration',
    retryable: false,
    confidence: 0.7,
    // The file that is not there is the program itself (a flow, a DAG, an entrypoint script): the
    // runner was pointed at code that is not at that path where it runs (not in the image, another
    // working directory, storage not mounted). A deployment setting, not missing data.
    pattern: /can't open file ['"]?[^'"\n]+\.py['"]?: \[Errno 2\]|(?:No such file or directory|FileNotFoundError)[:,]? ['"][^'"\n]+\.py['"]/,
    explain: (f) => {
      const path = /['"]([^'"\n]+\.py)['"]/.exec(f.subject)?.[1];
      return {
        summary: `The code to run is not where the runner looks${atWhere(f)}: ${q(path, 'the script')} does not exist.`,
        rootCause: `The runner (a worker, a container, the scheduler) was told to load ${q(path, 'a script')}, and it is not at that path in the environment it runs in: the code is not in the image or volume, the working directory differs, or the deployment names the wrong path.`,
        fix: [
          'Check the deployment\'s entrypoint / working directory / code storage against where the file really is inside the runtime (`ls` in the image or pod).',
          'Ship the code with the image or mount it, and keep paths relative to a working directory the deployment sets.',
        ],
      };
    },
  },
  {
    id: 'config-file-missing',
    category: 'configuration',
    retryable: false,
    confidence: 0.75,
    // Go and Rust name the file before the error (`open /etc/etl/config.yaml: no such file or directory`).
    pattern: /(?:No such file or directory|ENOENT|FileNotFound|NoSuchFile)[^\n]{0,300}(?:config|settings|\.env\b|\.ini\b|\.toml\b|profiles\.yml|\.conf\b)|\b(?:config|settings)[\w-]*\.(?:ya?ml|toml|ini|conf|cfg|json)\b['"]?: (?:no such file or directory|The system cannot find the file specified)/i,
    explain: (f) => {
      const path = pathOf(f.subject);
      return {
        summary: `Configuration file ${q(path, '')} not found${atWhere(f)}.`,
        rootCause: `The step expects its configuration at ${q(path, 'a path')} but the file is not in the image / mount where it runs.`,
        fix: ['Mount or ship the file at that path (ConfigMap, volume, image layer), or point the job at the right location through its setting.'],
      };
    },
  },
  {
    id: 'input-missing',
    category: 'missing_input',
    retryable: false,
    confidence: 0.85,
    pattern: anyOf(MISSING_INPUT_WORDS),
    codes: /ENOENT/,
    explain: (f) => {
      const path = pathOf(f.subject) ?? pathOf(f.text);
      return {
        summary: `Input ${q(path, 'file')} does not exist${atWhere(f)}.`,
        rootCause: `The step reads ${q(path, 'an input')}, which was not there when it ran: the upstream job that produces it failed, is late, or wrote it to a different path/partition.`,
        fix: [
          `Check the upstream producer of ${q(path, 'the input')} (did it run and succeed for this date/partition?) and the path the step builds ${f.location ? `in ${codeRef(f)}` : ''}.`.replace(' .', '.'),
          'Add an explicit dependency or sensor on the input (Airflow sensor, Dagster asset dependency) so the step waits instead of failing, and re-run it once the input exists.',
        ],
      };
    },
  },
  {
    id: 'table-missing',
    category: 'missing_input',
    retryable: false,
    confidence: 0.8,
    // PostgreSQL speaks the server's locale: the same message in Chinese, Japanese, German, French, Portuguese, Russian, Spanish.
    pattern: /(?<!of )relation "([^"]+)" does not exist|(?:关系|リレーション|Relation|relation|relação|отношение)\s*[«»"“„]\s*([^"«»“”\n]+?)\s*[«»"”]\s*(?:不存在|は存在しません|existiert nicht|n'existe pas|não existe|не существует)|no existe la relación\s*[«"“]([^»"”\n]+)[»"”]|Table or view not found: ([\w.`]+)|TABLE_OR_VIEW_NOT_FOUND|ORA-00942|\btable or view does not exist\b|NoSuchTableException|Table '([^']+)' doesn't exist|no such table: ([\w.]+)|UndefinedTable|(?:Object|Schema|Database|Table|View|Stage|Dataset|Catalog) '([^']+)' does not exist|Not found: (?:Table|Dataset|View) ([\w.:-]+)|\b(?:Table|Dataset|View|Schema|Database) [`"']?([\w.:-]+)[`"']? (?:does not exist|was not found|not found)\b|ResourceNotFoundException|EntityNotFoundException|Requested resource not found|NoSuchEntity|DATASET_NOT_FOUND|SCHEMA_NOT_FOUND/i,
    explain: (f) => {
      const quoted = /table or view ((?:`[^`]+`\.?)+)/i.exec(f.subject)?.[1]?.replaceAll('`', '');
      const table = quoted ?? f.match.slice(1).find((g) => g) ?? /`([^`]+)`/.exec(f.subject)?.[1];
      return {
        summary: `Table ${q(table, '')} does not exist${atWhere(f)}.`,
        rootCause: `The query reads ${q(table, 'a table')} that is not in the database/schema it runs against: the model or job that builds it did not run, failed, or wrote it under another name or schema.`,
        fix: [
          `Build ${q(table, 'the upstream table')} first (run its producer) or fix the name/schema in ${codeRef(f)}.`,
          'Check the job connects to the intended database and search_path / default schema.',
        ],
      };
    },
  },
  {
    id: 'column-missing',
    category: 'schema_drift',
    retryable: false,
    confidence: 0.85,
    pattern: /column [`"']?[\w.]+[`"']?(?: of relation "[^"]+"| in \w+)? does not exist|UndefinedColumn|no such column|Unknown column '|UNRESOLVED_COLUMN|cannot be resolved|cannot resolve '|Column '[^']+' (?:does not exist|not found)|ColumnNotFound|FieldNotFound|column (?:\S+ )?not found\b|column "[^"]+" not found|invalid identifier '|Unrecognized name: |No such struct field|not in index|None of \[Index|not in (?:dataframe|DataFrame)|missing (?:required )?columns?|'DataFrame' object has no attribute|^KeyError: ['"]/i,
    // A KeyError is a missing column when a table was being indexed (pandas, a row or frame by
    // name); a plain dictionary lookup that fails (a config map, an input function's table) is the
    // code's assumption, left to the generic code-error signature.
    when: (f) => !/^KeyError: /.test(f.subject) || /not in index|None of \[Index/.test(f.subject) || (!/^KeyError: \d/.test(f.subject) && TABLE_LOOKUP.test(f.text)),
    explain: (f) => {
      const column = columnName(f.subject) ?? columnName(f.text);
      const suggestions = suggestedColumns(f.subject) ?? suggestedColumns(f.text);
      const relation = relationOf(f.subject);
      const expectedIn = f.location ? where(f) : relation ? `relation ${relation}` : 'the step';
      // When the failing line is the team's own check (`throw new MissingColumnError(…)`), point at the reads instead.
      const reader = /\b(?:throw|raise)\b/.test(f.location?.code ?? '') ? 'the code that reads it' : codeRef(f);
      return {
        summary: `Column ${q(column, '')} is missing from the input${atWhere(f)} (schema drift).`,
        rootCause: `${expectedIn} expects a column ${q(column, '(unnamed)')} that the data no longer has: the upstream source renamed, dropped or never delivered it.${suggestions ? ` Columns available: ${suggestions}.` : ''}`,
        fix: [
          `Compare the upstream schema with what ${expectedIn} reads: find what ${q(column, 'the column')} was renamed to${suggestions ? ` (candidates: ${suggestions})` : ''} and update ${reader}, or have the producer restore it.`,
          `Validate the input schema at the start of the step (required columns ${q(column, '')}) so drift fails with a clear message, and add a schema/contract test on the source.`,
        ],
      };
    },
  },
  {
    id: 'record-shape-changed',
    category: 'schema_drift',
    retryable: false,
    confidence: 0.75,
    pattern: anyOf(RECORD_SHAPE_WORDS),
    when: (f) => !DECODING_SETTINGS.test(f.subject),
    explain: (f) => ({
      summary: `The records no longer fit the type that reads them${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The decoder names a field whose type, presence or existence differs from the declared structure (struct, class or table schema): the producer (an API, a feed, a file format) changed the shape of its records.',
      fix: [
        `Compare a current record with the type ${codeRef(f)} decodes into; update the field's type / optionality, or pin the producer's API or format version.`,
        'Decode unknown or changed fields leniently where the producer may evolve (optional fields, a schema registry), and add a contract test on the source.',
      ],
    }),
  },
  {
    id: 'record-field-missing',
    category: 'schema_drift',
    retryable: false,
    confidence: 0.6,
    // A lookup by a literal field name (`payload["user"]["name"]`, `row['ID']`) on the line that raised
    // the KeyError: the code reads a field by its name from a record, and the record came without it,
    // so the producer's shape moved. A key held in a variable (`tasks[task_id]`) or a dotted name is
    // the program's own lookup table, not a record's field: that stays the code's.
    pattern: /^(?:[\w.]*\.)?KeyError: (['"])([A-Za-z_][A-Za-z0-9_]{0,80})\1\s*$/m,
    when: (f) => literalFieldRead(f, f.match[2] ?? ''),
    explain: (f) => ({
      summary: `A record came without the field \`${f.match[2] ?? ''}\`${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: `${codeRef(f)} reads the field \`${f.match[2] ?? ''}\` by name, and the record (an API response, a file row, a message) did not carry it: the producer renamed, dropped or nested the field, or sent a record of another kind.`,
      fix: [
        `Compare a current record with what ${codeRef(f)} expects; map the renamed field, or read it with a default (\`.get("${f.match[2] ?? ''}")\`) if it is optional.`,
        'Pin or check the producer\'s API / format version, and add a contract test on the fields the step reads.',
      ],
    }),
  },
  {
    id: 'schema-mismatch',
    category: 'schema_drift',
    retryable: false,
    confidence: 0.75,
    pattern: anyOf(SCHEMA_CHANGE_WORDS),
    explain: (f) => ({
      summary: `Schema mismatch${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'A column\'s type or the set of columns changed upstream, so the data no longer fits what this step or the target table expects.',
      fix: [
        `Compare the current upstream schema with the target; cast or map the changed column explicitly in ${codeRef(f)}, or migrate the target table.`,
        'Add a schema contract test on the source so type changes are caught before the load.',
      ],
    }),
  },
  {
    id: 'division-by-zero',
    category: (f) => (f.emptyBatch ? 'data_quality' : 'code_bug'),
    retryable: false,
    confidence: 0.85,
    pattern: /ZeroDivisionError|division by zero|divide by zero|\/ by zero|DivideByZero/i,
    explain: (f) => {
      const known = denominatorOf(f.location?.code);
      const fix = [`Guard the zero at ${where(f)}: ${zeroGuard(f, known ?? 'divisor')}.`];
      if (f.emptyBatch) {
        fix.push(
          'Validate the batch is non-empty before transforming (fail fast with "0 rows from upstream" or skip the run), and find out why upstream delivered no rows.',
        );
      } else {
        fix.push(
          `Find why ${known ? `\`${known}\`` : 'the divisor'} is zero here: typically a filter or join before this line that keeps no rows (a case, type or value mismatch), or an empty input; check the batch is non-empty before the division.`,
        );
      }
      const line = f.location?.code ? `\`${f.location.code}\`` : `The division at ${where(f)}`;
      return {
        summary: `Division by zero at ${where(f)}: ${known ? `\`${known}\`` : 'the divisor'} was 0${f.emptyBatch ? ' because the batch was empty' : ''}.`,
        rootCause: `${line} divides by ${known ? `\`${known}\`` : 'a value'} that was zero${f.emptyBatch ? `: the step received an empty batch (${firstLine(f.emptyBatch, 100)})` : ' (typically a row count over a set that ended up empty)'}, and the division throws instead of producing a value.`,
        fix,
      };
    },
  },
  {
    id: 'constraint-violation',
    // The real-log convention (test/fixtures/real, FORMAT.md): a constraint the database enforces
    // is a database error, like a deadlock; a check the pipeline runs on its data is data quality.
    category: 'database_error',
    retryable: false,
    confidence: 0.85,
    pattern: /duplicate key value violates unique constraint|violates (?:not-null|unique|check|foreign key) constraint|null value in column "|IntegrityError|UniqueViolation|NotNullViolation|ForeignKeyViolation|CheckViolation|UNIQUE constraint failed|NOT NULL constraint failed|Duplicate entry|could not create unique index|\bis duplicated\b|Sequelize(?:UniqueConstraint|ForeignKeyConstraint|ExclusionConstraint)Error|\btype: ['"]unique violation['"]|\b(?:Unique|Foreign key) constraint failed on the (?:fields?|constraint)/i,
    explain: (f) => {
      const key = /Key \(([^)]+)\)=\(([^)]*)\)/.exec(f.subject);
      const nullCol = /null value in column "([^"]+)"/.exec(f.subject)?.[1];
      const parent = /is not present in table "([^"]+)"/.exec(f.subject)?.[1];
      if (parent || /foreign key/i.test(f.subject)) {
        return {
          summary: `Rows reference missing parent keys${atWhere(f)}: ${firstLine(f.subject, 140)}`,
          rootCause: `The batch holds rows whose ${key ? `key (${key[1]})=(${key[2]})` : 'foreign key'} does not exist in the parent table${parent ? ` \`${parent}\`` : ''}: the parent rows were not loaded yet (step order) or never arrived upstream.`,
          fix: [
            `Load ${parent ? `\`${parent}\`` : 'the parent table'} before this step (make it an explicit upstream dependency), then re-run.`,
            'If parents can arrive late, park orphan rows in a quarantine table and retry them, instead of failing the batch.',
          ],
        };
      }
      return {
        summary: `Data violates a table constraint${atWhere(f)}: ${firstLine(f.subject, 140)}`,
        rootCause: nullCol
          ? `Rows arrive with NULL in \`${nullCol}\`, which the target table requires.`
          : key
            ? `The batch contains a row whose key (${key[1]})=(${key[2]}) already exists or is duplicated: the load is not idempotent or upstream delivered duplicates.`
            : 'The data being written breaks a constraint on the target table (unique, not-null, foreign key or check).',
        fix: [
          nullCol
            ? `Find why \`${nullCol}\` is NULL upstream; filter or default those rows before the load, and add a not-null test on the source.`
            : 'Deduplicate the batch on the key before writing, and make the load idempotent (upsert / MERGE / delete-then-insert for the partition) so a re-run does not collide.',
          'Quarantine the offending rows rather than failing the whole batch if partial loads are acceptable.',
        ],
      };
    },
  },
  {
    id: 'database-object-in-use',
    category: 'database_error',
    retryable: false,
    confidence: 0.75,
    // PostgreSQL's 2BP01: a DROP (a migration) refused because views, functions or constraints use the object.
    pattern: /cannot drop [^\n]{1,160} because other objects depend on it|DependentObjectsStillExist/,
    explain: (f) => ({
      summary: `The database refused a DROP${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The statement drops an object (a function, a table, a column, a type) that other objects still depend on (views, functions, constraints, defaults), so the database refused it.',
      fix: [
        'List the dependants (the DETAIL / HINT lines, or `pg_depend`), then drop and re-create them in the same migration, or use DROP … CASCADE deliberately.',
        'Order the migration so dependants are changed before the object they use.',
      ],
    }),
  },
  {
    id: 'database-object-exists',
    category: 'database_error',
    retryable: false,
    confidence: 0.75,
    // PostgreSQL's 42P07 / 42710, MySQL's 1050, SQL Server's 2714: a CREATE (a migration, a loader's
    // setup) for an object that is already there, often two runs creating it at once. The database's
    // state, not the data: a duplicate row (`Key (id)=(7) already exists`) is a constraint violation.
    pattern: /\b(?:relation|table|schema|index|type|sequence|view|function|procedure|trigger|extension|database|role) ["'`]?[\w.$-]+["'`]? already exists\b|\bThere is already an object named\b|\bDuplicate(?:Table|Object|Schema|Database|Function)\b|\bER_TABLE_EXISTS_ERROR\b/i,
    explain: (f) => ({
      summary: `The database object already exists${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'A statement creates a table, index, schema or type that is already there: a migration or setup step that is not idempotent, run twice or by two processes at once, or an object left by an earlier partial run.',
      fix: [
        'Make the setup idempotent (`CREATE … IF NOT EXISTS`, a migration lock so only one process migrates), or drop the leftover object if an earlier run half-finished.',
        'If several workers start together, run migrations once before them rather than in each.',
      ],
    }),
  },
  {
    id: 'sql-syntax',
    category: 'code_bug',
    retryable: false,
    confidence: 0.8,
    pattern: /syntax error at or near|syntax error at end of input|(?<![A-Za-z])ParseException|SQL compilation error(?!:?[ \t]*(?:error line \d+ at position \d+[ \t]*)?$)|mismatched input|You have an error in your SQL syntax|: syntax error|\bsyntax error line \d+ at position \d+|\bsyntax error, unexpected\b|column reference "[^"]+" is ambiguous|AMBIGUOUS_REFERENCE|function [\w.]+\([^)]*\) does not exist|operator does not exist/i,
    explain: (f) => ({
      summary: `SQL error in ${where(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The SQL the step sends is invalid (syntax, an ambiguous column, or a function/operator for the wrong types): a code change, not the data.',
      fix: [`Fix the statement in ${f.location?.file ?? 'the step'}${f.location?.code ? ` near ${codeRef(f)}` : ''}; run it by hand (or \`dbt compile\`) to check before deploying.`],
    }),
  },
  {
    id: 'template-syntax',
    category: 'code_bug',
    retryable: false,
    confidence: 0.8,
    // Jinja's TemplateSyntaxError as dbt, Airflow and Great Expectations print it: the template (a
    // model, a templated field) does not parse, before any SQL reaches the database.
    pattern: /\bTemplateSyntaxError\b|\bunexpected '[^'\n]{1,20}' in line \d+|\bunexpected end of template\b|\bexpected token '[^'\n]{1,40}', got '/,
    explain: (f) => ({
      summary: `Template syntax error${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'A Jinja template (a dbt model or macro, a templated operator field) does not parse: an unclosed or unbalanced tag, a stray brace, or a misspelt block: a change to the code, not the data.',
      fix: [`Fix the template ${f.location?.file ? `in ${f.location.file} ` : ''}at the line the error names (balance {{ }} / {% %}, close every block), then render it (\`dbt compile\`, \`airflow tasks render\`) before deploying.`],
    }),
  },
  {
    // Before unparseable-value: the value that did not parse is the code's own object, printed by its
    // default representation (category-parse-origin.ts); no input record holds it.
    id: 'parsed-object-reference',
    category: 'code_bug',
    retryable: false,
    confidence: 0.8,
    pattern: UNPARSEABLE_VALUE,
    when: (f) => parsedAnObjectReference(f.subject),
    explain: (f) => ({
      summary: `The code parsed an object instead of a value${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: "The text that failed to parse is an object's default representation (its class and address), not a value from the data: the code passes an object, an array or a row where it meant one of its fields, and the object's text reached the parser.",
      fix: [`Pass the field or element itself where ${codeRef(f)} builds the value (index the array, read the attribute, format the object explicitly); the input data is not at fault.`],
    }),
  },
  {
    // Before unparseable-value: the parser was reading an HTTP response (the frames are a client's body
    // reader): the service answered with an empty body, an error page or a broken stream.
    id: 'response-body-unparseable',
    category: 'network_or_service_unavailable',
    retryable: true,
    confidence: 0.7,
    pattern: UNPARSEABLE_VALUE,
    when: (f) => raisedReadingResponse(f.error),
    explain: (f) => ({
      summary: `A service's response could not be read${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: "The error was raised while the HTTP client read a response's body: the service sent something other than what its API promises (an empty body, an HTML error or maintenance page, a stream cut off mid-way), usually because it was failing or overloaded at that moment.",
      fix: [
        `Log the response's status and first bytes before parsing it in ${codeRef(f)}, and check the service's status page; retry with backoff if it was a passing outage.`,
        'If the body is an HTML page every time, check the URL and credentials: a proxy or login page answers in place of the API.',
      ],
    }),
  },
  {
    id: 'unparseable-value',
    category: 'data_quality',
    retryable: false,
    confidence: 0.8,
    pattern: UNPARSEABLE_VALUE,
    explain: (f) => {
      const value = /: "([^"]*)"|For input string: "([^"]*)"|'([^']*)'/.exec(f.subject)?.slice(1).find((g) => g !== undefined);
      return {
        summary: `Bad value in the input${atWhere(f)}: ${firstLine(f.subject, 140)}`,
        rootCause: `A record holds a value${value !== undefined ? ` (\`${value}\`)` : ''} that cannot be parsed or stored as the expected type / format: malformed or changed data from upstream.`,
        fix: [
          `Find the offending record(s) in the input and fix them at the source; make ${codeRef(f)} handle or quarantine unparseable rows (${quarantineAdvice(f)}).`,
          'Add a format/type check on the source data before this step.',
        ],
      };
    },
  },
  {
    id: 'dagster-output-type-check',
    category: 'code_bug',
    retryable: false,
    confidence: 0.75,
    pattern: /DagsterTypeCheckDidNotPass[^\n]{0,300}Value of type <class 'NoneType'>/,
    explain: (f) => ({
      summary: `Op ${f.step ?? ''} returned None where its output type expects a value.`.replace('Op  ', 'The op '),
      rootCause: 'The op/asset function finished without returning its output (a missing `return`, or a branch that falls through), so Dagster\'s type check on the output failed.',
      fix: [`Make ${where(f)} return its output on every path (check early returns and if/else branches), or declare the output Optional if None is legitimate.`],
    }),
  },
  {
    id: 'payload-shape-changed',
    category: 'schema_drift',
    retryable: false,
    confidence: 0.75,
    pattern: /ZodError|invalid_type/,
    when: (f) => sameFailureEveryRecord(f.subject),
    explain: (f) => ({
      summary: `The input's shape changed${atWhere(f)}: every record fails validation on the same fields.`,
      rootCause: 'Several records fail the schema in exactly the same way (the same fields missing or of another type in each), so the producer changed the payload\'s structure (a new API / feed version), rather than a few records holding bad values.',
      fix: [
        `Compare a current payload with the schema ${codeRef(f)} validates against: map the renamed / retyped fields, or pin the producer's API version the schema was written for.`,
        'Add a contract test (or version check) on the source so a structure change fails with a clear message.',
      ],
    }),
  },
  {
    id: 'sql-check-operator',
    category: 'data_quality',
    retryable: false,
    confidence: 0.8,
    // An orchestrator's SQL check (Airflow SQLCheckOperator / SQLValueCheckOperator / interval and
    // threshold checks) ran its query and the result said the data fails: the query worked, the data did not.
    pattern: /\bTest failed\.|The following tests have failed|Threshold Check: [^\n]{0,160} failed|\bSQL check failed/,
    when: (f) => /The following tests have failed|Threshold Check/.test(f.subject) || /\bTest failed\.\s*\n\s*(?:Query|Pass value)\b|\bSQL\w*Check\w*Operator\b|Executing SQL check/.test(`${f.subject}\n${f.text}`),
    explain: (f) => {
      const query = /Executing SQL check: ([^\n]+)|Query:\s*\n\s*([^\n]+)/.exec(f.text);
      const sql = query?.[1] ?? query?.[2];
      return {
        summary: `SQL data check failed${atWhere(f)}${sql ? `: ${firstLine(sql, 140)}` : ''}.`,
        rootCause: 'The check query ran and returned a falsy result: rows in the checked table break the rule the check encodes. The pipeline ran; the data is wrong.',
        fix: [
          `Run the check's query${sql ? ' (above)' : ''} without its aggregate to list the offending rows, and trace them to the load or source that produced them.`,
          'Fix or quarantine those rows upstream and clear the task; change the check only if the rule itself is wrong.',
        ],
      };
    },
  },
  {
    id: 'data-test-failure',
    category: 'data_quality',
    retryable: false,
    confidence: 0.85,
    // Sequelize lists every rejected value as a `ValidationErrorItem`, the database's unique violations
    // too: the item's `type` says which, not its class name. `df.expect_x(…)` is the code calling an
    // expectation (a traceback's code line), not an expectation reported failed.
    pattern: /Got \d+ results?, configured to (?:fail|warn) if|\b\d+ of \d+ FAIL \d+ \S|^dbt\.Test(?:Failure|Warning)|Failure in test|Expectation failed|\bexpectations? (?:unsuccessful|failed|did not pass)|\bValidation (?:failed|unsuccessful)\b|(?<![.\w])expect_\w+\(|success=False|\bunexpected_count\b|pandera|SchemaErrors?\b|ValidationError(?!Item|\([A-Z]\w*\.)|Data quality check failed|DataQualityError|(?<!health[ -]?|connection |connectivity |liveness |readiness |pre-?flight |startup )check failed|ZodError|invalid_type|Expected \w+, received \w+/i,
    explain: (f) => ({
      summary: `Data check failed${atWhere(f)}: ${headline(f.subject, 120)}`,
      rootCause: 'A data test / validation over the data found records that break the expectation (nulls, duplicates, wrong types, out-of-range or orphan keys). The pipeline code ran; the data is wrong.',
      fix: [
        languageOf(f) === 'sql'
          ? `Query the failing rows (\`dbt test -s ${f.location?.function ?? '<test>'} --store-failures\`) to see which records break the test.`
          : `Log or dump the records rejected at ${where(f)} to see which ones break the rule, and where they come from.`,
        'Trace them to the upstream source or join that produced them; fix the data or the model, or quarantine the rows.',
      ],
    }),
  },
  {
    id: 'empty-input',
    category: 'data_quality',
    retryable: false,
    confidence: 0.75,
    pattern: /EmptyDataError|No columns to parse from file|empty (?:dataframe|batch|input)|no rows (?:to|returned|found)|contains no data|Input contains NaN|cannot convert float NaN|NaN or infinity/i,
    explain: (f) => ({
      summary: `Empty or invalid data reached ${where(f)}: ${firstLine(f.subject, 120)}`,
      rootCause: 'The step received an empty input (or NaN values) where it expects rows with values: the upstream extract produced nothing or incomplete data.',
      fix: [
        `Check the upstream output for this run; guard ${codeRef(f)} with a non-empty / not-NaN check that fails with a clear message or skips the run.`,
      ],
    }),
  },
  {
    id: 'data-assertion',
    category: 'data_quality',
    retryable: false,
    confidence: 0.6,
    // A team's own check on the data, raised as a plain exception: the message talks about rows and
    // what is wrong with them.
    // A warehouse's MERGE refusing duplicate source rows for one target row is the input's duplicates too.
    pattern: /Duplicate row detected during DML action|must match at most one source row for each target row|\b(?:rows?|records?)\b[^\n]{0,80}\b(?:null|missing|duplicated?|invalid|empty|negative|out of range)\b|\bnull (?:values?|ids?|keys?)\b|expected \d+ (?:rows|records), (?:found|got) \d+|\bduplicate (?:rows|records|keys)\b/i,
    // `Cannot read property 'rows' of null` names rows and null, but it is the runtime's, not a check's
    // (Spark's `NullPointerException: Null value appeared in non-nullable field` is the data's).
    when: (f) => !/Cannot (?:read|set|destructure) propert(?:y|ies)\b/.test(f.subject),
    explain: (f) => ({
      summary: `Data check failed${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'A check in the pipeline found the data wrong (nulls, duplicates, missing or too few rows) and stopped the step on purpose. The code did its job; the input is the problem.',
      fix: [
        `Look at the rows the check in ${codeRef(f)} rejects and trace them to the upstream source or load that produced them.`,
        'Fix or quarantine the bad rows upstream and re-run; if the check is too strict for legitimate data, adjust its threshold deliberately.',
      ],
    }),
  },
  {
    id: 'null-reference',
    category: 'code_bug',
    retryable: false,
    confidence: 0.7,
    pattern: NULL_DEREFERENCE,
    explain: (f) => ({
      summary: `Null / None dereference at ${where(f)}: ${firstLine(f.subject, 120)}`,
      rootCause: `${codeRef(f)} uses a value that was None/null/undefined: a lookup returned nothing or an optional field was missing in some records.`,
      fix: [`At ${where(f)}, handle the missing value (check for None/null before use, or supply a default), and find which input record lacks it.`],
    }),
  },
  {
    id: 'go-runtime-bug',
    category: 'code_bug',
    retryable: false,
    confidence: 0.75,
    pattern: /index out of range|slice bounds out of range|assignment to entry in nil map|interface conversion|all goroutines are asleep|concurrent map (?:writes|read and map write)/,
    explain: (f) =>
      /asleep - deadlock/.test(f.subject)
        ? {
            summary: `Goroutine deadlock at ${where(f)}: every goroutine is blocked.`,
            rootCause: `${codeRef(f)} waits on a channel, lock or WaitGroup that nothing will ever release.`,
            fix: [`At ${where(f)}, make sure producers close the channel when done and every WaitGroup.Add has its Done (use a select with a context to avoid waiting forever).`],
          }
        : {
      summary: `Go runtime panic at ${where(f)}: ${firstLine(f.subject, 120)}`,
      rootCause: `${codeRef(f)} breaks a runtime invariant (bounds, nil map, type assertion or a deadlock); the input made an unchecked assumption fail.`,
      fix: [`At ${where(f)}, check lengths / nil / the type assertion's ok value before use, and add a test with the input that triggered it.`],
          },
  },
  {
    id: 'config-generic',
    category: 'configuration',
    retryable: false,
    confidence: 0.65,
    // Settings as their tools word them: librdkafka's `Invalid argument or configuration`, an option pair
    // that cannot be combined, a setting that must be set; a command line the CLI refused (click's `No
    // such option` / `Invalid value for '--x'` / `Missing option`, argparse, Go's flag package, clap).
    pattern: /ImproperlyConfigured|Invalid configuration|ConfigurationError|ConfigError|missing required (?:config(?:uration)?|setting|option|property|argument|parameter)s?\b|invalid (?:DSN|connection string)|Could not parse (?:rfc1738 |SQLAlchemy )?URL from string|invalid connection option|unrecognized configuration parameter|Invalid argument or configuration|\bNo such option: |\b(?:options?|settings?|arguments?|flags?|parameters?) [^\n]{0,80}\b(?:are|is) mutually exclusive|\bconflicting (?:options|settings|arguments|flags|configuration)\b|\b(?:setting|option|parameter|property|config(?:uration)? (?:key|value)) ['"`]?[\w.-]+['"`]? (?:must|needs to) be (?:set|specified|configured|provided)\b|\bis not configured to\b|\bInvalid value for ['"]?-{1,2}[\w-]+|\bMissing option ['"]?-{1,2}[\w-]+|\bthe following arguments are required: |\bflag provided but not defined: -|\bFound argument '[^'\n]{1,80}' which wasn't expected|\bunexpected argument '-{1,2}[\w-]+' found|\bthe following required arguments were not provided|\bno default type provided\b|\byaml\.(?:scanner|parser)\.\w+Error\b|\berror validating data: |\bstrict decoding error: |\bmapping values are not allowed here\b|\bTOMLDecodeError\b/i,
    explain: (f) => ({
      summary: `Configuration error${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'A setting the step needs is missing or invalid in the environment it runs in.',
      fix: ['Compare the step\'s configuration (env vars, connection settings, config files) with a working environment and fix the named setting.'],
    }),
  },
  {
    id: 'assertion',
    category: 'code_bug',
    retryable: false,
    confidence: 0.7,
    // A native library's own consistency check (C assert, Rust debug_assert) failed: a bug in that
    // code or in how it is called, never the data's fault alone.
    pattern: /\bAssertion [`'][^\n]{1,200}' failed|\*\*\* [\w./-]{1,100}:\d+:\w+: assert: |\bassertion failed: |\bassertion `left == right` failed/,
    explain: (f) => ({
      summary: `Internal assertion failed${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'A consistency check inside the program or a library it uses failed: the code reached a state its authors ruled out (a bug, or a call sequence or version combination the library does not support).',
      fix: [
        'Find the library and version that asserts (the file name in the message) and search its issue tracker for the assertion; upgrade or pin to a release that fixes it.',
        `If the assertion is in your code, check the assumption at ${where(f)} against the input of this run.`,
      ],
    }),
  },
  {
    id: 'recursion',
    category: 'code_bug',
    retryable: false,
    confidence: 0.7,
    pattern: /RecursionError|StackOverflowError|Maximum call stack size exceeded|goroutine stack exceeds/,
    explain: (f) => ({
      summary: `Unbounded recursion at ${where(f)}.`,
      rootCause: 'A function recursed without reaching its base case (or the input is deeper than recursion can handle).',
      fix: [`Check the recursion's base case at ${where(f)}; make it iterative for deep inputs.`],
    }),
  },
  {
    id: 'standard-code',
    // After every wording: a code with a fixed meaning (errno, a signal or exit status, a gRPC or
    // HTTP status, a cloud provider's or Kafka's error code) says the kind of failure whatever tool
    // printed it, when no tool's wording above explains it (category-codes.ts).
    category: (f) => standardCodeOf(f.subject)?.category ?? 'unknown',
    retryable: (f) => standardCodeOf(f.subject)?.retryable ?? false,
    confidence: 0.65,
    pattern: STANDARD_CODE_PATTERN,
    when: (f) => standardCodeOf(f.subject) !== undefined,
    explain: (f) => {
      const code = standardCodeOf(f.subject);
      const category = code?.category ?? 'unknown';
      return {
        summary: `${firstLine(f.subject, 140)}${atWhere(f)}`,
        rootCause: `The failure carries the ${code?.family ?? 'standard'} code ${code?.code ?? ''}: ${code?.meaning ?? 'a known condition'}. The code has the same meaning whichever tool printed it.`,
        fix: [
          ...(category === 'unknown' ? [] : categoryCheck(category)),
          ...(code?.retryable ? ['A retry is likely to succeed once the condition clears.'] : []),
        ],
      };
    },
  },
  {
    id: 'sqlstate',
    // Last of the specific signatures: the SQLSTATE code or condition name tells the kind of database
    // failure when no wording above explains it (a message in the server's language, or cut).
    category: (f) => sqlStateOf(f.subject)?.category ?? 'database_error',
    retryable: (f) => sqlStateOf(f.subject)?.retryable ?? false,
    confidence: 0.7,
    pattern: SQLSTATE_PATTERN,
    when: (f) => sqlStateOf(f.subject) !== undefined,
    explain: (f) => {
      const state = sqlStateOf(f.subject);
      return {
        summary: `Database error${state ? ` ${state.code} (${state.condition})` : ''}${atWhere(f)}: ${firstLine(f.subject, 140)}`,
        rootCause: `The database rejected the statement with SQLSTATE ${state?.code ?? 'unknown'}: ${state?.condition ?? 'a database error'}. The code names the kind of failure whatever the language of the message.`,
        fix: [
          `Look up SQLSTATE ${state?.code ?? ''} in the database's error-code table and read the message above with it; ${SQLSTATE_ADVICE[state?.category ?? 'database_error'] ?? 'fix what the database names'}.`,
          ...(state?.retryable ? ['A retry is likely to succeed once the condition clears (the connection or the conflicting transaction).'] : []),
        ],
      };
    },
  },
];

/** Signatures by exception type alone: a plausible code bug, said with less confidence. */
export const WEAK_SIGNATURES: readonly Signature[] = [
  {
    id: 'exception-class-words',
    // A class nobody listed still says its kind by its words (category-class-words.ts).
    category: (f) => categoryOfClassName(f.error?.type ?? '') ?? 'unknown',
    retryable: (f) => RETRYABLE_KINDS.has(categoryOfClassName(f.error?.type ?? '') ?? 'unknown'),
    confidence: 0.5,
    pattern: /^[\w.$:]{6,200}/,
    when: (f) => categoryOfClassName(f.error?.type ?? '') !== undefined,
    explain: (f) => {
      const type = f.error?.type ?? 'The error';
      const category = categoryOfClassName(type) ?? 'unknown';
      return {
        summary: `${firstLine(f.subject, 160)}${atWhere(f)}`,
        rootCause: `No known wording explains this error, but its class name, ${type}, names the kind of failure: ${category.replace(/_/g, ' ')}.`,
        fix: category === 'unknown' ? [`Read ${codeRef(f)} at ${where(f)} with the message above.`] : categoryCheck(category),
      };
    },
  },
  {
    id: 'generic-code-error',
    category: 'code_bug',
    retryable: false,
    confidence: 0.5,
    pattern: /^(?:[\w.]*\.)?(?:TypeError|AttributeError|NameError|UnboundLocalError|ReferenceError|ClassCastException|IllegalArgumentException|IllegalStateException|IndexError|ArrayIndexOutOfBoundsException|IndexOutOfBoundsException|StringIndexOutOfBoundsException|NotImplementedError|AssertionError|MatchError|UnsupportedOperationException|SyntaxError|ValueError|KeyError|ArithmeticException|runtime\.Error|panic)\b/,
    explain: (f) => ({
      summary: `${firstLine(f.subject, 160)} at ${where(f)}`,
      rootCause: `${codeRef(f)} raised ${f.error?.type ?? 'an error'}: the code made an assumption about its input or state that did not hold.`,
      fix: [`Read ${codeRef(f)} at ${where(f)} with the message above; handle the case it did not expect and add a test with the input of this run.`],
    }),
  },
  {
    id: 'generic-database-error',
    category: 'database_error',
    retryable: false,
    confidence: 0.45,
    pattern: /psycopg|sqlalchemy|SQLException|PSQLException|DatabaseError|OperationalError|ProgrammingError|^dbt\.DatabaseError|^postgres\.|\bpq: |pgx|SnowflakeSQLException|BigQuery/,
    explain: (f) => ({
      summary: `Database error${atWhere(f)}: ${firstLine(f.subject, 140)}`,
      rootCause: 'The database rejected the statement or the session; the message above is the database\'s own explanation.',
      fix: [`Run the failing statement ${f.location ? `from ${where(f)} ` : ''}by hand against the same database to reproduce, and fix according to the database's message.`],
    }),
  },
];
