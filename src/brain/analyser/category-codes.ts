// Standard codes with a fixed meaning, read wherever a failing record prints them: POSIX errno
// names and numbers, process signals and the shell's exit statuses, gRPC status codes, HTTP statuses
// with their context, cloud providers' error codes (AWS, Google APIs, Azure), Kafka's error codes
// and Snowflake's error numbers. Like SQLSTATE (sqlstate.ts), a code is the same whichever tool,
// language or paste printed it, so it says what kind of failure it was when no tool's wording is
// known: the knowledge base reads these after every wording signature, so a specific wording still
// wins, and a code read here fills in where nothing else spoke.
//
// Each code must say one kind of failure in pipelines' logs. A code that stands for several (HTTP
// 400 and 500, gRPC INVALID_ARGUMENT / INTERNAL / FAILED_PRECONDITION, SIGTERM, which a timeout,
// a preemption and an operator all send) is left out on purpose: leaving it out lets the rest of the
// evidence decide, a wrong entry would override it.
import type { Category } from '../../types.js';

export interface StandardCode {
  /** Which table the code comes from (`errno`, `gRPC status`, `AWS error code` …), for the explanation. */
  family: string;
  /** The code as printed (`ENOSPC`, `[Errno 13]`, `UNAVAILABLE`, `503`). */
  code: string;
  category: Category;
  /** What the code means, in a few words. */
  meaning: string;
  retryable: boolean;
}

type Entry = [category: Category, meaning: string, retryable: boolean];

const MEMORY: Entry = ['resource_exhaustion', 'out of memory', false];
const KILLED: Entry = ['resource_exhaustion', 'killed with SIGKILL (the kernel\'s out-of-memory killer, or a memory limit enforced by the scheduler)', false];
const NATIVE_CRASH: Entry = ['code_bug', 'a native crash (invalid memory access or instruction in the program or a library it loads)', false];
const NO_FILE: Entry = ['missing_input', 'no such file or directory', false];
const DENIED: Entry = ['auth_or_permission', 'permission denied', false];
const REFUSED: Entry = ['network_or_service_unavailable', 'connection refused', true];
const RESET: Entry = ['network_or_service_unavailable', 'connection reset by the peer', true];
const UNREACHABLE: Entry = ['network_or_service_unavailable', 'host or network unreachable', true];
const CONNECT_TIMED_OUT: Entry = ['network_or_service_unavailable', 'connection timed out', true];
const DISK_FULL: Entry = ['resource_exhaustion', 'no space left on the device', false];
const FILES: Entry = ['resource_exhaustion', 'too many open files', false];
const ADDRESS_IN_USE: Entry = ['configuration', 'address already in use', false];
const NAME_UNKNOWN: Entry = ['network_or_service_unavailable', 'the host name could not be resolved', true];
const NOT_INSTALLED: Entry = ['dependency_or_import', 'command not found (the program is not installed or not on PATH)', false];
const NOT_PERMITTED: Entry = ['auth_or_permission', 'operation not permitted', false];
const READ_ONLY: Entry = ['configuration', 'read-only file system (the volume is mounted read-only)', false];
const BROKEN_PIPE: Entry = ['network_or_service_unavailable', 'broken pipe (the peer closed the connection)', true];
const QUOTA: Entry = ['resource_exhaustion', 'disk quota exceeded', false];
const NAME_SERVER: Entry = ['network_or_service_unavailable', 'the name server did not answer', true];

// POSIX errno names (C, Node's `code: 'EACCES'`, Go's syscall errors, Rust's io errors). EEXIST, EINVAL,
// EAGAIN, EBUSY, EIO are left out: each is several kinds of failure.
const ERRNO_NAMES: Readonly<Record<string, Entry>> = {
  ENOENT: NO_FILE,
  EACCES: DENIED,
  EPERM: NOT_PERMITTED,
  ECONNREFUSED: REFUSED,
  ECONNRESET: RESET,
  ECONNABORTED: RESET,
  EPIPE: BROKEN_PIPE,
  EHOSTUNREACH: UNREACHABLE,
  ENETUNREACH: UNREACHABLE,
  ENETDOWN: UNREACHABLE,
  ETIMEDOUT: CONNECT_TIMED_OUT,
  ESOCKETTIMEDOUT: CONNECT_TIMED_OUT,
  ENOTFOUND: NAME_UNKNOWN,
  EAI_AGAIN: NAME_SERVER,
  ENOSPC: DISK_FULL,
  EDQUOT: QUOTA,
  EMFILE: FILES,
  ENFILE: FILES,
  ENOMEM: MEMORY,
  EADDRINUSE: ADDRESS_IN_USE,
  EROFS: READ_ONLY,
};

