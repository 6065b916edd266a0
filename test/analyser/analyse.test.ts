import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import type { DiagnoseRequest } from '../../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'sentinel-analyser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'step-failed', severity: 'error', title: 'Step failed', text: '', context: [], ...overrides };
}

/** The demo's compiled step, on disk, so the analyser can read the failing line. */
function writeDemoStep(): string {
  const stepDir = join(dir, 'dist', 'pipeline', 'steps');
  mkdirSync(stepDir, { recursive: true });
  const file = join(stepDir, 'transform-data.js');
  const lines = Array.from({ length: 41 }, (_, i) => `// line ${i + 1}`);
  lines.push('    const averageCents = totalCents / count;');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('analyse: the demo pipeline failures', () => {
  const file = writeDemoStep();
  const url = pathToFileURL(file).href;
  const stack = `RangeError: Division by zero\n    at transformData (${url}:42:18)\n    at async runStep (${pathToFileURL(join(dir, 'dist/pipeline/aio-pipeline.js')).href}:57:24)`;
  const divisionRequest = (context: string[]): DiagnoseRequest =>
    request({
      step: 'transform_data',
      pipeline: 'aio_pipeline',
      text: `Execution of step "transform_data" failed.\n${stack}`,
      error: { type: 'RangeError', message: 'Division by zero', stack: [], rawStack: stack },
      context,
    });

  it('names the division, the failing line read from disk, and a guard as the fix', () => {
    const d = analyse(divisionRequest(['{"level":"info","step":"extract_data","msg":"Finished execution of step \\"extract_data\\"."}']));
    expect(d).toMatchObject({ category: 'code_bug', engine: 'builtin', model: null, retryable: false });
    expect(d.location).toEqual({ file, line: 42, function: 'transformData', code: 'const averageCents = totalCents / count;' });
    expect(d.summary).toContain('Division by zero at transform-data.js:42');
    expect(d.summary).toContain('`count`');
    expect(d.fix[0]).toContain('if (count === 0n)');
    expect(d.fix.join(' ')).toMatch(/non-empty/);
    // The confidence is the learned model's calibrated probability that the category is right (ADR
    // 0017): well above a guess, though real logs teach it that a code bug is often labelled otherwise.
    expect(d.confidence).toBeGreaterThan(0.4);
    expect(d.evidence).toContain('RangeError: Division by zero');
  });

  it('calls it data quality when the context shows an empty batch', () => {
    const d = analyse(divisionRequest(['{"level":"info","step":"extract_data","msg":"extracted orders","rows":0}']));
    expect(d.category).toBe('data_quality');
    expect(d.summary).toContain('because the batch was empty');
    expect(d.evidence.some((e) => e.includes('"rows":0'))).toBe(true);
  });

  it('reads only source files from disk, and masks secrets in the line it reads', () => {
    const secretFile = join(dir, 'settings.js');
    writeFileSync(secretFile, 'const a = 1;\nconst DB_PASSWORD = "hunter2-very-secret";\n');
    const notSource = join(dir, 'shadow');
    writeFileSync(notSource, 'root:$6$salt$hash:19000:0:99999:7:::\n');
    const at = (file: string, line: number): DiagnoseRequest =>
      request({ text: `TypeError: x is not a function\n    at load (${file}:${line}:5)` });
    const fromSource = analyse(at(secretFile, 2));
    expect(fromSource.location?.code).toContain('DB_PASSWORD');
    expect(fromSource.location?.code).not.toContain('hunter2');
    expect(analyse(at(notSource, 1)).location).toMatchObject({ file: notSource, line: 1, code: null });
  });

  it('does not read source files when told not to', () => {
    const d = analyse(divisionRequest([]), { readSourceFiles: false });
    expect(d.location).toMatchObject({ file, line: 42, code: null });
  });

  it('treats a refused connection as an unavailable service, retryable, located at the step', () => {
    const rawStack = 'Error: connect ECONNREFUSED 127.0.0.1:35429\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)';
    const d = analyse(
      request({
        step: 'load_data',
        pipeline: 'aio_pipeline',
        text: `Execution of step "load_data" failed.\n${rawStack}`,
        error: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:35429', stack: [], rawStack },
      }),
    );
    expect(d).toMatchObject({ category: 'network_or_service_unavailable', retryable: true });
    expect(d.location).toEqual({ file: 'aio_pipeline', line: null, function: 'load_data', code: null });
    expect(d.summary).toContain('127.0.0.1:35429');
  });

  it('reports a missing input file with its path', () => {
    const rawStack = `Error: ENOENT: no such file or directory, open '/tmp/in/orders.csv'\n    at readFileSync (node:fs:448:20)\n    at extractData (${pathToFileURL(join(dir, 'dist/pipeline/steps/extract-data.js')).href}:10:21)`;
    const d = analyse(request({ text: rawStack, error: { type: 'Error', message: "ENOENT: no such file or directory, open '/tmp/in/orders.csv'", stack: [], rawStack } }));
    expect(d).toMatchObject({ category: 'missing_input', retryable: false });
    expect(d.location).toMatchObject({ line: 10, function: 'extractData' });
    expect(d.summary).toContain('/tmp/in/orders.csv');
  });

  it('names the missing column and the columns that exist instead', () => {
    const message = 'column "amount_cents" not found in extracted rows (available columns: order_id, amount, currency)';
    const rawStack = `MissingColumnError: ${message}\n    at transformData (${url}:19:19)`;
    const d = analyse(request({ text: rawStack, error: { type: 'MissingColumnError', message, stack: [], rawStack } }), { readSourceFiles: false });
    expect(d.category).toBe('schema_drift');
    expect(d.summary).toContain('`amount_cents`');
    expect(d.rootCause).toContain('order_id, amount, currency');
  });

  it('treats a step timeout as retryable', () => {
    const rawStack = `StepTimeoutError: step load_data exceeded its 2000 ms timeout\n    at Timeout._onTimeout (${pathToFileURL(join(dir, 'dist/pipeline/aio-pipeline.js')).href}:54:41)\n    at listOnTimeout (node:internal/timers:581:17)`;
    const d = analyse(request({ step: 'load_data', text: rawStack, error: { type: 'StepTimeoutError', message: 'step load_data exceeded its 2000 ms timeout', stack: [], rawStack } }));
    expect(d).toMatchObject({ category: 'timeout', retryable: true });
    // The timer callback that raised it is the runner's, not where the work failed: the step is.
    expect(d.location).toEqual({ file: 'load_data', line: null, function: 'load_data', code: null });
  });

  it('keeps a user frame that merely runs inside a timer callback', () => {
    const url = pathToFileURL(join(dir, 'dist/pipeline/steps/poll.js')).href;
    const rawStack = `TypeError: Cannot read properties of undefined (reading 'rows')\n    at poll (${url}:12:30)\n    at Timeout._onTimeout (${url}:30:5)\n    at listOnTimeout (node:internal/timers:581:17)`;
    const d = analyse(request({ step: 'poll', text: rawStack, error: { type: 'TypeError', message: "Cannot read properties of undefined (reading 'rows')", stack: [], rawStack } }), { readSourceFiles: false });
    expect(d.location).toMatchObject({ line: 12, function: 'poll' });
  });
});

describe('analyse: lines after the failing record (a finished file)', () => {
  const stepFailure = '2026-01-01 12:00:06 +0000 - dagster - ERROR - etl_job - 6a1f9c2e - 4821 - orders_cleaned - STEP_FAILURE - Execution of step "orders_cleaned" failed.';
  const below = [
    '',
    'dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while executing op "orders_cleaned":',
    '',
    '  File "/venv/lib/python3.11/site-packages/dagster/_core/execution/plan/utils.py", line 84, in op_execution_error_boundary',
    '    raise error_cls(',
    '',
    'The above exception was caused by the following exception:',
    "KeyError: 'customer_id'",
    '',
    '  File "/opt/dagster/app/assets/orders.py", line 54, in orders_cleaned',
    '    df = df.dropna(subset=["customer_id"])',
    '  File "/venv/lib/python3.11/site-packages/pandas/core/frame.py", line 6407, in dropna',
    '    raise KeyError(np.array(subset)[check].tolist())',
  ];

  it('reads the cause printed below a record that only announces the failure', () => {
    const d = analyse(request({ step: 'orders_cleaned', text: stepFailure, after: below }), { readSourceFiles: false });
    expect(d.category).toBe('schema_drift');
    expect(d.location).toMatchObject({ file: '/opt/dagster/app/assets/orders.py', line: 54, function: 'orders_cleaned' });
    // Without them, the step is all it can say.
    expect(analyse(request({ step: 'orders_cleaned', text: stepFailure }), { readSourceFiles: false }).location).toMatchObject({ line: null, function: 'orders_cleaned' });
  });

  it('prefers the record\'s own located error over what follows it', () => {
    const own = 'Traceback (most recent call last):\n  File "/app/etl/load.py", line 9, in load\n    conn = connect()\nConnectionRefusedError: [Errno 111] Connection refused';
    const d = analyse(request({ text: own, after: below }), { readSourceFiles: false });
    expect(d).toMatchObject({ category: 'network_or_service_unavailable', location: { file: '/app/etl/load.py', line: 9 } });
  });

  it('completes a dbt error whose message the record left on the next lines', () => {
    const d = analyse(
      request({
        text: '02:00:12    Database Error in model fct_orders (models/marts/fct_orders.sql)',
        after: ['02:00:12    column o.discount_code does not exist', '02:00:12    LINE 27:         o.discount_code,', '02:00:12  Done. PASS=0 WARN=0 ERROR=1 SKIP=5 TOTAL=6'],
      }),
      { readSourceFiles: false },
    );
    expect(d.category).toBe('schema_drift');
    expect(d.summary).toContain('discount_code');
  });
});

describe('analyse: failures without a classic stack trace', () => {
  it('reads a zap error string with its headerless stacktrace', () => {
    const rawStack = 'github.com/acme/exporter/internal/export.(*Uploader).Upload\n\t/build/internal/export/upload.go:88\nmain.main\n\t/build/cmd/exporter/main.go:33\nruntime.main\n\t/usr/local/go/src/runtime/proc.go:271';
    const d = analyse(
      request({ text: `upload failed\nerror: Put "https://storage.googleapis.com/upload": context deadline exceeded\n${rawStack}`, error: { type: 'error', message: 'Put "https://storage.googleapis.com/upload": context deadline exceeded', stack: [], rawStack } }),
      { readSourceFiles: false },
    );
    expect(d).toMatchObject({ category: 'timeout', retryable: true, location: { file: '/build/internal/export/upload.go', line: 88 } });
  });

  it('names a failing dbt data test from its progress line alone (what a live tail has)', () => {
    const d = analyse(request({ text: '04:30:12  2 of 61 FAIL 14 not_null_stg_orders_customer_id ................................ [FAIL 14 in 0.08s]' }), { readSourceFiles: false });
    expect(d).toMatchObject({ category: 'data_quality', location: { function: 'not_null_stg_orders_customer_id' } });
  });
});

describe('analyse: other stacks', () => {
  it('finds the Python user frame under library frames and names the env var a KeyError reads', () => {
    const text = `Traceback (most recent call last):
  File "/srv/etl/main.py", line 3, in <module>
    from etl.settings import WAREHOUSE_DSN
  File "/srv/etl/settings.py", line 12, in <module>
    WAREHOUSE_DSN = os.environ["WAREHOUSE_DSN"]
  File "<frozen os>", line 714, in __getitem__
KeyError: 'WAREHOUSE_DSN'`;
    const d = analyse(request({ text }));
    expect(d.category).toBe('configuration');
    expect(d.location).toEqual({ file: '/srv/etl/settings.py', line: 12, function: '<module>', code: 'WAREHOUSE_DSN = os.environ["WAREHOUSE_DSN"]' });
    expect(d.summary).toContain('`WAREHOUSE_DSN`');
  });

  it('calls a pandas KeyError on a column schema drift', () => {
    const text = `Traceback (most recent call last):
  File "/app/etl/transforms.py", line 27, in add_revenue
    df["revenue"] = df["amount"] * df["quantity"]
  File "/usr/local/lib/python3.11/site-packages/pandas/core/frame.py", line 3893, in __getitem__
    indexer = self.columns.get_loc(key)
KeyError: 'amount'`;
    const d = analyse(request({ text }));
    expect(d.category).toBe('schema_drift');
    expect(d.fix.join(' ')).toContain('`amount`');
  });

  it('reads a JVM Caused-by chain: an unavailable database behind a PSQLException', () => {
    const text = `org.postgresql.util.PSQLException: Connection to warehouse.internal:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.
	at org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:342)
	at java.sql/java.sql.DriverManager.getConnection(DriverManager.java:229)
	at com.acme.etl.LoadOrders.connect(LoadOrders.java:57)
Caused by: java.net.ConnectException: Connection refused
	at java.base/sun.nio.ch.Net.pollConnect(Native Method)
	... 9 more`;
    const d = analyse(request({ text }));
    expect(d).toMatchObject({ category: 'network_or_service_unavailable', retryable: true });
    expect(d.location).toMatchObject({ file: 'LoadOrders.java', line: 57, function: 'com.acme.etl.LoadOrders.connect' });
  });

  it('uses the frames the parse stage already found, and its inUserCode flags', () => {
    const d = analyse(
      request({
        text: 'ZeroDivisionError: division by zero',
        error: {
          type: 'ZeroDivisionError',
          message: 'division by zero',
          stack: [
            { file: '/srv/jobs/kpi/metrics.py', line: 41, function: 'compute_kpis', code: 'avg = total / len(rows)', inUserCode: true },
            { file: '/usr/lib/python3.11/statistics.py', line: 9, function: 'mean', inUserCode: false },
          ],
        },
        context: ['INFO fetched 0 rows from sales.daily_orders'],
      }),
    );
    expect(d.category).toBe('data_quality');
    expect(d.location?.file).toBe('/srv/jobs/kpi/metrics.py');
    expect(d.summary).toContain('`len(rows)`');
  });

  it('matches errno names case-sensitively: FileNotFoundError is a missing input, not ENOTFOUND', () => {
    const text = `Traceback (most recent call last):
  File "/home/etl/extract.py", line 34, in read_daily_file
    return pd.read_csv(path)
FileNotFoundError: [Errno 2] No such file or directory: '/data/incoming/2024-05-13/customers.csv'`;
    const d = analyse(request({ text }));
    expect(d).toMatchObject({ category: 'missing_input', retryable: false });
    expect(d.summary).toContain('/data/incoming/2024-05-13/customers.csv');
  });

  it('finds the cause of an Airflow Bash failure in the relayed output above it, located at the task', () => {
    const text = `[2024-05-14, 02:00:03 UTC] {subprocess.py:93} INFO - psql: error: connection to server at "wh.internal" (10.8.0.21), port 5432 failed: Connection refused
[2024-05-14, 02:00:03 UTC] {taskinstance.py:2728} ERROR - Task failed with exception
Traceback (most recent call last):
  File "/home/airflow/.local/lib/python3.11/site-packages/airflow/operators/bash.py", line 212, in execute
    raise AirflowException(
airflow.exceptions.AirflowException: Bash command failed. The command returned a non-zero exit code 2.
[2024-05-14, 02:00:03 UTC] {taskinstance.py:1149} INFO - Marking task as UP_FOR_RETRY. dag_id=warehouse_refresh, task_id=refresh_views, execution_date=20240513T020000`;
    const d = analyse(request({ text }));
    expect(d).toMatchObject({ category: 'network_or_service_unavailable', retryable: true });
    expect(d.location).toEqual({ file: 'warehouse_refresh', line: null, function: 'refresh_views', code: null });
    expect(d.summary).toContain('wh.internal:5432');
  });

  it('says unknown with low confidence rather than guess', () => {
    const d = analyse(request({ text: 'Traceback (most recent call last):\n  File "/app/job.py", line 3, in run\n    frobnicate()\nacme.FrobnicationFailure: the widget refused to frob' }));
    expect(d.category).toBe('unknown');
    expect(d.confidence).toBeLessThanOrEqual(0.2);
    expect(d.location).toMatchObject({ file: '/app/job.py', line: 3 });
    const none = analyse(request({ text: 'all quiet' }));
    expect(none).toMatchObject({ category: 'unknown', location: null });
  });

  it('passes the rule hint and runbook through as fix steps', () => {
    const d = analyse(request({ text: 'Error: connect ECONNREFUSED 10.0.0.1:5432\n    at TCPConnectWrap.afterConnect (node:net:1555:16)', hint: 'Page the DBA on call.', runbook: 'https://runbooks/warehouse' }));
    expect(d.fix.slice(-2)).toEqual(['Page the DBA on call.', 'Runbook: https://runbooks/warehouse']);
  });

  it('measures its latency with the injected clock', () => {
    let t = 100;
    const d = analyse(request({ text: 'x' }), { now: () => (t += 3) });
    expect(d.latencyMs).toBe(3);
  });
});
