// The "one failure, one incident" rule (src/incident/failure-episodes.ts) as a table: which pairs of
// matched records of one file become one incident, and which stay two.
import { describe, expect, it } from 'vitest';
import type { RuleInfo } from '../../src/types.js';
import { EPISODE_GAP_BYTES, EPISODE_MS } from '../../src/incident/failure-episodes.js';
import { harness, incidentsConfig, kinds, match, metricValue, rule, type EventOptions } from './helpers.js';

const pack = (id: string, priority: number, over: Partial<RuleInfo> = {}): RuleInfo => rule({ id, pack: id.split('.')[0] as string, priority, ...over });
const SPARK = pack('jvm.spark-failure', 62, { severity: 'critical' });
const UNCAUGHT = pack('jvm.uncaught-exception', 33, { severity: 'critical' });
const TRACEBACK = pack('python.traceback', 30);
const CONSTRAINT = pack('postgresql.constraint', 75);
const UNDEFINED = pack('postgresql.undefined-object', 76);
const DBT_ERROR = pack('dbt.database-error', 71);
const TASK_FAILED = pack('airflow.task-failed', 58, { summarises: true });
const TASK_RETRY = pack('airflow.task-retry', 57, { severity: 'warning', summarises: true });
const ERROR_RECORD = pack('generic.error-record', 9);
// A runner that logs a failed command's output at ERROR (astronomer-cosmos, test/fixtures/real/dev/dbt/case-fb4153da.log):
// its first line names nothing; dbt's run summary, 628 bytes, comes before the error it announced.
const VAGUE = '[2025-04-03, 06:38:21 UTC] {local.py:222} ERROR - 06:38:20  Running with dbt=1.10.0-b2';
const DBT_CUSTOMERS = 'Database Error in model customers (models/customers/customers.sql)\n  improper relation name (too many dotted names): dbt.***.dbt.customers__dbt_backup';

interface Rec extends EventOptions {
  rule: RuleInfo;
  /** Bytes between the end of the previous record and this one. */
  gap?: number;
  /** ms on the tracker's clock since the previous record. */
  after?: number;
}

/** Feeds the records of one file in order; returns the incidents opened. */
function feed(records: Rec[]) {
  const h = harness(incidentsConfig({ storm: { window_secs: 30, max_individual_alerts: 100 } }));
  let end = 0;
  const opened = [];
  for (const [n, r] of records.entries()) {
    h.clock.advance(r.after ?? 5);
    const offset = end + (r.gap ?? 0);
    const m = match(`fp-${n}`, { ...r, offset, file: r.file ?? '/logs/job.log' });
    end = m.event.origin.endOffset;
    opened.push(...h.tracker.observe(m).filter((u) => u.kind === 'opened'));
  }
  return { opened, h };
}

