// Locations in real formats (session 4, issue 10 point 6), each class checked on wordings of our own
// so that the rule holds for the format, not for one log: libraries that do not live under
// site-packages, frames in other layouts (Sentry, pasted tables, bare Go paths, Rust without files),
// and the unit a tool names when there are no frames (a pytest test, a DAG file, a Spring bean, a
// manifest, a migration). Each class has a case where a library or a runtime must not win.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { callerLocationOf, diagnosticLocationOf } from '../../src/brain/analyser/diagnostic-location.js';
import { findNamedStep } from '../../src/brain/analyser/step-name.js';
import { isConsoleScript, isUserFrame } from '../../src/parse/stack-trace/user-code.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}
const locate = (text: string, context: string[] = []) => analyse(request({ text, context }), { readSourceFiles: false, learned: false }).location;
const at = (loc: ReturnType<typeof locate> | undefined) => (loc ? `${loc.file}:${loc.line ?? '-'}${loc.function ? ` ${loc.function}` : ''}` : null);
const lines = (...l: string[]) => l.join('\n');

describe('Python libraries that do not live under site-packages', () => {
  it('a vendored copy (AWS Lambda), a path printed relative to site-packages, an elided path, a source checkout', () => {
    expect(isUserFrame('python', '/var/task/botocore/endpoint.py')).toBe(false);
    expect(isUserFrame('python', 'pandas_gbq/load.py')).toBe(false);
    expect(isUserFrame('python', 'django/db/models/query.py')).toBe(false);
    expect(isUserFrame('python', '.../great_expectations/core/batch.py')).toBe(false);
    expect(isUserFrame('python', '/home/kim/src/dagster/python_modules/dagster/dagster/_core/execution/plan/utils.py')).toBe(false);
  });

  it("a team's folder named after its orchestrator is still the team's code", () => {
    expect(isUserFrame('python', '/opt/airflow/dags/sales/load.py')).toBe(true);
    expect(isUserFrame('python', '/home/kim/dagster/pipeline/assets.py')).toBe(true);
    expect(isUserFrame('python', '/srv/app/jobs/export.py')).toBe(true);
  });

  it('finds the handler under the vendored SDK frames of a Lambda', () => {
    const trace = lines(
      'Traceback (most recent call last):',
      'File "/var/task/ingest/handler.py", line 12, in handle',
      'queue.push(batch)',
      'File "/var/task/ingest/queue.py", line 40, in push',
      'return self.client.send_message(**req)',
      'File "/var/task/botocore/client.py", line 530, in _api_call',
      'return self._make_api_call(operation_name, kwargs)',
      'botocore.exceptions.ReadTimeoutError: Read timeout on endpoint URL',
    );
    expect(at(locate(trace))).toBe('/var/task/ingest/queue.py:40 push');
  });

  it("pip's .exe wrapper on Windows is a console script, not the user's code", () => {
    expect(isConsoleScript('C:\\Users\\kim\\venv\\Scripts\\dagster.exe\\__main__.py')).toBe(true);
    expect(isUserFrame('python', 'C:\\Users\\kim\\venv\\Scripts\\dagster.exe\\__main__.py')).toBe(false);
    expect(isUserFrame('python', 'C:\\Users\\kim\\jobs\\nightly.py')).toBe(true);
  });
});

