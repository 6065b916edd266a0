// Rules added after a blind batch showed gaps: each is checked on wordings other than the batch's,
// so they hold for the cause, not for one log.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { callerFrame } from '../../src/parse/stack-trace/structured-caller.js';
import { extractErrorChain } from '../../src/parse/stack-trace/extract-error.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}

const run = (text: string, context: string[] = []) => analyse(request({ text, context }), { readSourceFiles: false });

describe('rate limits and quotas, whatever the wrapper', () => {
  it('reads "Exceeded rate limits" inside a database error as a rate limit, retryable', () => {
    const d = run('Database Error in model daily_orders (models/daily_orders.sql)\n  Exceeded rate limits: too many concurrent queries for this project_and_region.');
    expect(d.category).toBe('rate_limit');
    expect(d.retryable).toBe(true);
    expect(d.location?.function).toBe('daily_orders');
  });

  it('reads an exceeded API quota and AWS "Rate exceeded" as rate limits', () => {
    expect(run('google.api_core.exceptions.Forbidden: 403 Quota exceeded for quota metric \'Write requests\'').category).toBe('rate_limit');
    expect(run('botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the PutRecords operation (reached max retries: 4): Rate exceeded').category).toBe('rate_limit');
  });

  it('keeps a disk quota a resource problem', () => {
    const d = run('OSError: [Errno 122] Disk quota exceeded: \'/scratch/part-0001.parquet\'');
    expect(d.category).toBe('resource_exhaustion');
    expect(d.retryable).toBe(false);
  });
});

describe('configuration values the runtime refuses', () => {
  it('calls a memory request below the minimum a configuration error', () => {
    const d = run(
      'Exception in thread "main" java.lang.IllegalArgumentException: System memory 259522560 must be at least 471859200. Please increase heap size using the --driver-memory option or spark.driver.memory in Spark configuration.\n\tat org.apache.spark.memory.UnifiedMemoryManager$.getMaxMemory(UnifiedMemoryManager.scala:221)',
    );
    expect(d.category).toBe('configuration');
  });

  it('calls a dotted setting that "must be" something a configuration error, not a code bug', () => {
    expect(run('java.lang.IllegalArgumentException: requirement failed: spark.sql.shuffle.partitions must be positive').category).toBe('configuration');
  });
});

describe('schema-validation libraries: by what failed', () => {
  it('a zod error on environment variables is configuration, located at the loader', () => {
    const d = run(
      [
        'ZodError: [',
        '  { "code": "invalid_type", "expected": "string", "received": "undefined", "path": [ "S3_BUCKET" ], "message": "Required" }',
        ']',
        '    at ZodObject.parse (/srv/node_modules/zod/lib/types.js:160:22)',
        '    at readSettings (/srv/dist/settings.js:14:9)',
      ].join('\n'),
    );
    expect(d.category).toBe('configuration');
    expect(d.location).toMatchObject({ file: '/srv/dist/settings.js', line: 14 });
    expect(d.summary).toContain('S3_BUCKET');
  });

  it('a zod error on a record is data quality', () => {
    const d = run(
      [
        'ZodError: [',
        '  { "code": "invalid_type", "expected": "number", "received": "string", "path": [ "items", 0, "price" ], "message": "Expected number, received string" }',
        ']',
        '    at ZodObject.parse (/srv/node_modules/zod/lib/types.js:160:22)',
        '    at parseOrder (/srv/dist/orders/parse.js:31:20)',
      ].join('\n'),
    );
    expect(d.category).toBe('data_quality');
  });

  it('pydantic: a Settings model is configuration, a data model is data quality', () => {
    const tb = (model: string, field: string, fn: string) =>
      `Traceback (most recent call last):\n  File "/srv/app/jobs/load.py", line 12, in ${fn}\n    x = ${model}(**raw)\npydantic_core._pydantic_core.ValidationError: 1 validation error for ${model}\n${field}\n  Field required [type=missing]`;
    expect(run(tb('WarehouseSettings', 'warehouse_dsn', 'main')).category).toBe('configuration');
    expect(run(tb('Shipment', 'weight_kg', 'transform')).category).toBe('data_quality');
  });

  it('a Great Expectations-style result (expectations unsuccessful) is data quality', () => {
    const d = run('airflow.exceptions.AirflowException: Validation of suite customers.warning failed: 3 expectations unsuccessful');
    expect(d.category).toBe('data_quality');
  });
});