describe('one failure, one incident', () => {
  const cases: Array<[name: string, records: Rec[], incidents: number]> = [
    [
      'Spark: ERROR FileFormatWriter, then Exception in thread "main" (the same SparkException)',
      [
        { rule: SPARK, message: 'ERROR FileFormatWriter: Aborting job 4b1d.\norg.apache.spark.SparkException: Job aborted due to stage failure' },
        { rule: UNCAUGHT, gap: 300, message: 'Exception in thread "main" org.apache.spark.SparkException: Job aborted.' },
      ],
      1,
    ],
    [
      'dbt: the adapter\'s debug line, then the error it raises (the same quoted column)',
      [
        { rule: UNDEFINED, message: '[debug] Postgres adapter: Postgres error: column "discount_code" does not exist' },
        { rule: DBT_ERROR, gap: 900, message: 'Database Error in model fct_orders (models/fct_orders.sql)\n  column "discount_code" does not exist' },
      ],
      1,
    ],
    [
      'Airflow: the traceback, then Marking task as UP_FOR_RETRY (a summary line)',
      [
        { rule: TRACEBACK, message: 'Task failed with exception\nTraceback (most recent call last):\nValueError: bad row' },
        { rule: TASK_RETRY, gap: 0, message: 'Marking task as UP_FOR_RETRY. dag_id=etl, task_id=load, run_id=r1' },
      ],
      1,
    ],
    [
      'a traceback, then the driver error on its last line (a shape beside a cause)',
      [
        { rule: TRACEBACK, message: 'Traceback (most recent call last):\n  File "x.py", line 3, in <module>' },
        { rule: CONSTRAINT, gap: 40, message: 'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "pk"' },
      ],
      1,
    ],
    [
      'a summary line quoting the error message',
      [
        { rule: TRACEBACK, message: 'Traceback', error: { type: 'AirflowException', message: 'Bash command failed. The command returned a non-zero exit code 2.' } },
        { rule: CONSTRAINT, gap: 2000, message: 'Failed to execute job 5120 for task refresh (Bash command failed. The command returned a non-zero exit code 2.; 9931)' },
      ],
      1,
    ],
    [
      'a runner\'s ERROR line that names nothing, then the dbt error it announced below the run summary',
      [
        { rule: ERROR_RECORD, message: VAGUE },
        { rule: DBT_ERROR, gap: 628, message: DBT_CUSTOMERS },
      ],
      1,
    ],
    [
      'an error line that names its error is no announcement: a cause below it that shares nothing stays apart',
      [
        { rule: ERROR_RECORD, message: 'ERROR - load failed', error: { type: 'ValueError', message: 'bad row 7' } },
        { rule: UNDEFINED, gap: 700, message: 'relation "staging.customers" does not exist' },
      ],
      2,
    ],
    [
      'a line that names nothing takes only the first cause below it: a second, different cause stays apart',
      [
        { rule: ERROR_RECORD, message: VAGUE },
        { rule: DBT_ERROR, gap: 628, message: DBT_CUSTOMERS },
        { rule: UNDEFINED, gap: 700, message: 'relation "staging.payments" does not exist' },
      ],
      2,
    ],
    [
      'two dbt models failing, side by side: two failures',
      [
        { rule: DBT_ERROR, message: "Database Error in model shopify__orders (models/shopify__orders.sql)\n  invalid identifier 'ORDERS_UNIQUE_KEY'" },
        { rule: DBT_ERROR, gap: 20, message: "Database Error in model shopify__order_lines (models/shopify__order_lines.sql)\n  invalid identifier 'ORDER_LINES_UNIQUE_KEY'" },
      ],
      2,
    ],
    [
      "a bare traceback header far below an error line, each line behind a container's prefix: it names nothing, so it is more of it",
      [
        { rule: pack('generic.error-line', 16), message: 'loader  | warehouse.errors.LoadError: value out of range for column qty' },
        { rule: TRACEBACK, gap: 1500, message: 'loader  | Traceback (most recent call last):' },
      ],
      1,
    ],
    [
      "a JVM frame behind a logger's prefix names no failure of its own",
      [
        { rule: pack('generic.error-line', 16), message: '03.02 10:00:01 [Main] SEVERE com.acme.db.LinkFailureException: link to db-2 lost' },
        { rule: pack('jvm.exception', 30), gap: 1200, message: '03.02 10:00:01 [Main] SEVERE at com.acme.db.SQLError.createLinkFailure(SQLError.java:990)' },
      ],
      1,
    ],
    [
      'a shape that names its own error below another failure stays apart',
      [
        { rule: pack('generic.error-line', 16), message: 'loader  | warehouse.errors.LoadError: value out of range for column qty' },
        { rule: TRACEBACK, gap: 1500, message: 'Traceback (most recent call last):', error: { type: 'KeyError', message: "'customer_id'" } },
      ],
      2,
    ],
    [
      'dbt models failing on one cause (the schema they all read is not there): one failure',
      ['stg_orders', 'stg_customers', 'stg_payments'].map((model, n) => ({
        rule: DBT_ERROR,
        gap: n === 0 ? 0 : 20,
        message: `Database Error in model ${model} (models/staging/${model}.sql)\n  002003 (02000): SQL compilation error:\n  Schema 'RAW.SHOP' does not exist or not authorized.\n  compiled code at target/run/shop/models/staging/${model}.sql`,
      })),
      1,
    ],
    [
      // dbt prints each failing test's count of rows under it; a relay's per-line clock, cut by the
      // joiner, no longer keeps the count out of the record. The count is the test's own finding.
      'dbt data tests failing together, each with its own count of failing rows: one failure each',
      [
        ['not_null_orders_id', 262],
        ['unique_orders_id', 6],
        ['accepted_values_orders_status', 632489],
      ].map(([test, rows], n) => ({
        rule: pack('dbt.test-failure', 60, { severity: 'warning' }),
        gap: n === 0 ? 0 : 20,
        message: `Failure in test ${test} (models/schema.yml)\n  Got ${rows} results, configured to fail if != 0\n\n  compiled code at target/compiled/shop/models/schema.yml/${test}.sql`,
      })),
      3,
    ],
    [
      'two causes that share nothing, a few lines apart: two failures',
      [
        { rule: CONSTRAINT, message: 'duplicate key value violates unique constraint "orders_pkey"' },
        { rule: UNDEFINED, gap: 700, message: 'relation "staging.customers" does not exist' },
      ],
      2,
    ],
    [
      'the same exception, further below than an episode reaches: two failures',
      [
        { rule: SPARK, message: 'org.apache.spark.SparkException: Job 1 aborted' },
        { rule: UNCAUGHT, gap: EPISODE_GAP_BYTES + 1, message: 'Exception in thread "main" org.apache.spark.SparkException: Job 2 aborted.' },
      ],
      2,
    ],
    [
      'the same exception, later than an episode lasts: two failures',
      [
        { rule: SPARK, message: 'org.apache.spark.SparkException: Job 1 aborted' },
        { rule: UNCAUGHT, gap: 10, after: EPISODE_MS + 1, message: 'Exception in thread "main" org.apache.spark.SparkException: Job 2 aborted.' },
      ],
      2,
    ],
    [
      'the same exception in another file: two failures',
      [
        { rule: SPARK, message: 'org.apache.spark.SparkException: Job aborted' },
        { rule: UNCAUGHT, file: '/logs/other.log', message: 'Exception in thread "main" org.apache.spark.SparkException: Job aborted.' },
      ],
      2,
    ],
  ];

  for (const [name, records, incidents] of cases) {
    it(name, () => {
      expect(feed(records).opened).toHaveLength(incidents);
    });
  }

  it('counts a joined record as the same occurrence, not a repeat, and says why in the metrics', async () => {
    const { h } = feed([
      { rule: TASK_FAILED, message: 'Task failed with exception\nValueError: bad row' },
      { rule: TASK_RETRY, message: 'Marking task as UP_FOR_RETRY. dag_id=etl, task_id=load, run_id=r1' },
    ]);
    const [incident] = h.tracker.open();
    expect(incident?.count).toBe(1);
    expect(incident?.samples).toHaveLength(2);
    // The summary line names the task; the incident learns it.
    expect(incident).toMatchObject({ pipeline: 'etl', step: 'load', runId: 'r1', severity: 'error', rule: { id: 'airflow.task-failed' } });
    expect(await metricValue(h.metrics, 'sentinel_incidents_suppressed_total', { reason: 'same_failure' })).toBe(1);
  });

  it('keeps the stronger evidence: the operator\'s rule over a pack, the graver severity, while the alert is unwritten', () => {
    const runbook = 'https://runbooks.example/orders';
    const mine = rule({ id: 'orders-job-failed', severity: 'critical', runbook });
    const { h, opened } = feed([
      { rule: TASK_FAILED, message: 'Task failed with exception\nKeyError: customer_id' },
      { rule: mine, gap: 0, message: 'orders job failed: KeyError customer_id' },
    ]);
    expect(kinds(opened)).toEqual(['opened']);
    const [incident] = h.tracker.open();
    expect(incident?.rule.id).toBe('orders-job-failed');
    expect(incident?.rule.runbook).toBe(runbook);
    expect(incident?.severity).toBe('critical');
    expect(incident?.count).toBe(1);
  });

  it('a line that names nothing takes no failure once its alert is written (a later one is not hidden as a sample)', () => {
    const { h, opened } = feed([{ rule: ERROR_RECORD, message: VAGUE }]);
    const [vague] = opened;
    h.tracker.setDiagnosis(vague?.incident?.id as string, { category: 'code_bug', summary: 'x', rootCause: 'x', evidence: [], location: null, fix: [], retryable: false, confidence: 0.5, engine: 'builtin', model: null, latencyMs: 0 });
    const cause = match('fp-9', { rule: DBT_ERROR, offset: 700, message: DBT_CUSTOMERS, file: '/logs/job.log' });
    expect(kinds(h.tracker.observe(cause))).toEqual(['opened']);
    expect(h.tracker.open()).toHaveLength(2);
  });

  it('the cause that joins a line that names nothing names the incident', () => {
    const { h } = feed([
      { rule: ERROR_RECORD, message: VAGUE },
      { rule: DBT_ERROR, gap: 628, message: DBT_CUSTOMERS },
    ]);
    expect(h.tracker.open()[0]).toMatchObject({ rule: { id: 'dbt.database-error' }, step: 'customers', count: 1 });
  });

  it('a later repeat of the joined rule folds into the same incident', () => {
    const { h } = feed([
      { rule: SPARK, message: 'ERROR FileFormatWriter: Aborting job.\norg.apache.spark.SparkException: Job aborted' },
      { rule: UNCAUGHT, gap: 10, message: 'Exception in thread "main" org.apache.spark.SparkException: Job aborted.' },
    ]);
    const repeat = match('fp-1', { rule: UNCAUGHT, offset: 50_000_000, message: 'Exception in thread "main" org.apache.spark.SparkException: Job aborted.', file: '/logs/job.log' });
    expect(h.tracker.observe(repeat)).toEqual([]);
    expect(h.tracker.open()).toHaveLength(1);
    expect(h.tracker.open()[0]?.count).toBe(2);
  });
});