describe('frames in other layouts', () => {
  it("Sentry's frames of another platform keep that platform's order (innermost first)", () => {
    const node = lines(
      'TypeError: Cannot read properties of undefined (reading \'rows\')',
      '  File "/srv/api/routes/report.js", line 18, in summarise',
      '    return data.rows.length',
      '  File "/srv/api/routes/report.js", line 52, in handler',
      '    summarise(body)',
      '...',
      '(9 additional frame(s) were not displayed)',
    );
    expect(at(locate(node))).toBe('/srv/api/routes/report.js:18 summarise');
  });

  it('reads frames pasted behind a table bar, a cut first frame, and a Ruby frame without the comma', () => {
    const table = lines(
      'File "/srv/etl/steps/garden/rollup.py", line 80, in run',
      '--',
      '  | out = add_regions(tb)',
      '  | File "/srv/etl/steps/garden/rollup.py", line 34, in add_regions',
      '  | return shared.aggregate(tb)',
      "  | AttributeError: module 'shared' has no attribute 'aggregate'",
    );
    expect(at(locate(table))).toBe('/srv/etl/steps/garden/rollup.py:34 add_regions');
    expect(at(locate(lines('.../src/loader/csv_reader.py", line 91, in _read_rows', '    values = np.array(row, dtype=float)', "ValueError: could not convert string to float: 'n/a'")))).toBe('.../src/loader/csv_reader.py:91 _read_rows');
    expect(at(locate(lines('ActiveRecord::StatementInvalid: PG::Error: ERROR: invalid input syntax for integer: "1.5"', '... 12 non-project frames', 'File "/srv/shop/app/models/order.rb", line 33 in total')))).toBe('/srv/shop/app/models/order.rb:33 total');
  });

  it('reads Go frames with their indentation lost, and the recovery dump of Macaron and Martini', () => {
    const klog = lines(
      'E0102 03:04:05.000001       1 runtime.go:69] Observed a panic: "invalid memory address or nil pointer dereference"',
      '/go/pkg/mod/k8s.io/apimachinery@v0.29.0/pkg/util/runtime/runtime.go:76',
      '/usr/local/go/src/runtime/panic.go:679',
      '/workspace/pkg/certs/load.go:72',
      '/workspace/controllers/cluster_controller.go:109',
    );
    expect(at(locate(klog))).toBe('/workspace/pkg/certs/load.go:72');
    const macaron = lines(
      '[Macaron] PANIC: runtime error: invalid memory address or nil pointer dereference',
      '/usr/local/go/src/runtime/panic.go:423 (0x45a779)',
      '/usr/local/go/src/runtime/hashmap.go:433 (0x4390b6)',
      '/srv/go/src/github.com/acme/cfg/store.go:31 (0x690a02)',
    );
    expect(at(locate(macaron))).toBe('/srv/go/src/github.com/acme/cfg/store.go:31');
  });

  it("a test timeout's panic is raised on the alarm's goroutine: the running test is in another one", () => {
    const timeout = lines(
      'panic: test timed out after 10m0s',
      '',
      'goroutine 51 [running]:',
      'testing.(*M).startAlarm.func1()',
      '\t/usr/local/go/src/testing/testing.go:2029 +0x8e',
      'created by time.goFunc',
      '\t/usr/local/go/src/time/sleep.go:176 +0x32',
      '',
      'goroutine 1 [chan receive, 9 minutes]:',
      'testing.(*M).Run(0xc0003e9900)',
      '\t/usr/local/go/src/testing/testing.go:1719 +0x5d9',
      'github.com/acme/feeds.TestMain(0x1041311?)',
      '\t/home/kim/feeds/main_test.go:12 +0x2b',
    );
    expect(at(locate(timeout))).toBe('/home/kim/feeds/main_test.go:12 github.com/acme/feeds.TestMain');
  });

  it('reads a Rust backtrace printed without file lines: the first function outside std and well-known crates', () => {
    const anyhow = lines(
      'Error: environment variable not found',
      '',
      '   0: std::backtrace::Backtrace::capture',
      '   1: anyhow::error::<impl core::convert::From<E> for anyhow::Error>::from',
      '   2: <core::future::from_generator::GenFuture<T> as core::future::future::Future>::poll',
      '   3: ledger_sync::config::load::{{closure}}',
      '   4: ledger_sync::main',
    );
    expect(at(locate(anyhow))).toBe('ledger_sync::config::load::{{closure}}:- ledger_sync::config::load::{{closure}}');
  });

  it("a crate from the registry is a library; a panic inside one names that crate's line when nothing closer exists", () => {
    expect(isUserFrame('rust', '/cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.140/src/value/index.rs')).toBe(false);
    const inUserCode = lines(
      "thread 'worker' panicked at /cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.140/src/value/index.rs:102:18:",
      'cannot access key "id" in JSON string',
      'stack backtrace:',
      '   0: rust_begin_unwind',
      '             at /rustc/7c002ff9a70cb84fd1a91bc7b4a0f988cfc36fca/library/std/src/panicking.rs:676:5',
      '   1: <str as serde_json::value::index::Index>::index_or_insert',
      '   2: catalog::entries::Entry::to_record',
      '             at /build/src/entries.rs:145:15',
    );
    expect(at(locate(inUserCode))).toBe('/build/src/entries.rs:145 catalog::entries::Entry::to_record');
    const onlyLibrary = lines(
      "thread '<unnamed>' panicked at 'called `Option::unwrap()` on a `None` value',",
      '/home/kim/.cargo/registry/src/github.com-1ecc6299db9ec823/csv-async-1.2.6/src/async_readers/mod.rs:1479:41',
      'stack backtrace:',
      '   0: rust_begin_unwind',
      '             at /rustc/f77bfb7336f21bfe6a5fb5f7358d4406e2597289/library/std/src/panicking.rs:579:5',
      '   1: <&mut S as futures_core::stream::Stream>::poll_next',
      '   2: tokio::runtime::runtime::Runtime::block_on',
    );
    expect(at(locate(onlyLibrary))).toBe('/home/kim/.cargo/registry/src/github.com-1ecc6299db9ec823/csv-async-1.2.6/src/async_readers/mod.rs:1479');
  });
});

