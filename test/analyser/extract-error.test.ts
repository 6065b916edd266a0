import { describe, expect, it } from 'vitest';
import { extractError, extractErrorChain } from '../../src/parse/stack-trace/extract-error.js';

const userFrames = (text: string) => (extractError(text)?.stack ?? []).filter((f) => f.inUserCode);

describe('extractError: Python', () => {
  it('returns the root of a "direct cause" chain with the user frame from the outer traceback', () => {
    const text = `Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/pandas/core/indexes/base.py", line 3805, in get_loc
    return self._engine.get_loc(casted_key)
  File "index.pyx", line 167, in pandas._libs.index.IndexEngine.get_loc
KeyError: 'amount'

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/etl/transforms.py", line 27, in add_revenue
    df["revenue"] = df["amount"] * df["quantity"]
                    ~~^^^^^^^^^^
  File "/usr/local/lib/python3.11/site-packages/pandas/core/frame.py", line 3893, in __getitem__
    indexer = self.columns.get_loc(key)
KeyError: 'amount'`;
    const chain = extractErrorChain(text);
    expect(chain.map((e) => e.type)).toEqual(['KeyError', 'KeyError']);
    const error = extractError(text);
    expect(error).toMatchObject({ type: 'KeyError', message: "'amount'" });
    expect(userFrames(text)).toEqual([
      { file: '/app/etl/transforms.py', line: 27, function: 'add_revenue', code: 'df["revenue"] = df["amount"] * df["quantity"]', inUserCode: true },
    ]);
  });

  it('keeps the original error of a "During handling" chain as the root and reads multi-line messages', () => {
    const text = `Traceback (most recent call last):
  File "/opt/pipelines/load.py", line 23, in get_connection
    return psycopg2.connect(dsn)
  File "/opt/venv/lib/python3.10/site-packages/psycopg2/__init__.py", line 122, in connect
    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)
psycopg2.OperationalError: connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused
	Is the server running on that host and accepting TCP/IP connections?

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/opt/pipelines/load.py", line 30, in main
    raise LoadError("warehouse unavailable")
etl.errors.LoadError: warehouse unavailable`;
    const chain = extractErrorChain(text);
    expect(chain.map((e) => e.type)).toEqual(['psycopg2.OperationalError', 'etl.errors.LoadError']);
    expect(chain[0]?.message).toContain('Is the server running');
    expect(userFrames(text)[0]).toMatchObject({ file: '/opt/pipelines/load.py', line: 23, function: 'get_connection' });
  });

  it('unwraps DagsterExecutionStepExecutionError to the user error (format with and without "Stack Trace:")', () => {
    for (const stackTrace of ['', 'Stack Trace:\n']) {
      const text = `2024-05-14 02:00:06 +0000 - dagster - ERROR - etl - 6a1f9c2e-4b7d-4f7e-9d0a-2a3c5e8f1b20 - 4821 - clean - STEP_FAILURE - Execution of step "clean" failed.

dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while executing op "clean":

${stackTrace}  File "/usr/local/lib/python3.11/site-packages/dagster/_core/execution/plan/utils.py", line 84, in op_execution_error_boundary
    raise error_cls(

The above exception was caused by the following exception:
ZeroDivisionError: division by zero

${stackTrace}  File "/usr/local/lib/python3.11/site-packages/dagster/_core/execution/plan/utils.py", line 54, in op_execution_error_boundary
    yield
  File "/opt/dagster/app/ops/margins.py", line 31, in compute_margin
    margin = (revenue - cost) / revenue`;
      const chain = extractErrorChain(text);
      expect(chain.map((e) => e.type)).toEqual(['ZeroDivisionError', 'dagster._core.errors.DagsterExecutionStepExecutionError']);
      expect(userFrames(text)).toEqual([
        { file: '/opt/dagster/app/ops/margins.py', line: 31, function: 'compute_margin', code: 'margin = (revenue - cost) / revenue', inUserCode: true },
      ]);
    }
  });
});

