// Failures a person recognises at a glance that the built-in packs missed on the real corpus
// (issue 10 point 4, session 4), each on wordings of our own, with the quiet case beside it.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load-config.js';
import type { SourceConfig } from '../../src/config/config-types.js';
import { createDetector } from '../../src/detect/detector.js';
import { eventsFromText } from '../helpers/events-from-text.js';

const config = defaultConfig({});
const source = config.sources[0] as SourceConfig;
const detector = createDetector(config);
/** The rules that fire on each record of the text. */
const rulesOf = (text: string) => eventsFromText(`${text}\n`, 'inline.log', source).map((e) => detector.match(e).map((m) => m.rule.id));

describe('failures the packs now see', () => {
  it("a PostgreSQL deadlock's DETAIL, all a paste kept of it", () => {
    expect(rulesOf('2026-01-02 03:04:05.058 UTC [2488] DETAIL:  Process 2488 waits for ShareLock on transaction 82147; blocked by process 2491.').flat()).toContain('postgresql.conflict-or-timeout');
  });

  it('a value PostgreSQL rejected, quoted by whatever ran the statement, at any level', () => {
    expect(rulesOf('InvalidTextRepresentation: invalid input syntax for type json').flat()).toContain('postgresql.invalid-data');
    expect(rulesOf('2026-01-02 03:04:05,678 INFO SQL FAILED! : COPY raw.sites FROM \'/tmp/sites.psv\' : invalid byte sequence for encoding "UTF8": 0xc9').flat()).toContain('postgresql.invalid-data');
  });

  it("dbt.log's debug line of the adapter's own error", () => {
    expect(rulesOf('06:23:05.080667 [debug] [Thread-3  ]: Postgres adapter: Postgres error: tuple concurrently updated').flat()).toContain('dbt.runtime-error');
  });

  it("GitHub's secondary rate limit", () => {
    expect(rulesOf('  "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."').flat()).toContain('cloud.throttling');
  });

  it('requests giving up on a host, even in a warning about the run it failed; not urllib3 announcing a retry', () => {
    expect(rulesOf("WARNING runner: the current state is: <Failed: \"HTTPSConnectionPool(host='api.example.com', port=443): Max retries exceeded with url: / (Caused by ReadTimeoutError())\">").flat()).toContain('python.connection-gave-up');
    expect(rulesOf("ReadTimeout: HTTPSConnectionPool(host='api.example.com', port=443): Read timed out. (read timeout=1)").flat()).toContain('python.connection-gave-up');
    expect(rulesOf("WARNING urllib3.connectionpool: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool(host='api.example.com', port=443): Read timed out. (read timeout=10)\")': /v1/items").flat()).toEqual([]);
  });

  it('a logfmt record whose logger left the message unquoted', () => {
    expect(rulesOf('time=2026-01-02 03:04:05 logger_name=etl.cli log_level=ERROR message=Command failed. Return code: 1').flat()).not.toEqual([]);
    expect(rulesOf('time=2026-01-02 03:04:05 logger_name=etl.cli log_level=INFO message=Sync finished, 0 failed').flat()).toEqual([]);
  });
});

describe('more failures the packs now see', () => {
  it("Dagster's serialized error with its frames under `Stack Trace:`; the words alone are not one", () => {
    expect(rulesOf('Message: Invariant failed. Description: asset has no job\n\nStack Trace:\n  File "/srv/venv/lib/python3.12/site-packages/dagster_graphql/schema/nodes.py", line 691, in resolve\n    job = self.get_job()').flat()).toContain('python.traceback');
    expect(rulesOf('INFO the report has a Stack Trace: section when a run fails').flat()).toEqual([]);
  });

  it('a warehouse refusing the login even at warning level (Snowflake)', () => {
    expect(rulesOf('2026-01-02 03:04:05.631 WARNING Unable to run query: 250001 (08001): Failed to connect to DB: acme.snowflakecomputing.com:443. Your user account has been temporarily locked due to too many failed attempts.').flat()).toContain('cloud.access-denied');
  });

  it("the csv crate's error behind a progress bar", () => {
    expect(rulesOf('[00:00:00] ████████ 1/1 Indexing books.csv     CSV deserialize error: record 0 (line: 1, byte: 0): field 0: invalid digit found in string').flat()).toContain('generic.error-line');
  });
});

describe('failures of the latest real logs', () => {
  it("pydantic's report of a config it could not build; not a count of zero", () => {
    expect(rulesOf('1 validation error for PipelineConfig\nsink\n  field required (type=value_error.missing)').flat()).toContain('generic.error-line');
    expect(rulesOf('INFO checked 12 recipes, 0 validation errors').flat()).toEqual([]);
  });

  it('a child the shell reports killed, a migration that failed, a pod past its deadline', () => {
    expect(rulesOf('/bin/bash: line 1: 21688 Killed                  /usr/bin/fastp --in1 a.fq').flat()).toContain('generic.killed');
    expect(rulesOf('migration file "20260102_orders.js" failed').flat()).toContain('generic.failed-unit');
    expect(rulesOf('Message:          Pod was active on the node longer than the specified deadline').flat()).toContain('kubernetes.pod-failure');
  });

  it('an exception line a paste wrapped in backticks', () => {
    expect(rulesOf('`CreateCondaEnvironmentException:`').flat()).toContain('generic.error-line');
  });

  it('a logfmt message whose quote was never closed is read to the end of the line', () => {
    expect(rulesOf('logger=acme.jdbc.SourceTask msg="Failed to run query for table: orders').flat()).not.toEqual([]);
  });

  it('a warehouse user without the privileges to create a model', () => {
    expect(rulesOf("The user 'dbt_user' does not have sufficient permissions to create the model 'orders' in the schema 'analytics'.").flat()).toContain('cloud.access-denied');
  });
});