// Errno numbers as Python (`[Errno 13]`) and Rust (`(os error 13)`) print them: Linux's, and macOS's
// where it differs for a code Linux numbers otherwise (48, 54, 60, 61, 65). Negative ones are
// getaddrinfo's (Python's socket.gaierror).
const ERRNO_NUMBERS: Readonly<Record<string, Entry>> = {
  '1': NOT_PERMITTED,
  '2': NO_FILE,
  '12': MEMORY,
  '13': DENIED,
  '23': FILES,
  '24': FILES,
  '28': DISK_FULL,
  '30': READ_ONLY,
  '32': BROKEN_PIPE,
  '98': ADDRESS_IN_USE,
  '101': UNREACHABLE,
  '104': RESET,
  '110': CONNECT_TIMED_OUT,
  '111': REFUSED,
  '113': UNREACHABLE,
  '122': QUOTA,
  '48': ADDRESS_IN_USE,
  '54': RESET,
  '60': CONNECT_TIMED_OUT,
  '61': REFUSED,
  '65': UNREACHABLE,
  '-2': NAME_UNKNOWN,
  '-3': NAME_SERVER,
};

// Windows' system error codes as Python prints them (`[WinError 5] Access is denied`).
const WINERROR: Readonly<Record<string, Entry>> = {
  '2': NO_FILE,
  '3': NO_FILE,
  '5': DENIED,
  '112': DISK_FULL,
  '1455': ['resource_exhaustion', 'the paging file is too small (out of memory)', false],
  '10048': ADDRESS_IN_USE,
  '10054': RESET,
  '10060': CONNECT_TIMED_OUT,
  '10061': REFUSED,
};

// Rust's std::io::ErrorKind, as its errors print it (`Error { kind: InvalidData, message: … }`,
// `Os { code: 2, kind: NotFound }`). Other, Uncategorized, InvalidInput, Interrupted are several kinds.
const RUST_IO_KINDS: Readonly<Record<string, Entry>> = {
  NotFound: NO_FILE,
  PermissionDenied: DENIED,
  ConnectionRefused: REFUSED,
  ConnectionReset: RESET,
  ConnectionAborted: RESET,
  BrokenPipe: BROKEN_PIPE,
  HostUnreachable: UNREACHABLE,
  NetworkUnreachable: UNREACHABLE,
  TimedOut: ['timeout', 'the operation timed out', true],
  AddrInUse: ADDRESS_IN_USE,
  ReadOnlyFilesystem: READ_ONLY,
  StorageFull: DISK_FULL,
  QuotaExceeded: QUOTA,
  OutOfMemory: MEMORY,
  InvalidData: ['data_quality', 'the data read is not valid for its format (bad UTF-8, a corrupt record)', false],
  UnexpectedEof: ['data_quality', 'the input ended before the reader expected (a truncated file or record)', false],
};