describe('more causes worded by other tools', () => {
  it('Snowflake "does not exist or not authorized" is a missing table, not a permission or syntax problem', () => {
    const tb = 'Traceback (most recent call last):\n  File "/srv/elt/extract.py", line 5, in pull\n    cur.execute(q)\nsnowflake.connector.errors.ProgrammingError: 002003 (42S02): SQL compilation error:\nObject \'STAGE.SHIPMENTS\' does not exist or not authorized.';
    expect(run(tb).category).toBe('missing_input');
  });

  it('a dtype the declared schema does not expect is schema drift; a value a cast refuses is data quality', () => {
    expect(run('pandera.errors.SchemaError: expected series \'qty\' to have type int64, got float64').category).toBe('schema_drift');
    expect(run('polars.exceptions.InvalidOperationError: conversion from `str` to `f64` failed in column \'weight\' for 2 out of 50 values: ["?", "-"]').category).toBe('data_quality');
    expect(run('org.apache.spark.SparkNumberFormatException: [CAST_INVALID_INPUT] The value \'x1\' of the type "STRING" cannot be cast to "INT" because it is malformed.').category).toBe('data_quality');
  });

  it('a setting that "should be a positive integer" or "must be set in your configuration" is configuration', () => {
    expect(run('pyspark.errors.exceptions.captured.IllegalArgumentException: spark.sql.files.maxPartitionBytes should be a positive integer, but got 0').category).toBe('configuration');
    expect(run('org.apache.spark.SparkException: A master URL must be set in your configuration').category).toBe('configuration');
  });
});

describe('dbt source freshness and adapter settings', () => {
  it('a stale source is missing input, named after the source', () => {
    const d = run('07:00:03  1 of 1 ERROR STALE freshness of billing.invoices .................. [ERROR STALE in 0.8s]');
    expect(d.category).toBe('missing_input');
    expect(d.location?.function).toBe('billing.invoices');
  });

  it('a setting the adapter does not accept is configuration', () => {
    const d = run("Compilation Error in model fct_x (models/fct_x.sql)\n  The incremental strategy 'insert_overwrite' is not valid for this adapter. Valid strategies: append, merge");
    expect(d.category).toBe('configuration');
  });
});

describe('out of memory: retryable only under load', () => {
  const oom = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory';
  it('is not retryable when nothing but the input size shows', () => {
    expect(run(oom, ['loaded 9000000 rows from s3://bucket/day=1']).retryable).toBe(false);
  });

  it('is retryable when the log shows load pressure or neighbours on the node', () => {
    expect(run(oom, ['WARN consumer backlog growing: 81233 messages']).retryable).toBe(true);
    expect(run('Task exited with return code Negsignal.SIGKILL', ['INFO 7 other pods scheduled on the same node (reindex in progress)']).retryable).toBe(true);
  });
});

describe('parsers', () => {
  it('dbt: the failing test is the one reported as a failure, not a warning printed before it', () => {
    const chain = extractErrorChain(
      [
        '10:00:01  Warning in test not_null_orders_note (models/schema.yml)',
        '10:00:01  Got 4 results, configured to warn if != 0',
        '10:00:01  ',
        '10:00:01  Failure in test relationships_orders_customer_id (models/schema.yml)',
        '10:00:01    Got 2 results, configured to fail if != 0',
      ].join('\n'),
    );
    expect(chain[0]?.stack[0]?.function).toBe('relationships_orders_customer_id');
  });

  it('dagster: the exception printed under a `…::` wrapper message is the cause', () => {
    const d = run(
      [
        'dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while executing op "daily_rollup"::',
        '',
        'duckdb.duckdb.BinderException: Binder Error: Referenced column "event_ts" not found in FROM clause!',
        '',
        'Stack Trace:',
        '  File "/usr/lib/python3.11/site-packages/dagster/_core/execution/plan/utils.py", line 54, in op_execution_error_boundary',
        '    yield',
        '  File "/srv/pipelines/rollup.py", line 40, in daily_rollup',
        '    con.sql(query).df()',
      ].join('\n'),
    );
    expect(d.category).toBe('schema_drift');
    expect(d.location).toMatchObject({ file: '/srv/pipelines/rollup.py', line: 40 });
  });

  it('a unique index that cannot be built over duplicated rows is a database error (the real-corpus convention for constraints)', () => {
    const d = run('psql:migrations/0007_sku_unique.sql:3: ERROR:  could not create unique index "ux_sku"\nDETAIL:  Key (sku)=(A-17) is duplicated.');
    expect(d.category).toBe('database_error');
    expect(d.location).toMatchObject({ file: 'migrations/0007_sku_unique.sql', line: 3 });
  });
});