describe('dbt as runners relay it', () => {
  it("reads the node error behind a runner's own words, and dbt Fusion's pointer", () => {
    expect(at(locate('[2026-01-02 03:04:05,678] {dbt_runner.py:83} INFO - Failed model `orders`: Database Error in model orders_v2 (models/marts/orders.sql)'))).toBe('models/marts/orders.sql:- orders_v2');
    expect(at(diagnosticLocationOf(['  --> models/staging/stg_users.sql:12:5 (target/compiled/models/staging/stg_users:12:5)']))).toBe('models/staging/stg_users.sql:12');
  });
});

describe('the unit a tool names when there are no frames', () => {
  it("pytest's summary line: the test, in its file", () => {
    expect(findNamedStep(['FAILED tests/io/test_warehouse.py::TestLoad::test_copy_orders[pg-14] - psycopg2.errors.DeadlockDetected: deadlock detected'], [])).toEqual({ step: 'test_copy_orders', container: 'tests/io/test_warehouse.py' });
    expect(findNamedStep(['2 FAILED, 10 passed in 3.2s'], [])).toBeUndefined();
  });

  it('names a Dagster step whose input failed, a Prefect 1 task, an Azure function, a Django migration, a Luigi task', () => {
    expect(findNamedStep(['dagster.core.errors.DagsterExecutionLoadInputError: Error occurred while loading input "orders" of step "daily_totals":'], [])?.step).toBe('daily_totals');
    expect(findNamedStep(['Task \'Load warehouse: orders\': Exception encountered during task execution!'], [])?.step).toBe('Load warehouse: orders');
    expect(findNamedStep(['Exception while executing function: Functions.ingest_blob Result: Failure'], [])?.step).toBe('Functions.ingest_blob');
    expect(findNamedStep(['  Applying billing.0031_invoice_currency...Traceback (most recent call last):'], [])?.step).toBe('billing.0031_invoice_currency');
    expect(findNamedStep(['RuntimeError: Unfulfilled dependency at run time: ExportOrders()'], [])?.step).toBe('ExportOrders');
  });

  it('names the pod of a Kubernetes event listing and of a mount failure; a CronJob pod is its job', () => {
    expect(findNamedStep(['INFO: At 2026-01-02 03:04:05 +0000 UTC - event for etl-runner-x2k4p: {kubelet worker-1} Failed: Error: ImagePullBackOff'], [])?.step).toBe('etl-runner-x2k4p');
    expect(findNamedStep(['Warning  FailedMount  2m  kubelet  MountVolume.SetUp failed for volume "vault": secret not found', ' for pod: billing/nightly-invoices-job-1636647600-nbdlp'], [])?.step).toBe('nightly-invoices-job');
  });

  it("a Snakemake rule named in the exception beats make's line for the whole run", () => {
    const text = lines('Building DAG of jobs...', 'MissingInputException: Missing input files for rule align_reads:', 'data/sample1.fq', 'make: *** [Makefile:10: all] Error 1');
    expect(at(locate(text))).toBe('align_reads:- align_reads');
  });

  it('names the DAG file Airflow could not load, the Spring bean that failed and its class, the MyBatis mapper', () => {
    expect(at(diagnosticLocationOf(["Broken DAG: [/opt/airflow/dags/sales/orders.py] 'Variable orders_config does not exist'"]))).toBe('/opt/airflow/dags/sales/orders.py:- orders');
    expect(at(diagnosticLocationOf(['ERROR:root:Failed to import: /srv/airflow/dags/export.py']))).toBe('/srv/airflow/dags/export.py:- export');
    expect(at(diagnosticLocationOf(["org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'dataSource' defined in class path resource [com/acme/config/DbConfig.class]: Invocation of init method failed"]))).toBe('com/acme/config/DbConfig.class:- dataSource');
    expect(at(diagnosticLocationOf(['### The error may exist in class path resource [mappers/OrderMapper.xml]']))).toBe('mappers/OrderMapper.xml:- OrderMapper');
  });

  it('names the manifest kubectl or Helm could not apply, the psql script inside another message, the shell script', () => {
    expect(at(diagnosticLocationOf(['unable to recognize "deploy/api/deployment.yaml": no matches for kind "Deployment" in version "extensions/v1beta1"']))).toBe('deploy/api/deployment.yaml:-');
    expect(at(diagnosticLocationOf(['Error: failed to install CRD crds/widgets.acme.io.yaml: unable to recognize "": no matches for kind']))).toBe('crds/widgets.acme.io.yaml:-');
    expect(at(diagnosticLocationOf(['Detail: psql:/srv/load/copy_orders.sql:364: ERROR: numeric field overflow']))).toBe('/srv/load/copy_orders.sql:364');
    expect(at(diagnosticLocationOf(['INFO - /app/bin/entrypoint: line 38: /app/bin/publish: No such file or directory']))).toBe('/app/bin/entrypoint:38');
  });

  it("is not a warning's location, a library file, or the container runtime's own source", () => {
    expect(diagnosticLocationOf(['/usr/lib/python3.10/site-packages/dagster/_core/workspace/context.py:591: UserWarning: Error loading repository location'])).toBeUndefined();
    expect(diagnosticLocationOf(['/srv/app/lib/report.py:30: UserWarning: [2026-01-02] source failed'])).toBeUndefined();
    expect(diagnosticLocationOf(['standard_init_linux.go:228: exec user process caused: exec format error'])).toBeUndefined();
    expect(diagnosticLocationOf(['../venv/lib/python3.9/site-packages/distributed/client.py:2232: KilledWorker'])).toBeUndefined();
  });

  it("takes loguru's caller and Elixir's Logger metadata", () => {
    expect(at(callerLocationOf(['2026-01-02 03:04:05.678 | ERROR    | jobs.board:update_month:274 - Error during monthly update']))).toBe('jobs.board:274 update_month');
    expect(at(callerLocationOf(['03:04:05.678 [error] Error connecting to Snowflake: token expired', '    (erl_level=error application=api file=lib/api/forecast/fill.ex function=accumulate/1 line=47 module=Api.Forecast.Fill)']))).toBe('lib/api/forecast/fill.ex:47 accumulate/1');
  });
});