// Signals by name and number. SIGKILL is what the OOM killer (and a container's memory limit) sends
// a pipeline's worker; the crash signals are the program's. SIGTERM and SIGINT are left out: a
// timeout, a preemption, an eviction and an operator all send them.
const SIGNALS: Readonly<Record<string, Entry>> = {
  KILL: KILLED,
  SEGV: NATIVE_CRASH,
  BUS: NATIVE_CRASH,
  ILL: NATIVE_CRASH,
  FPE: ['code_bug', 'an arithmetic fault (integer division by zero) in native code', false],
  XCPU: ['resource_exhaustion', 'the CPU time limit was reached', false],
  XFSZ: ['resource_exhaustion', 'the file size limit was reached', false],
};
// The shell's report of a child a signal ended (`line 1: 2048 Killed  fastp …`, `Segmentation fault (core dumped)`),
// and Python's faulthandler's (`Fatal Python error: Segmentation fault`).
const SIGNAL_REPORTS: Readonly<Record<string, string>> = { killed: 'KILL', 'segmentation fault': 'SEGV', 'bus error': 'BUS', 'illegal instruction': 'ILL' };
const SIGNAL_NUMBERS: Readonly<Record<string, string>> = { '9': 'KILL', '11': 'SEGV', '7': 'BUS', '4': 'ILL', '8': 'FPE', '24': 'XCPU', '25': 'XFSZ' };

// Exit statuses with a fixed meaning: the shell's 127 (command not found), and 128 + a signal's
// number for a process the signal ended (137 = SIGKILL, 139 = SIGSEGV).
const EXIT_STATUSES: Readonly<Record<string, Entry>> = {
  '127': NOT_INSTALLED,
  '137': KILLED,
  '139': NATIVE_CRASH,
  '135': NATIVE_CRASH,
  '132': NATIVE_CRASH,
};

// gRPC's canonical status codes, also Google APIs' `"status"` and Go's `codes.X`. INVALID_ARGUMENT,
// FAILED_PRECONDITION, OUT_OF_RANGE, ALREADY_EXISTS, INTERNAL, UNKNOWN, CANCELLED, DATA_LOSS are
// left out: each covers several kinds.
const GRPC: Readonly<Record<string, Entry>> = {
  UNAVAILABLE: ['network_or_service_unavailable', 'the service is unavailable', true],
  DEADLINE_EXCEEDED: ['timeout', 'the deadline was exceeded', true],
  PERMISSION_DENIED: ['auth_or_permission', 'permission denied', false],
  UNAUTHENTICATED: ['auth_or_permission', 'no valid credentials', false],
  RESOURCE_EXHAUSTED: ['rate_limit', 'a quota or rate was exhausted', true],
  NOT_FOUND: ['missing_input', 'the requested entity was not found', false],
  ABORTED: ['database_error', 'aborted by a concurrency conflict', true],
  UNIMPLEMENTED: ['dependency_or_import', 'the method is not implemented by the other side (a version mismatch)', false],
};

// HTTP statuses, read only beside a word that makes the number a status (`HTTP 503`, `status code: 429`,
// `403 Forbidden`): a bare number is a key, a count or a port (`KeyError: 429`). 400, 404, 409 and 500
// are left out: a bad request, a missing endpoint or object, a conflict and a server's own error are
// each several kinds in pipelines' logs.
const HTTP: Readonly<Record<string, Entry>> = {
  '401': ['auth_or_permission', 'unauthorized (missing or invalid credentials)', false],
  '403': ['auth_or_permission', 'forbidden', false],
  '407': ['auth_or_permission', 'proxy authentication required', false],
  '408': ['timeout', 'request timeout', true],
  '429': ['rate_limit', 'too many requests', true],
  '502': ['network_or_service_unavailable', 'bad gateway', true],
  '503': ['network_or_service_unavailable', 'service unavailable', true],
  '504': ['network_or_service_unavailable', 'gateway timeout', true],
  '507': ['resource_exhaustion', 'insufficient storage', false],
};
const HTTP_REASONS: Readonly<Record<string, string>> = {
  unauthorized: '401',
  forbidden: '403',
  'proxy authentication required': '407',
  'request timeout': '408',
  'too many requests': '429',
  'bad gateway': '502',
  'service unavailable': '503',
  'gateway timeout': '504',
  'gateway time-out': '504',
  'insufficient storage': '507',
};

