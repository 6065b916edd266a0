// SQLSTATE: the five-character condition code of the SQL standard that PostgreSQL, Snowflake, ODBC,
// JDBC and MySQL drivers print beside a message, and the condition names psycopg / asyncpg give
// their exception classes. Unlike the message, the code and the name do not depend on the server's
// language (`ОШИБКА`, `ERREUR`, `FEHLER`) or on how much of the message a paste kept, so they say
// what kind of failure it was when no wording does. The knowledge base reads them last among the
// database signatures: a specific wording explains better and wins on the same line.
import type { Category } from '../../types.js';

export interface SqlState {
  code: string;
  category: Category;
  /** What the condition is, for the explanation (`data exception`, `connection failure`). */
  condition: string;
  retryable: boolean;
}

type Entry = [category: Category, condition: string, retryable: boolean];

// Whole codes first, then the two-character class. A class left out (3D: database does not exist,
// 0A: feature not supported, 54: program limit) is one whose logs are labelled several ways, and
// so is a code that stands for several kinds (null): Snowflake's 08001 is mostly a refused login,
// 22000 is what Snowflake gives errors it does not classify, MySQL's 42000 is a syntax error or
// an access rule, 22023 an invalid parameter (a setting as often as a value).
const CODES: Readonly<Record<string, Entry | null>> = {
  '08001': null,
  '08004': null,
  '22000': null,
  '22012': null,
  '22023': null,
  '42000': null,
  '42501': ['auth_or_permission', 'insufficient privilege', false],
  '42P01': ['missing_input', 'undefined table', false],
  '42S02': ['missing_input', 'undefined table', false],
  '42703': ['schema_drift', 'undefined column', false],
  '42S22': ['schema_drift', 'undefined column', false],
  '42601': ['code_bug', 'syntax error', false],
  '42883': ['code_bug', 'undefined function', false],
  '42804': ['schema_drift', 'datatype mismatch', false],
  '57014': null,
  '57P01': ['network_or_service_unavailable', 'the server shut down', true],
  '57P02': ['network_or_service_unavailable', 'the server crashed', true],
  '57P03': ['network_or_service_unavailable', 'the server cannot take connections now', true],
  '55P03': ['database_error', 'lock not available', true],
  '53100': ['resource_exhaustion', 'disk full', false],
  '53200': ['resource_exhaustion', 'out of memory', false],
  '53300': ['resource_exhaustion', 'too many connections', true],
};

const CLASSES: Readonly<Record<string, Entry>> = {
  '08': ['network_or_service_unavailable', 'connection failure', true],
  '22': ['data_quality', 'data exception (a value the column or function cannot take)', false],
  '23': ['database_error', 'integrity constraint violation', false],
  '28': ['auth_or_permission', 'invalid authorization', false],
  '40': ['database_error', 'transaction rollback (serialization failure or deadlock)', true],
  '53': ['resource_exhaustion', 'insufficient resources', false],
  '55': ['database_error', 'object not in prerequisite state', false],
  XX: ['database_error', 'internal error of the database', false],
};

// psycopg's and asyncpg's exception classes are the condition names (asyncpg adds `Error`).
const NAMES: Readonly<Record<string, string>> = {
  StringDataRightTruncation: '22001',
  NumericValueOutOfRange: '22003',
  InvalidDatetimeFormat: '22007',
  DatetimeFieldOverflow: '22008',
  InvalidTextRepresentation: '22P02',
  CharacterNotInRepertoire: '22021',
  UntranslatableCharacter: '22P05',
  InvalidBinaryRepresentation: '22P03',
  UniqueViolation: '23505',
  ForeignKeyViolation: '23503',
  NotNullViolation: '23502',
  CheckViolation: '23514',
  InvalidPassword: '28P01',
  InvalidAuthorizationSpecification: '28000',
  InsufficientPrivilege: '42501',
  UndefinedTable: '42P01',
  UndefinedColumn: '42703',
  UndefinedFunction: '42883',
  DatatypeMismatch: '42804',
  SerializationFailure: '40001',
  DeadlockDetected: '40P01',
  QueryCanceled: '57014',
  AdminShutdown: '57P01',
  CrashShutdown: '57P02',
  CannotConnectNow: '57P03',
  LockNotAvailable: '55P03',
  DiskFull: '53100',
  OutOfMemory: '53200',
  TooManyConnections: '53300',
  ConnectionFailure: '08006',
  ConnectionException: '08000',
};

// Where a code is printed, each with the words that make a five-character token a SQLSTATE: a
// label (`SQLSTATE 23505`, `SQL state [42P01]`, pgx's `(SQLSTATE 40001)`), ODBC's `[08S01]` and
// pgcopydb's `[XX000]` (bracketed, with a letter, or all digits before the server's `ERROR:` in its
// own language: a bare number in brackets is a pid or a count),
// Snowflake's `002003 (42S02):`, psql's verbose `ERROR:  42P01:` in any language.
const CODE_SITES = [
  /\b(?:SQLSTATE|SQL ?State|sql_?state|pgcode|error state)\b\W{0,4}([0-9A-Z]{5})\b/i,
  /\[((?=[0-9A-Z]{0,4}[A-Z])[0-9A-Z]{5})\](?!\()/,
  /\b\d{6} \(([0-9A-Z]{5})\):/,
  /\[(\d{5})\] [A-ZÀ-ÞА-Я]{4,8}:/,
  /(?:^|\s)[A-ZÀ-ÞА-Я]{4,8}:\s+([0-9A-Z]{5}):\s/,
];
const CONDITION_NAME = /\b(?:psycopg2?\.errors|asyncpg\.exceptions)\.([A-Z][A-Za-z]+?)(?:Error)?\b/;

/** The pattern a signature matches: any place a SQLSTATE or a condition name may be printed. */
export const SQLSTATE_PATTERN = new RegExp(`${CODE_SITES.map((r) => r.source).join('|')}|${CONDITION_NAME.source}`, 'i');

function entryOf(code: string): SqlState | undefined {
  const entry = code in CODES ? CODES[code] : CLASSES[code.slice(0, 2)];
  return entry ? { code, category: entry[0], condition: entry[1], retryable: entry[2] } : undefined;
}

/** The SQLSTATE a text names (as a code or a condition name), when it is one the table knows. */
export function sqlStateOf(text: string): SqlState | undefined {
  const name = CONDITION_NAME.exec(text)?.[1];
  const named = name ? NAMES[name] : undefined;
  if (named) return entryOf(named);
  for (const site of CODE_SITES) {
    const code = site.exec(text)?.[1]?.toUpperCase();
    const state = code ? entryOf(code) : undefined;
    if (state) return state;
  }
  return undefined;
}
