// Session 7: the classes behind the misses of blind batch r7, each checked on wordings of our own (not
// a corpus log's) and with the healthy lines that look like them, through the default packs.
import { describe, expect, it } from 'vitest';
import { firstRuleOf as ruleOf } from '../helpers/first-rule.js';

describe('a client that says it stopped retrying', () => {
  it.each<[string, string]>([
    ['a driver that stops retrying at its deadline', 'SEVERE: Stop retrying since the login deadline of 30s has passed\ncom.acme.jdbc.AcmeSQLException: could not reach the warehouse'],
    ['a queue consumer that stopped retrying', '2026-03-01 10:00:01 ERROR consumer: stopped retrying after the broker refused the session\nkafka.errors.KafkaTimeoutError: no broker available'],
    ['an uploader that is not retrying a refused part', 'ERROR upload: part 4 refused (403), not retrying'],
  ])('%s alerts', (_name, text) => {
    expect(ruleOf(text)).not.toBeNull();
  });

  it('a client that is still retrying stays quiet', () => {
    expect(ruleOf('2026-03-01 10:00:01 ERROR consumer: broker refused the session, retrying in 5s')).toBeNull();
  });
});

describe("a framework's verdict in capitals", () => {
  it.each<[string, string]>([
    ['a batch job', '09:12:44 - Job execution FAILURE'],
    ['a task run', '[scheduler] Task run nightly_export FAILURE.'],
    ['a pipeline stage', 'Stage 3 (publish) FAILURE'],
  ])('%s alerts', (_name, text) => {
    expect(ruleOf(text)).toBe('generic.failed-unit');
  });

  it.each<[string, string]>([
    ['a heading of a failure-handling section', 'Job FAILURE handling: notify on-call and keep the partial output'],
    ['a count of zero', 'Job summary: SUCCESS=12 FAILURE=0'],
  ])('%s stays quiet', (_name, text) => {
    expect(ruleOf(text)).toBeNull();
  });
});

describe('an error said as a sentence on what was being done', () => {
  it.each<[string, string]>([
    ['reading a file', 'Error reading config file settings.toml: expected `=` at line 4'],
    ['behind a bracketed context', '[worker-7 shard=3] Error while loading partition 2026-03-01 : checksum mismatch'],
    ['lower-case, during a step', 'error during upload of part-0007.parquet: connection reset by peer'],
  ])('%s alerts', (_name, text) => {
    expect(ruleOf(text)).toBe('generic.error-line');
  });

  it.each<[string, string]>([
    ['an error-rate metric', 'Error rate: 0.2% over the last 5 minutes'],
    ['a handler being installed', 'Error handling: retries=3 backoff=2s'],
    ['error tracking switched on', 'Error tracking: sentry (dsn from env)'],
    ['a warning that works around it', '2026-03-01 10:00:00 WARN Error while looking for cache dir /tmp/x: using defaults'],
  ])('%s stays quiet', (_name, text) => {
    expect(ruleOf(text)).toBeNull();
  });
});

describe('an error class alone on its line, its details below', () => {
  it.each<[string, string]>([
    ['a parse error heading', 'Parsing Error\n  Invalid source definition in sources/raw.yml: loaded_at_field must be a string'],
    ['a validation heading with a colon', 'Validation Error:\n  column "amount" must be numeric'],
  ])('%s alerts', (_name, text) => {
    expect(ruleOf(text)).not.toBeNull();
  });

  it.each<[string, string]>([
    ['a heading in running text', 'See the Parsing Error section of the docs for examples'],
    ['a table column header', 'Name   Parsing Error   Count'],
  ])('%s stays quiet', (_name, text) => {
    expect(ruleOf(text)).toBeNull();
  });
});

describe('runtime messages known everywhere, and shapes that are not what was expected', () => {
  it.each<[string, string]>([
    ['a division by zero quoted by a runner', "'Query failed in model revenue_by_day... division by zero'"],
    ['a codec refusing bytes', "Could not load notes.docx: 'ascii' codec can't decode byte 0xe2 in position 3"],
    ['a deadline behind a redacted prefix', '<redacted> rpc Sync: context deadline exceeded'],
    ["Beam's mark on a step's exception", "ValueError: field amount is not a number [while running 'Parse/ParseRows']"],
    ['a row of the wrong width', 'Row 12 has the wrong number of fields'],
    ['a count that is not the expected one', 'CSV header has 7 columns, but got 6; found 6, expected 7'],
    ['expected N but got M', 'schema check: expected 3 columns but got 4'],
    ['a type that changed', 'Column order_ts has changed type from DATE to STRING'],
    ['a declared type the file contradicts', 'Field qty is declared as type int, but the ORC file stores it as string'],
    ['counts that differ', 'cannot stack frames: differing number of columns: 12 != 11'],
    ['an Elixir error struct', '10:00:01.002 batch 12 of the nightly sync -> %MyXQL.Error{mysql: %{code: 1213, name: :ER_LOCK_DEADLOCK}}'],
  ])('%s alerts', (_name, text) => {
    expect(ruleOf(text)).not.toBeNull();
  });

  it.each<[string, string]>([
    ['a division by zero guarded', '2026-03-01 10:00:00 DEBUG guard against division by zero: denominator is 0, returning null'],
    ['an expected count reported', 'Expected row count: 23'],
    ['expected and seen counts equal, said as progress', 'Loaded 7 of 7 expected files'],
    ['a type changing on purpose', '2026-03-01 10:00:00 INFO migration 12: column ts changed to TIMESTAMP'],
    ['an inequality in a description', 'invariant: rows != 0 is checked before the division'],
  ])('%s stays quiet', (_name, text) => {
    expect(ruleOf(text)).toBeNull();
  });
});

describe('dbt headers, pod events, npm debug logs', () => {
  it.each<[string, string, string]>([
    ['dbt header lower-cased by a paste', '"Database error in model `fct_orders`... division by zero"', 'dbt.database-error'],
    ["kubelet's back-off in describe's events", 'Events:\n  Warning  BackOff  3m (x40 over 20m)  kubelet  Back-off restarting failed container loader in pod etl-7', 'kubernetes.pod-failure'],
    ["npm's debug log", '2231 error code ETARGET\n2232 error notarget No matching version found for left-pad@9.9.9.', 'node.npm-debug-error'],
  ])('%s', (_name, text, rule) => {
    expect(ruleOf(text)).toBe(rule);
  });

  it.each<[string, string]>([
    ["dbt's progress lines that passed", '10:01:02  3 of 9 OK created incremental model analytics.fct_orders ..... [INSERT 0 12 in 4.21s]'],
    ['a skipped model', '10:01:02  4 of 9 SKIP relation analytics.fct_refunds ..... [SKIP]'],
    ["npm's debug log, healthy", '12 verbose stack Error: ok\n13 info ok'],
    ["psql's notice of IF EXISTS", 'NOTICE:  relation "tmp_orders" does not exist, skipping'],
  ])('%s stays quiet', (_name, text) => {
    expect(ruleOf(text)).toBeNull();
  });
});