// Cloud providers' error codes: AWS's (the `Code` of an error response, the SDKs' exception names),
// Azure's (`ErrorCode`), each distinctive enough to read as a bare word; Google APIs' reasons are
// common words, read only as a `reason`.
const CLOUD: Readonly<Record<string, Entry>> = {
  AccessDenied: DENIED,
  AccessDeniedException: DENIED,
  UnauthorizedOperation: DENIED,
  UnauthorizedAccess: DENIED,
  AuthFailure: ['auth_or_permission', 'the credentials were not accepted', false],
  InvalidAccessKeyId: ['auth_or_permission', 'the access key does not exist', false],
  InvalidClientTokenId: ['auth_or_permission', 'the access key does not exist', false],
  SignatureDoesNotMatch: ['auth_or_permission', 'the secret key does not match', false],
  UnrecognizedClientException: ['auth_or_permission', 'the credentials are not recognised', false],
  ExpiredToken: ['auth_or_permission', 'the session token expired', false],
  ExpiredTokenException: ['auth_or_permission', 'the session token expired', false],
  AuthorizationFailed: DENIED,
  AuthenticationFailed: ['auth_or_permission', 'authentication failed', false],
  AuthorizationPermissionMismatch: DENIED,
  InvalidAuthenticationToken: ['auth_or_permission', 'the access token is not valid', false],
  InvalidAuthenticationTokenTenant: ['auth_or_permission', 'the access token is for another tenant', false],
  ThrottlingException: ['rate_limit', 'throttled', true],
  TooManyRequestsException: ['rate_limit', 'too many requests', true],
  RequestLimitExceeded: ['rate_limit', 'request limit exceeded', true],
  SlowDown: ['rate_limit', 'reduce the request rate', true],
  ProvisionedThroughputExceededException: ['rate_limit', 'provisioned throughput exceeded', true],
  ServerBusy: ['rate_limit', 'the storage account is throttling', true],
  NoSuchKey: ['missing_input', 'the object does not exist', false],
  NoSuchBucket: ['missing_input', 'the bucket does not exist', false],
  NoSuchEntity: ['missing_input', 'the entity does not exist', false],
  ResourceNotFoundException: ['missing_input', 'the resource does not exist', false],
  EntityNotFoundException: ['missing_input', 'the entity does not exist', false],
  BlobNotFound: ['missing_input', 'the blob does not exist', false],
  ContainerNotFound: ['missing_input', 'the container does not exist', false],
  PathNotFound: ['missing_input', 'the path does not exist', false],
  ResourceGroupNotFound: ['configuration', 'the resource group does not exist (a wrong name or subscription)', false],
  SubscriptionNotFound: ['configuration', 'the subscription does not exist (a wrong id or tenant)', false],
  MissingRegion: ['configuration', 'no region is set', false],
  NoRegion: ['configuration', 'no region is set', false],
  AuthorizationHeaderMalformed: ['configuration', 'the request was signed for another region', false],
  PermanentRedirect: ['configuration', 'the bucket is in another region than the client', false],
  ServiceUnavailableException: ['network_or_service_unavailable', 'the service is unavailable', true],
  RequestTimeout: ['timeout', 'the request timed out', true],
  RequestTimeoutException: ['timeout', 'the request timed out', true],
  OperationTimedOut: ['timeout', 'the operation timed out', true],
};
const GOOGLE_REASONS: Readonly<Record<string, Entry>> = {
  notFound: ['missing_input', 'not found', false],
  forbidden: DENIED,
  accessDenied: DENIED,
  insufficientPermissions: DENIED,
  authError: ['auth_or_permission', 'the credentials were not accepted', false],
  rateLimitExceeded: ['rate_limit', 'rate limit exceeded', true],
  userRateLimitExceeded: ['rate_limit', 'rate limit exceeded', true],
  jobRateLimitExceeded: ['rate_limit', 'rate limit exceeded', true],
  quotaExceeded: ['rate_limit', 'quota exceeded', true],
  backendError: ['network_or_service_unavailable', 'a transient error of the service', true],
  resourcesExceeded: ['resource_exhaustion', 'the query used more resources than allowed', false],
  responseTooLarge: ['resource_exhaustion', 'the result is too large', false],
  billingNotEnabled: ['configuration', 'billing is not enabled for the project', false],
};