describe('extractError: Node', () => {
  it('parses an Error stack with file:// URLs and marks node:internal and node_modules as library code', () => {
    const text = `RangeError: Division by zero
    at transformData (file:///srv/app/dist/pipeline/steps/transform-data.js:42:18)
    at /srv/app/node_modules/p-retry/index.js:50:12
    at async runStep (file:///srv/app/dist/pipeline/aio-pipeline.js:57:24)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;
    const error = extractError(text);
    expect(error?.type).toBe('RangeError');
    expect(error?.message).toBe('Division by zero');
    expect(error?.stack.map((f) => [f.file, f.line, f.function, f.inUserCode])).toEqual([
      ['/srv/app/dist/pipeline/steps/transform-data.js', 42, 'transformData', true],
      ['/srv/app/node_modules/p-retry/index.js', 50, undefined, false],
      ['/srv/app/dist/pipeline/aio-pipeline.js', 57, 'runStep', true],
      ['node:internal/process/task_queues', 95, 'process.processTicksAndRejections', false],
    ]);
  });

  it('takes the code line from the excerpt Node prints above an uncaught exception', () => {
    const text = `/srv/etl/dist/jobs/normalize.js:58
    const country = event.geo.country.toUpperCase();
                              ^

TypeError: Cannot read properties of undefined (reading 'country')
    at normalizeEvent (/srv/etl/dist/jobs/normalize.js:58:31)
    at Array.map (<anonymous>)

Node.js v20.12.2`;
    expect(userFrames(text)[0]).toMatchObject({ line: 58, function: 'normalizeEvent', code: 'const country = event.geo.country.toUpperCase();' });
  });

  it('follows [cause] to the root and reads unhandled rejections of non-errors', () => {
    const text = `Error: load failed
    at loadData (file:///app/load.js:10:11) {
  [cause]: Error: connect ECONNREFUSED 127.0.0.1:5432
      at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {
    errno: -111,
    code: 'ECONNREFUSED'
  }
}`;
    expect(extractErrorChain(text).map((e) => e.message)).toEqual(['connect ECONNREFUSED 127.0.0.1:5432', 'load failed']);
    const rejection = extractError(
      `[UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "warehouse timeout".] {\n  code: 'ERR_UNHANDLED_REJECTION'\n}`,
    );
    expect(rejection).toMatchObject({ type: 'UnhandledPromiseRejection', message: 'warehouse timeout' });
  });
});

describe('extractError: JVM, Spark and Py4J', () => {
  it('follows Caused by to the root and finds the user frame past "... N more"', () => {
    const text = `java.lang.IllegalStateException: Failed to parse line 1842
	at com.acme.ingest.SupplierFeedJob.readPrices(SupplierFeedJob.java:77)
	at com.acme.ingest.SupplierFeedJob.main(SupplierFeedJob.java:29)
Caused by: java.lang.NumberFormatException: For input string: "12,50"
	at java.base/jdk.internal.math.FloatingDecimal.readJavaFormatString(FloatingDecimal.java:2054)
	at java.base/java.lang.Double.parseDouble(Double.java:651)
	at com.acme.ingest.PriceParser.parse(PriceParser.java:21)
	... 1 more`;
    const error = extractError(text);
    expect(error).toMatchObject({ type: 'java.lang.NumberFormatException', message: 'For input string: "12,50"' });
    expect(userFrames(text)[0]).toMatchObject({ file: 'PriceParser.java', line: 21, function: 'com.acme.ingest.PriceParser.parse' });
  });

  it('splits the executor failure out of a Spark driver exception', () => {
    const text = `Exception in thread "main" org.apache.spark.SparkException: Job aborted due to stage failure: Task 3 in stage 7.0 failed 4 times, most recent failure: Lost task 3.3 in stage 7.0 (TID 58) (10.0.4.17 executor 2): java.lang.ArithmeticException: / by zero
	at com.acme.etl.RevenueJob$.$anonfun$avgBasket$1(RevenueJob.scala:44)
	at org.apache.spark.executor.Executor$TaskRunner.run(Executor.scala:620)

Driver stacktrace:
	at org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2898)
	at com.acme.etl.RevenueJob$.main(RevenueJob.scala:51)`;
    const chain = extractErrorChain(text);
    expect(chain.map((e) => e.type)).toEqual(['java.lang.ArithmeticException', 'org.apache.spark.SparkException']);
    expect(userFrames(text)[0]).toMatchObject({ file: 'RevenueJob.scala', line: 44 });
  });

  it('puts the Java error under a Py4JJavaError and locates the PySpark line that called it', () => {
    const text = `Traceback (most recent call last):
  File "/opt/jobs/write_delta.py", line 31, in write_output
    df.write.format("delta").save(path)
  File "/opt/spark/python/lib/py4j-0.10.9.7-src.zip/py4j/protocol.py", line 326, in get_return_value
    raise Py4JJavaError(
py4j.protocol.Py4JJavaError: An error occurred while calling o71.save.
: org.apache.spark.SparkClassNotFoundException: [DATA_SOURCE_NOT_FOUND] Failed to find the data source: delta.
	at org.apache.spark.sql.errors.QueryExecutionErrors$.dataSourceNotFoundError(QueryExecutionErrors.scala:725)
Caused by: java.lang.ClassNotFoundException: delta.DefaultSource
	at java.base/java.net.URLClassLoader.findClass(URLClassLoader.java:445)
	... 15 more`;
    const chain = extractErrorChain(text);
    expect(chain.map((e) => e.type)).toEqual([
      'java.lang.ClassNotFoundException',
      'org.apache.spark.SparkClassNotFoundException',
      'py4j.protocol.Py4JJavaError',
    ]);
    expect(extractError(text)?.stack.find((f) => f.inUserCode)).toMatchObject({ file: '/opt/jobs/write_delta.py', line: 31 });
  });
});

describe('extractError: Go, dbt, PostgreSQL', () => {
  it('reads the panicking goroutine of a Go panic, skipping the runtime', () => {
    const text = `panic: runtime error: integer divide by zero

goroutine 1 [running]:
github.com/acme/etl/internal/aggregate.AverageOrderValue({0x0, 0x0, 0x0})
	/src/internal/aggregate/aov.go:23 +0x1d
main.main()
	/src/cmd/aggregate/main.go:21 +0x6f

goroutine 18 [chan receive]:
main.worker()
	/src/cmd/aggregate/worker.go:9 +0x2a`;
    const error = extractError(text);
    expect(error).toMatchObject({ type: 'runtime.Error', message: 'runtime error: integer divide by zero' });
    expect(error?.stack.map((f) => `${f.file}:${f.line}`)).toEqual(['/src/internal/aggregate/aov.go:23', '/src/cmd/aggregate/main.go:21']);
    expect(error?.stack[0]?.function).toBe('github.com/acme/etl/internal/aggregate.AverageOrderValue');
  });

  it('names the dbt model as the frame', () => {
    const text = `02:14:12    Database Error in model stg_orders (models/staging/stg_orders.sql)
  column "order_total" does not exist
  LINE 12:     order_total as amount,
               ^
  compiled Code at target/run/acme/models/staging/stg_orders.sql
02:14:12  
02:14:12  Done. PASS=21 WARN=0 ERROR=1 SKIP=2 TOTAL=24`;
    const error = extractError(text);
    expect(error?.type).toBe('dbt.DatabaseError');
    expect(error?.message.split('\n')[0]).toBe('column "order_total" does not exist');
    expect(error?.stack).toEqual([
      { file: 'models/staging/stg_orders.sql', function: 'stg_orders', inUserCode: true, code: 'order_total as amount,' },
    ]);
  });

  it('reads a PostgreSQL server report with its HINT and skips follow-on "transaction is aborted" errors', () => {
    const text = `2024-05-14 02:00:04.120 UTC [41877] loader@analytics ERROR:  column "order_total" does not exist at character 42
2024-05-14 02:00:04.120 UTC [41877] loader@analytics HINT:  Perhaps you meant to reference the column "o.order_total_cents".
2024-05-14 02:00:05.001 UTC [41877] loader@analytics ERROR:  current transaction is aborted, commands ignored until end of transaction block`;
    const error = extractError(text);
    expect(error?.type).toBe('postgres.ERROR');
    expect(error?.message).toBe('column "order_total" does not exist at character 42\nHINT: Perhaps you meant to reference the column "o.order_total_cents".');
  });

  it('returns undefined when the text reports no error', () => {
    expect(extractError('2024-05-14 INFO all good\n2024-05-14 INFO 1822 rows loaded')).toBeUndefined();
  });

  it('stays linear on a huge record of near-miss lines', () => {
    const line = `  File "${'a'.repeat(2000)}`;
    const spaces = `  File "a.py", line 1, in ${' '.repeat(100_000)}x`;
    const dotted = `Caused by: ${'a.'.repeat(20_000)}`;
    const text = [...Array.from({ length: 2000 }, () => line), spaces, dotted, 'at ' + '('.repeat(50_000)].join('\n');
    expect(extractError(text)).toBeUndefined();
  });
});