describe('callerFrame: the call site structured loggers record', () => {
  it('reads slog source, zap/zerolog caller, logrus file+func and Python pathname/lineno', () => {
    expect(callerFrame({ source: { function: 'main.run', file: '/src/cmd/job/run.go', line: 88 } })).toEqual({ file: '/src/cmd/job/run.go', line: 88, function: 'main.run', inUserCode: true });
    expect(callerFrame({ caller: 'ingest/writer.go:57' })).toMatchObject({ file: 'ingest/writer.go', line: 57 });
    expect(callerFrame({ file: '/app/sync.go:12', func: 'main.sync' })).toMatchObject({ file: '/app/sync.go', line: 12, function: 'main.sync' });
    expect(callerFrame({ pathname: '/srv/etl/load.py', lineno: 31, funcName: 'load' })).toMatchObject({ file: '/srv/etl/load.py', line: 31, function: 'load' });
  });

  it('says nothing when the record names no file', () => {
    expect(callerFrame({ msg: 'x', caller: 'somewhere' })).toBeUndefined();
    expect(callerFrame({ source: 'api' })).toBeUndefined();
  });

  it('gives the analyser a location for a string error with no stack', () => {
    const frame = callerFrame({ source: { function: 'main.(*sink).write', file: '/src/sink.go', line: 77 } });
    const d = analyse(request({ text: 'write failed\nError: insert: ERROR: deadlock detected (SQLSTATE 40P01)', error: { type: 'Error', message: 'insert: ERROR: deadlock detected (SQLSTATE 40P01)', stack: frame ? [frame] : [] } }), { readSourceFiles: false });
    expect(d.category).toBe('database_error');
    expect(d.retryable).toBe(true);
    expect(d.location).toMatchObject({ file: '/src/sink.go', line: 77, function: 'main.(*sink).write' });
  });
});