describe('Windows paths', () => {
  it("Python's standard library on Windows has no version in its path; a JSON-escaped path is still a path", () => {
    expect(isUserFrame('python', 'C:\\Users\\kim\\AppData\\Local\\Programs\\Python\\Python311\\Lib\\json\\decoder.py')).toBe(false);
    expect(isUserFrame('python', 'C:\\Users\\kim\\miniconda3\\envs\\etl\\lib\\subprocess.py')).toBe(false);
    expect(isUserFrame('python', 'c:\\\\Dev\\\\etl\\\\venv\\\\lib\\\\site-packages\\\\pandas\\\\core\\\\frame.py')).toBe(false);
    expect(isUserFrame('python', 'C:\\Users\\kim\\python\\lib\\helpers.py')).toBe(true);
    const trace = lines(
      'Traceback (most recent call last):',
      '  File "C:\\Users\\kim\\etl\\load.py", line 21, in read_config',
      '    return json.loads(text)',
      '  File "C:\\Users\\kim\\AppData\\Local\\Programs\\Python\\Python311\\Lib\\json\\__init__.py", line 346, in loads',
      '    return _default_decoder.decode(s)',
      'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)',
    );
    expect(at(locate(trace))).toBe('C:\\Users\\kim\\etl\\load.py:21 read_config');
  });
});

describe('more named units', () => {
  it("Terraform 0.11's resource, a Cloud Build step; never runc's file", () => {
    expect(at(diagnosticLocationOf(['* aws_s3_bucket.raw_events: 1 error(s) occurred:']))).toBe('aws_s3_bucket.raw_events:- aws_s3_bucket.raw_events');
    expect(findNamedStep(['Step #1 - "load": BigQuery error in load operation: Not found: Dataset proj:raw'], [])?.step).toBe('Step #1');
    expect(callerLocationOf(['standard_init_linux.go:228: exec user process caused: exec format error'])).toBeUndefined();
  });
});