const SDK_KINDS: Readonly<Record<string, Entry>> = {
  dispatchfailure: ['network_or_service_unavailable', 'the request could not be sent (connection, DNS or TLS)', true],
  constructionfailure: ['configuration', 'the request could not be built (a region, endpoint or credentials setting)', false],
  failedtoconstructrequest: ['configuration', 'the request could not be built (a region, endpoint or credentials setting)', false],
};

// Kafka's error codes (the protocol's names, librdkafka's `Broker:` / `Local:` strings).
const KAFKA: Readonly<Record<string, Entry>> = {
  UNKNOWN_TOPIC_OR_PARTITION: ['missing_input', 'the topic or partition does not exist', false],
  LEADER_NOT_AVAILABLE: ['network_or_service_unavailable', 'the partition has no leader now', true],
  NOT_LEADER_OR_FOLLOWER: ['network_or_service_unavailable', 'the partition moved to another broker', true],
  NOT_LEADER_FOR_PARTITION: ['network_or_service_unavailable', 'the partition moved to another broker', true],
  NETWORK_EXCEPTION: ['network_or_service_unavailable', 'the broker connection failed', true],
  BROKER_NOT_AVAILABLE: ['network_or_service_unavailable', 'the broker is not available', true],
  COORDINATOR_NOT_AVAILABLE: ['network_or_service_unavailable', 'the group coordinator is not available', true],
  REQUEST_TIMED_OUT: ['timeout', 'the request timed out', true],
  TOPIC_AUTHORIZATION_FAILED: DENIED,
  GROUP_AUTHORIZATION_FAILED: DENIED,
  CLUSTER_AUTHORIZATION_FAILED: DENIED,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: DENIED,
  SASL_AUTHENTICATION_FAILED: ['auth_or_permission', 'SASL authentication failed', false],
  MESSAGE_TOO_LARGE: ['configuration', 'the message is larger than the broker or topic allows', false],
  RECORD_LIST_TOO_LARGE: ['configuration', 'the batch is larger than the broker allows', false],
  INVALID_REPLICATION_FACTOR: ['configuration', 'the replication factor is more than there are brokers', false],
  POLICY_VIOLATION: ['configuration', 'the request breaks the broker\'s policy', false],
  THROTTLING_QUOTA_EXCEEDED: ['rate_limit', 'the client quota was exceeded', true],
  UNSUPPORTED_VERSION: ['dependency_or_import', 'the broker does not support the client\'s protocol version', false],
  CORRUPT_MESSAGE: ['data_quality', 'the message is corrupt', false],
};
// librdkafka's err2str for the same codes (`Broker: Unknown topic or partition`, `Local: Message timed out`).
const KAFKA_STRINGS: Readonly<Record<string, string>> = {
  'unknown topic or partition': 'UNKNOWN_TOPIC_OR_PARTITION',
  'unknown topic': 'UNKNOWN_TOPIC_OR_PARTITION',
  'leader not available': 'LEADER_NOT_AVAILABLE',
  'not leader for partition': 'NOT_LEADER_FOR_PARTITION',
  'request timed out': 'REQUEST_TIMED_OUT',
  'message timed out': 'REQUEST_TIMED_OUT',
  'broker transport failure': 'NETWORK_EXCEPTION',
  'all broker connections are down': 'BROKER_NOT_AVAILABLE',
  'topic authorization failed': 'TOPIC_AUTHORIZATION_FAILED',
  'group authorization failed': 'GROUP_AUTHORIZATION_FAILED',
  'authentication failure': 'SASL_AUTHENTICATION_FAILED',
  'message size too large': 'MESSAGE_TOO_LARGE',
};

// Snowflake's own error numbers, printed before the SQLSTATE (`390100 (08004): Incorrect username or
// password`): the SQLSTATE beside them is often a class too broad to say (08001, 08004, 57014, 22000).
// 250001 (`Failed to connect to DB`) is left out: the connector wraps every failed login in it, a
// locked account as much as an unreachable host.
const SNOWFLAKE: Readonly<Record<string, Entry>> = {
  '390100': ['auth_or_permission', 'incorrect username or password', false],
  '390144': ['auth_or_permission', 'the key-pair (JWT) token is not valid', false],
  '000606': ['configuration', 'no active warehouse is selected', false],
  '000630': ['timeout', 'the statement reached its statement or warehouse timeout', false],
  '002003': ['missing_input', 'the object does not exist or is not authorised', false],
  '100038': ['data_quality', 'a numeric value is not recognised', false],
};

