// Category classes from the misses of blind batch r8 and of the development corpus scored against
// `evidence_category` (what the log alone shows): wordings the signatures misread although the log
// says what happened. Each class is tested on wordings written here, not copied from the corpus, with
// a negative corpus for every token it tames: messages with the same words that are another class.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import type { Category, DiagnoseRequest } from '../../src/types.js';

function request(text: string): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text, context: [] };
}

/** The signatures' own reading (the learned model off): these classes are the signatures'. */
const categoryOf = (text: string): Category => analyse(request(text), { readSourceFiles: false, learned: false }).category;

function expectAll(category: Category, texts: readonly string[]): void {
  for (const text of texts) expect(categoryOf(text), text).toBe(category);
}

describe("a setting's snake_case name is no timeout", () => {
  it('reads a message about a *_timeout setting by what else it says', () => {
    expect(categoryOf('rusqlite: cannot apply busy_timeout: database table is locked: events')).toBe('database_error');
    expect(categoryOf('ERROR: invalid value for parameter "idle_session_timeout": "ten"')).not.toBe('timeout');
    expect(categoryOf('config error: unknown key request_timeout in [http] section')).not.toBe('timeout');
  });

  it('keeps a wait that ran out a timeout, whether or not a setting is named', () => {
    expectAll('timeout', [
      'ERROR: canceling statement due to statement timeout',
      'job 42 failed: query exceeded the statement_timeout',
      'Task exceeded execution_timeout',
      'requests.exceptions.ReadTimeout: HTTPSConnectionPool(host=\'api.example.org\', port=443): Read timed out. (read timeout=30)',
      'socket.timeout: timed out',
      'Error: context deadline exceeded',
      'asyncio.exceptions.TimeoutError',
    ]);
  });
});

describe("SQLite's other lock wordings are the single-writer conflict", () => {
  it('reads a locked table or schema (SQLITE_LOCKED) and the SQLITE_BUSY code as a database conflict', () => {
    expectAll('database_error', [
      'sqlite3.OperationalError: database table is locked: jobs',
      'Error: SqliteFailure(Error { code: DatabaseBusy, extended_code: 6 }, Some("database schema is locked: main"))',
      'Error: SQLITE_BUSY: database is locked',
      '[SQLITE_LOCKED] A table in the database is locked',
    ]);
  });

  it('leaves a locked account or file system to their own classes', () => {
    expect(categoryOf('FATAL: the account "etl" is locked, too many failed login attempts')).not.toBe('database_error');
    expect(categoryOf('Permission denied: the file /data/in.csv is locked by another user')).not.toBe('database_error');
  });
});

describe('a quota stated as calls per unit of time is a rate limit', () => {
  it('reads requests, calls or queries per second / minute / hour / day exceeded as the rate', () => {
    expectAll('rate_limit', [
      'source > HTTP error: the number of allowed API calls per hour exceeded for this token',
      'ApiError: exceeded the limit of 50 queries per second for project acme',
      'Error 8: requests per day limit reached, try again tomorrow',
    ]);
  });

  it('keeps a throughput figure, and a disk quota, out of it', () => {
    expect(categoryOf('WARN throughput dropped to 1200 requests per minute, retrying slow shard')).not.toBe('rate_limit');
    expect(categoryOf('OSError: [Errno 122] Disk quota exceeded')).toBe('resource_exhaustion');
  });
});

describe("a warehouse's credit quota is capacity used up, not a request rate", () => {
  it("reads a resource monitor's exceeded quota as resource exhaustion, not retryable", () => {
    for (const text of [
      "Warehouse 'LOAD_WH' cannot be resumed because resource monitor 'DAILY_CREDITS' has exceeded its quota.",
      'snowflake.connector.errors.ProgrammingError: 000606: resource monitor RM_ANALYTICS exceeded its quota',
    ]) {
      const d = analyse(request(text), { readSourceFiles: false, learned: false });
      expect(d.category, text).toBe('resource_exhaustion');
      expect(d.retryable, text).toBe(false);
    }
  });

  it("keeps an API's request quota a rate limit", () => {
    expect(categoryOf("google.api_core.exceptions.TooManyRequests: 429 Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user'")).toBe('rate_limit');
  });
});

describe('a sink table lacking the fields its records carry is schema drift', () => {
  it("reads a table that is missing fields or columns the records have as the records' shape", () => {
    expectAll('schema_drift', [
      'TableAlterOrCreateException: Table "payments" is missing fields ([SinkRecordField{schema=Schema{INT64}, name=fee_cents, isPrimaryKey=false}]) and auto-evolution is disabled',
      "sink error: relation 'analytics.events' is missing columns [utm_medium]",
    ]);
  });

  it('keeps a record that misses a required field of a settings file, and a missing table, out of it', () => {
    expect(categoryOf('Error: TOML parse error at line 3, column 1: missing field `port`')).not.toBe('schema_drift');
    expect(categoryOf('ERROR: relation "analytics.events" does not exist')).toBe('missing_input');
  });
});

describe('an HTTP 502/503/504 status given as the whole error is the service, S3 503 Slow Down its rate', () => {
  it('reads an exception whose message is a gateway or unavailable status as the service', () => {
    for (const text of ['storage.UploadError: 504', 'gcs.ResumableUploadException: 503 None', 'HttpError: 502: upstream reset']) {
      const d = analyse(request(text), { readSourceFiles: false, learned: false });
      expect(d.category, text).toBe('network_or_service_unavailable');
      expect(d.retryable, text).toBe(true);
    }
  });

  it("reads S3's `503 Slow Down` as a rate limit, and keeps counts that happen to be 502-504 out of the service", () => {
    expect(categoryOf('urllib.error.HTTPError: HTTP Error 503: Slow Down')).toBe('rate_limit');
    for (const text of ['ValueError: 503 rows failed validation', 'Error: 502 records rejected by the sink', 'INFO consumers may slow down while the cache warms']) {
      expect(categoryOf(text), text).not.toBe('network_or_service_unavailable');
      expect(categoryOf(text), text).not.toBe('rate_limit');
    }
  });
});