describe('notebooks and serverless runtimes', () => {
  it('a Databricks notebook cell is the user\'s code, in both traceback styles', () => {
    const ipy8 = lines(
      'Py4JJavaError                             Traceback (most recent call last)',
      'File <command-3141592653>:4',
      '      2 df = spark.read.table("raw.orders")',
      '----> 4 df.write.mode("append").saveAsTable("gold.orders")',
      '',
      'File /databricks/spark/python/pyspark/sql/readwriter.py:1521, in DataFrameWriter.saveAsTable(self, name, format, mode, partitionBy, **options)',
      '-> 1521 self._jwrite.saveAsTable(name)',
      '',
      'Py4JJavaError: An error occurred while calling o412.saveAsTable.',
    );
    expect(at(locate(ipy8))).toBe('<command-3141592653>:4 <module>');
    const classic = lines('AnalysisException                         Traceback (most recent call last)', '<command-2718281828> in <module>', '----> 7 totals = orders.groupBy("day").agg(F.sum("amount"))', '', "AnalysisException: cannot resolve 'amount'");
    expect(at(locate(classic))).toBe('<command-2718281828>:7 <module>');
  });

  it("AWS Lambda's runtime is not the handler", () => {
    expect(isUserFrame('python', '/var/runtime/bootstrap.py')).toBe(false);
    expect(isUserFrame('python', '/var/task/lambda_function.py')).toBe(true);
  });
});

describe('no user frame: the library call the application made (JVM, Go)', () => {
  it("the top JVM frame outside the JDK, the framework and well-known libraries, an Apache project's included", () => {
    const spark = lines(
      '23:11:34 ERROR org.apache.spark.SparkContext  - Error initializing SparkContext.',
      "org.apache.spark.SparkException: Could not parse Master URL: 'yarn'",
      '        at org.apache.spark.SparkContext$.createTaskScheduler(SparkContext.scala:2760)',
      '        at org.apache.spark.SparkContext.<init>(SparkContext.scala:501)',
      '        at org.apache.tinkerpop.gremlin.spark.structure.Spark.create(Spark.java:52)',
      '        at java.lang.Thread.run(Thread.java:745)',
    );
    expect(at(locate(spark))).toBe('Spark.java:52 org.apache.tinkerpop.gremlin.spark.structure.Spark.create');
  });

  it('a stack of a driver and the JDK names no place (a well-known library is not the application)', () => {
    const driver = lines(
      "java.sql.SQLSyntaxErrorException: Unknown database 'shop'",
      '\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:120)',
      '\tat com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:364)',
      '\tat java.lang.Thread.run(Thread.java:750)',
    );
    expect(locate(driver)).toBeNull();
  });

  it('a Go panic inside a module from the cache, behind docker timestamps', () => {
    const go = lines(
      '2026-01-02T03:04:05.502453865Z panic: runtime error: invalid memory address or nil pointer dereference',
      '2026-01-02T03:04:05.502482723Z goroutine 17 [running]:',
      '2026-01-02T03:04:05.502482723Z github.com/acme/parquet/layout.(*Table).Pop(0xc005472ee0?)',
      '2026-01-02T03:04:05.502490651Z \t/go/pkg/mod/github.com/acme/parquet@v1.6.2/layout/table.go:76 +0x15f',
      '2026-01-02T03:04:05.502502820Z created by github.com/acme/parquet/reader.(*Reader).read in goroutine 197',
      '2026-01-02T03:04:05.502505184Z \t/go/pkg/mod/github.com/acme/parquet@v1.6.2/reader/reader.go:279 +0x250',
    );
    expect(at(locate(go))).toBe('/go/pkg/mod/github.com/acme/parquet@v1.6.2/layout/table.go:76 github.com/acme/parquet/layout.(*Table).Pop');
  });
});