interface Site {
  family: string;
  /** Captures the code in group 1. */
  pattern: RegExp;
  entryOf: (code: string) => Entry | undefined;
  /** How the code is shown (`[Errno 13]`, `SIGKILL`). */
  show?: (code: string) => string;
}

const names = (table: Readonly<Record<string, unknown>>): string => Object.keys(table).sort((a, b) => b.length - a.length).join('|');
const lookup = (table: Readonly<Record<string, Entry>>) => (code: string): Entry | undefined => (Object.hasOwn(table, code) ? table[code] : undefined);

/** Go's `codes.DeadlineExceeded` / `code = PermissionDenied` → `DEADLINE_EXCEEDED`. */
const grpcName = (code: string): string => (code.includes('_') || code === code.toUpperCase() ? code : code.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toUpperCase());
const GRPC_CAMEL = Object.keys(GRPC).map((name) => name.toLowerCase().replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase()));

// Where each family's codes are printed. Every site names its code with the context that makes it
// that code, never a bare number.
const SITES: readonly Site[] = [
  { family: 'errno', pattern: new RegExp(`\\b(${names(ERRNO_NAMES)})\\b`), entryOf: lookup(ERRNO_NAMES) },
  { family: 'errno', pattern: /\[Errno (-?\d{1,3})\]|\(os error (\d{1,3})\)/, entryOf: lookup(ERRNO_NUMBERS), show: (c) => `[Errno ${c}]` },
  { family: 'Windows error', pattern: /\[WinError (\d{1,5})\]/, entryOf: lookup(WINERROR), show: (c) => `[WinError ${c}]` },
  {
    family: 'signal',
    pattern: new RegExp(`\\bSIG(${names(SIGNALS)})\\b|\\bsignal:? (\\d{1,2})\\b`),
    entryOf: (code) => lookup(SIGNALS)(SIGNAL_NUMBERS[code] ?? code),
    show: (code) => `SIG${SIGNAL_NUMBERS[code] ?? code}`,
  },
  {
    family: 'signal',
    pattern: /(?:\bline \d+: +|^\s*)\d+ (Killed|Segmentation fault|Bus error|Illegal instruction)\b|\b(Segmentation fault|Bus error|Illegal instruction) \(core dumped\)|\bFatal Python error: (Segmentation fault|Bus error|Illegal instruction)\b/m,
    entryOf: (report) => lookup(SIGNALS)(SIGNAL_REPORTS[report.toLowerCase()] ?? ''),
    show: (report) => `SIG${SIGNAL_REPORTS[report.toLowerCase()] ?? report}`,
  },
  { family: 'Rust io::ErrorKind', pattern: new RegExp(`\\bkind: (${names(RUST_IO_KINDS)})\\b`), entryOf: lookup(RUST_IO_KINDS) },
  {
    family: 'exit status',
    pattern: /\b(?:exit(?:ed)?(?: with)?|returned(?: non-zero)?|return|died with)[ (]{1,2}(?:code|status|exit status|value)[ :=]{0,3}(1[23]\d)\b|\bexit status[ :=]{0,3}(1[23]\d)\b/i,
    entryOf: lookup(EXIT_STATUSES),
  },
  {
    // The shell's own words for status 127: bash's `foo: command not found`, dash's `sh: 1: foo: not found`, cmd.exe's.
    family: 'exit status',
    pattern: /(?:^|\s)[\w./+-]{1,80}: command not found\b|\bsh: (?:line )?\d+: [\w./+-]{1,80}: not found\b|\bis not recognized as an internal or external command\b/,
    entryOf: () => NOT_INSTALLED,
    show: () => '127 (command not found)',
  },
  {
    family: 'gRPC status',
    pattern: new RegExp(
      `\\bStatusCode\\.(${names(GRPC)})\\b|\\b(?:code|status)\\s?[=:]\\s?"?(${names(GRPC)}|${GRPC_CAMEL.join('|')})\\b|\\bcodes\\.(${GRPC_CAMEL.join('|')})\\b|\\bStatus(?:Runtime)?Exception: (${names(GRPC)})\\b|\\b[Ss]tatus\\{code=(${names(GRPC)})\\b|"status":\\s?"(${names(GRPC)})"`,
    ),
    entryOf: (code) => lookup(GRPC)(grpcName(code)),
    show: grpcName,
  },
  { family: 'cloud error code', pattern: new RegExp(`(?<![\\w.])(${names(CLOUD)})(?![\\w-])`), entryOf: lookup(CLOUD) },
  // The AWS SDKs' own kinds of a failed call (Rust's and the smithy SDKs' SdkError): the request could
  // not be built (a region or credentials setting) or not be sent (the connection).
  { family: 'AWS SDK error kind', pattern: /\b(DispatchFailure|dispatch failure|ConstructionFailure|failed to construct request)\b/, entryOf: (kind) => SDK_KINDS[kind.toLowerCase().replace(/ /g, '')], show: (kind) => kind },
  // S3 spells its SlowDown code as the status's reason phrase too (`503 Slow Down`).
  { family: 'cloud error code', pattern: /\b503 (Slow Down)\b/, entryOf: () => CLOUD.SlowDown, show: () => 'SlowDown' },
  { family: 'Google API reason', pattern: new RegExp(`["']?reason["']?\\s?[:=]\\s?["']?(${names(GOOGLE_REASONS)})\\b`), entryOf: lookup(GOOGLE_REASONS) },
  { family: 'Kafka error code', pattern: new RegExp(`\\b(${names(KAFKA)})\\b`), entryOf: lookup(KAFKA) },
  {
    family: 'Kafka error code',
    pattern: new RegExp(`\\b(?:Broker|Local): (${Object.keys(KAFKA_STRINGS).join('|')})\\b`, 'i'),
    entryOf: (text) => lookup(KAFKA)(KAFKA_STRINGS[text.toLowerCase()] ?? ''),
    show: (text) => KAFKA_STRINGS[text.toLowerCase()] ?? text,
  },
  { family: 'Snowflake error', pattern: /\b(\d{6}) \([0-9A-Z]{5}\)/, entryOf: lookup(SNOWFLAKE) },
  {
    family: 'HTTP status',
    pattern: new RegExp(
      `\\bHTTP(?:/[\\d.]{1,3})?[ :]{1,2}(${names(HTTP)})\\b|\\b(?:status|status[ _]code|response code|http[ _]code|statusCode)["']?\\s?[=:]?\\s?(${names(HTTP)})\\b|\\b(${names(HTTP)}) (?:${Object.keys(HTTP_REASONS).map((r) => r.replace(/ /g, '[ _]')).join('|')})\\b|\\b(${names(HTTP)}) (?:Client|Server) Error\\b`,
      'i',
    ),
    entryOf: lookup(HTTP),
  },
];

/** The pattern a signature matches: any place a standard code may be printed (a superset; `standardCodeOf` decides). */
export const STANDARD_CODE_PATTERN = new RegExp(SITES.map((site) => `(?:${site.pattern.source})`).join('|'), 'im');

/** The first standard code the text names that the tables know, in the order of SITES. */
export function standardCodeOf(text: string): StandardCode | undefined {
  if (text.length > 20_000) text = text.slice(0, 20_000);
  for (const site of SITES) {
    const pattern = site.pattern.global ? site.pattern : new RegExp(site.pattern.source, `${site.pattern.flags}g`);
    for (const m of text.matchAll(pattern)) {
      const code = m.slice(1).find((group) => group !== undefined) ?? '';
      const entry = site.entryOf(code);
      if (entry) return { family: site.family, code: site.show ? site.show(code) : code, category: entry[0], meaning: entry[1], retryable: entry[2] };
    }
  }
  return undefined;
}