describe('batch C classes, on wordings other than the batch\'s', () => {
  it('a pod that never started for its image or config is configuration, not a timeout, not retryable', () => {
    const d = run('kubernetes.pod_launcher.PodLaunchFailedException: Pod took longer than 300 seconds to start.', [
      'Warning  Failed  kubelet  Error: CreateContainerConfigError: secret "warehouse-creds" not found',
    ]);
    expect(d.category).toBe('configuration');
    expect(d.retryable).toBe(false);
    expect(run('[2026-01-02, 03:04:05 UTC] {pod.py:954} ERROR - Pod Event: Failed - Error: ErrImagePull (manifest for ghcr.io/acme/etl:v9 unknown)').category).toBe('configuration');
    // Without a start-failure reason the launch timeout stays a timeout.
    expect(run('kubernetes.pod_launcher.PodLaunchFailedException: Pod took longer than 300 seconds to start.').category).toBe('timeout');
  });

  it('a warehouse query over its memory is resource exhaustion', () => {
    expect(run('snowflake.connector.errors.ProgrammingError: Query exceeded per-query memory limit').category).toBe('resource_exhaustion');
    expect(run('io.trino.spi.TrinoException: Query exceeded distributed user memory limit of 20GB [EXCEEDED_GLOBAL_MEMORY_LIMIT]').category).toBe('resource_exhaustion');
  });

  it('an OOM with the input at its usual size is retryable; with the input far above it, not', () => {
    const oom = 'MemoryError: Unable to allocate 3.1 GiB for an array';
    expect(run(oom, ['INFO read 96,100 records (median 95,800)']).retryable).toBe(true);
    expect(run(oom, ['INFO read 960,100 records (median 95,800)']).retryable).toBe(false);
  });

  it('an orchestrator SQL check whose result is false is data quality', () => {
    const d = run('airflow.exceptions.AirflowException: Test failed.\nPass value:0\nTolerance:None\nQuery:\nSELECT COUNT(*) FROM orders WHERE customer_id IS NULL\nResults:\n[12]');
    expect(d.category).toBe('data_quality');
    expect(run('airflow.exceptions.AirflowException: The following tests have failed:\n row_count').category).toBe('data_quality');
  });

  it('a serialisation failure is a retryable write conflict', () => {
    const d = run('psycopg2.errors.InternalError_: 1023\nDETAIL:  Serializable isolation violation on table - 100412, transactions forming the cycle are: 5512, 5513');
    expect(d.retryable).toBe(true);
  });

  it('a missing cloud region is configuration', () => {
    expect(run('botocore.exceptions.NoRegionError: You must specify a region.').category).toBe('configuration');
    expect(run('Error: Region is missing').category).toBe('configuration');
  });

  it('an untrusted TLS certificate is configuration', () => {
    expect(run('ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)').category).toBe('configuration');
    expect(run('level=error msg="vault login failed" err="Get \\"https://vault.internal:8200/v1/secret\\": x509: certificate signed by unknown authority"').category).toBe('configuration');
  });

  it('a symbol a major release moved elsewhere is a dependency problem', () => {
    const d = run('pydantic.errors.PydanticImportError: `pydantic:parse_raw_as` has been removed in V2.');
    expect(d.category).toBe('dependency_or_import');
    expect(run('langchain.errors.LangChainImportError: `OpenAI` has been moved to the `langchain-openai` package.').category).toBe('dependency_or_import');
  });

  it('a Snowflake invalid identifier after a position-only header is schema drift', () => {
    const d = analyse(request({ text: 'snowflake.connector.errors.ProgrammingError: 000904 (42000): SQL compilation error: error line 3 at position 8', after: ["invalid identifier 'ORDERS.DISCOUNT_CODE'"] }), { readSourceFiles: false });
    expect(d.category).toBe('schema_drift');
  });

  it('a date/time value out of range is data quality', () => {
    expect(run('ERROR:  date/time field value out of range: "31/12/2024"').category).toBe('data_quality');
  });

  it('zod issues identical in every record are schema drift; scattered ones are data quality', () => {
    const issue = (i: number, field: string, received: string) => `{ "code": "invalid_type", "expected": "string", "received": "${received}", "path": [ "rows", ${i}, "${field}" ], "message": "x" }`;
    const frames = '    at ZodObject.parse (/srv/node_modules/zod/lib/types.js:160:22)\n    at parseRows (/srv/dist/rows.js:9:20)';
    const drift = run(`ZodError: [\n${[issue(0, 'sku', 'undefined'), issue(1, 'sku', 'undefined'), issue(2, 'sku', 'undefined')].join(',\n')}\n]\n${frames}`);
    expect(drift.category).toBe('schema_drift');
    expect(drift.location).toMatchObject({ file: '/srv/dist/rows.js', line: 9 });
    expect(run(`ZodError: [\n${[issue(4, 'sku', 'null'), issue(90, 'name', 'number')].join(',\n')}\n]\n${frames}`).category).toBe('data_quality');
  });

  it('a Go frame under a GOPATH-style /go/src/ is user code when its function is the module\'s', () => {
    const [err] = extractErrorChain('panic: boom\n\ngoroutine 1 [running]:\ngithub.com/acme/x/internal/db.(*Store).Save(...)\n\t/go/src/app/internal/db/store.go:41 +0x1d\nmain.main()\n\t/go/src/app/main.go:12 +0x25');
    expect(err?.stack.find((f) => f.inUserCode)?.file).toBe('/go/src/app/internal/db/store.go');
  });
});

describe('the plugin or component that failed, when there are no frames', () => {
  it.each([
    ['2024-02-01T10:00:00Z E! [inputs.postgresql] Error in plugin: dial tcp 10.0.0.5:5432: connect: connection refused', 'inputs.postgresql'],
    ['2024-02-01T10:00:00Z E! [processors.starlark::enrich] Error in plugin: starlark: undefined: tags', 'processors.starlark'],
    ['2024-02-01T10:00:00Z E! [agent] Error writing to outputs.influxdb_v2: 401 Unauthorized: unauthorized access', 'outputs.influxdb_v2'],
    ['2024-02-01T10:00:00.1Z ERROR vector::topology::builder: Healthcheck failed. error=Connection refused component_kind="sink" component_type="http" component_id=archive', 'archive'],
    ['Jan 02 10:00:00.000 ERROR sink{name=warehouse type=clickhouse}:request{request_id=7}: vector::sinks::util::retries: Not retriable; dropping the request. reason="422 Unprocessable Entity"', 'warehouse'],
    ['Error in plugin [inputs.mysql]: Error 1045: Access denied for user', 'inputs.mysql'],
  ])('%s → %s', (text, name) => {
    expect(run(text).location?.function).toBe(name);
  });

  it('a plugin named only in the lines before is not the failing one', () => {
    const d = run('2024-02-01T10:00:00Z E! Error running agent: context canceled', ['2024-02-01T09:59:59Z I! [inputs.cpu] Starting']);
    expect(d.location?.function).not.toBe('inputs.cpu');
  });
});