describe('SQL places and pipeline tools', () => {
  it("PL/pgSQL's function and line, a SQL file a tool reports failed, dbt's compiled model", () => {
    expect(at(diagnosticLocationOf(['CONTEXT:  PL/pgSQL function stage_check() line 11 at SQL statement']))).toBe('stage_check:11 stage_check');
    expect(at(diagnosticLocationOf(['sql/shared/sales_derived/orders_v1/query.sql ERROR']))).toBe('sql/shared/sales_derived/orders_v1/query.sql:- query');
    expect(at(diagnosticLocationOf(['  compiled SQL at target/run/shop/models/marts/orders.sql']))).toBe('target/run/shop/models/marts/orders.sql:- orders');
    expect(diagnosticLocationOf(['SELECT 1 FROM queries.sql_log ERROR'])).toBeUndefined();
  });

  it('names an Airbyte stream, a Meltano plugin, a pgloader table, an Argo template in its workflow, a migration file', () => {
    expect(findNamedStep(['2026-01-02 03:04:05 source ERROR Exception while syncing stream invoices'], [])?.step).toBe('invoices');
    expect(findNamedStep(['Stream funnels: 429 Too Many Requests - {"error": "Query rate limit exceeded"}'], [])?.step).toBe('funnels');
    expect(findNamedStep(["[error    ] Cannot start plugin tap-github: Executable 'tap-github' could not be found."], [])?.step).toBe('tap-github');
    expect(findNamedStep(['2026-01-02T03:04:05.367000Z ERROR PostgreSQL ["public.orders"] Database error 22P02: invalid input syntax for integer: "x"'], [])?.step).toBe('public.orders');
    expect(findNamedStep(['time="2026-01-02T03:04:05Z" level=info msg="Pod failed: deadline exceeded" pod=nightly-x2k4 templateName=load workflow=nightly-1630306740'], [])).toEqual({ step: 'load', container: 'nightly-1630306740' });
    expect(findNamedStep(['[2026-01-02T03:04:05.788Z]: Running current.sql'], [])?.step).toBe('current.sql');
    expect(findNamedStep(['ERROR: Migration V3__add_region.sql failed'], [])?.step).toBe('V3__add_region.sql');
    expect(findNamedStep(['9 of 27 (33.3%) Expectations Failed'], [' - datasource: csvs', ' - data_asset_name: orders_raw'])?.step).toBe('orders_raw');
  });

  it('a Node frame cut in its path names no file', () => {
    const cut = lines('error: cannot drop function current_scope() because other objects depend on it', '    at Parser.parseErrorMessage (/Users/kim/code/app/node_modules/pg-protocol/dist/parser.js:278:15)', '    at Parser.handlePacket (/Users/kim/code/gra');
    expect(locate(cut)?.file ?? null).not.toBe('/Users/kim/code/gra');
  });
});

describe('the unit around a kill', () => {
  it("Snakemake's job header names the rule whose command the shell reports killed; the shell is no script", () => {
    const context = ['[Sun Mar 31 18:29:58 2026]', 'rule trim_reads:\n    input: a.fq\n    jobid: 0', ''];
    expect(at(locate('/bin/bash: line 1: 21688 Killed                  /usr/bin/fastp --in1 a.fq', context))).toBe('trim_reads:- trim_reads');
    expect(diagnosticLocationOf(['/bin/bash: line 1: 21688 Killed   fastp'])).toBeUndefined();
    expect(findNamedStep(['migration file "20260102_orders.js" failed'], [])?.step).toBe('20260102_orders.js');
  });
});

describe('a chained traceback whose exception line was lost', () => {
  it('the cause block still says where it was raised (a flattened paste puts the exception after the last code line)', () => {
    const flat = lines(
      'Traceback (most recent call last): File "/srv/app/pipelines/tx_source.py", line 44, in parse return rename(data) File "/srv/app/pipelines/tx_source.py", line 29, in rename return data[cols] KeyError: "[\'date\'] not in index"',
      'During handling of the above exception, another exception occurred:',
      'Traceback (most recent call last): File "/srv/app/lib/pipeline.py", line 169, in run_all return source.run() File "/srv/app/lib/source.py", line 205, in run data = self.parse(data) File "/srv/venv/lib/python3.9/site-packages/pandas/core/frame.py", line 2800, in __getitem__ raise KeyError(key) KeyError: "[\'date\'] not in index"',
    );
    expect(at(locate(flat))).toBe('/srv/app/pipelines/tx_source.py:29 rename');
  });
});

describe('.NET stack traces', () => {
  it("take the file and line .NET prints after the frame, and pass over System.* and Microsoft.*", () => {
    const dotnet = lines(
      "Unhandled exception. System.IO.FileNotFoundException: Could not find file '/data/in/orders.csv'.",
      '   at System.IO.FileStream.ValidateFileHandle(SafeFileHandle fileHandle, String path)',
      '   at System.IO.File.OpenRead(String path)',
      '   at Acme.Etl.OrdersLoader.Load(String path) in /src/Acme.Etl/OrdersLoader.cs:line 42',
      '   at Acme.Etl.Program.Main(String[] args) in /src/Acme.Etl/Program.cs:line 12',
    );
    expect(at(locate(dotnet))).toBe('/src/Acme.Etl/OrdersLoader.cs:42 Acme.Etl.OrdersLoader.Load');
  });
});
