// Failures a person recognises at a glance, whatever printed them, and the healthy lines that look
// like them: the classes of tuning round 4 as a data table, each in wordings of our own (not a
// corpus log's), through the default packs.
import { describe, expect, it } from 'vitest';
import { defaultDetector as detector, firstRuleOf as ruleOf } from '../helpers/first-rule.js';

describe('failures the packs recognise without knowing the stack', () => {
  it.each<[string, string, string]>([
    ['a module-qualified exception behind a line number', '12 orders.pipeline.errors.LoadStepError: upstream table empty', 'generic.error-line'],
    ['a single-word exception relayed behind a runner prefix', '[2026-01-02 03:04:05,678] {base_task_runner.py:98} INFO - Subtask: ValueError: bad date', 'generic.error-line'],
    ['an exception quoted as a JSON value', '"result": "ConnectorError: cannot open source orders"', 'generic.error-line'],
    ["pytest's explanation line", 'E       billing.rates.RateMissing: no rate for EUR', 'generic.error-line'],
    ['a warehouse error code after a timestamp', '10:11:12    002003 (42S02): SQL compilation error:', 'generic.error-line'],
    ['an invalid-value line', 'Invalid value for env var named ETL_BATCH_SIZE', 'generic.error-line'],
    ["npm's error lines", 'npm error code ERESOLVE', 'generic.error-line'],
    ['Snakemake naming the file of an exception', 'ValueError in file /work/Snakefile, line 40:', 'generic.error-line'],
    ['an error relayed behind a runner prefix', '[2026-01-02 03:04:05,678] {docker.py:242} INFO - Error: API returned: bucket not found', 'generic.error-line'],
    ["R's last word", 'Execution halted', 'generic.error-line'],
    ["a worker's number is no zero count", '2026-01-02 03:04:05 +0000 [error]: #0 failed to flush the buffer', 'generic.error-record'],
    ["a tool's could-not line", 'Could not find profile `warehouse_prod`. Check profiles.yml.', 'generic.error-line'],
    ["kubectl's unable-to line", 'unable to recognize "jobs/etl.yaml": no matches for kind "CronJob" in version "batch/v2alpha1"', 'generic.error-line'],
    ['a client that gave up', 'upload of part 7 giving up after 5 attempts: connection reset by peer', 'generic.error-line'],
    ["an error report's own wording", 'load job failed; error message: Could not parse "n/a" as INT64 for field qty', 'generic.error-line'],
    ['a container whose binary cannot run', 'exec /usr/local/bin/etl: exec format error', 'generic.error-line'],
    ['an API error body (google.rpc.Status)', '    "status": "UNAVAILABLE"', 'generic.error-line'],
    ["a server's advice to retry is no retry", 'google.api_core.exceptions.ServiceUnavailable: 503 Backend error. Retrying the job may solve the problem.', 'generic.error-line'],
    ["dbt's own failure header", '10:11:12  Encountered an error:', 'dbt.runtime-error'],
    ["dbt's Database Error with its details below", 'Database Error\n  000606 (57P03): No active warehouse selected in the current session.', 'dbt.database-error'],
    ['a Go module that cannot be resolved', 'build acme.io/etl: cannot load acme.io/etl/internal/geo: cannot find module providing package acme.io/etl/internal/geo', 'go.module-error'],
    ['a Go std-log line reporting an error', '2026/01/02 03:04:05 sync: cannot decode batch 17: unexpected EOF', 'go.log-error'],
    ["an OS error as Rust's io::Error prints it", 'etl serve: Too many open files (os error 24)', 'generic.error-line'],
    ['work the system stopped', 'Query exceeded its time limit of 300 second(s) and was cancelled.', 'generic.error-line'],
    ["a warehouse load's error position", "Found character ';' instead of field delimiter ','\n  File 'orders/2026/part_07.csv.gz', line 12, character 40", 'generic.error-line'],
    ["an SDK's error object logged as JSON", '{"error":{"message":"","code":"ConditionalCheckFailedException","statusCode":400,"retryable":false},"item":{"id":7}}', 'generic.error-line'],
    ['a client whose session the server ended still fails', 'psycopg2.errors.AdminShutdown: terminating connection due to administrator command', 'postgresql.connection'],
    ['the client that asked for a missing database still fails', 'psycopg2.OperationalError: FATAL:  database "app" does not exist', 'python.psycopg'],
    ['a server FATAL that is not a refused probe still alarms', '2026-01-02 03:04:05.678 UTC [91] FATAL:  could not open file "base/16384/2601": No such file or directory', 'postgresql.server-fatal'],
    ['a Rust panic naming its thread id', "thread 'main' (4242) panicked at src/parse.rs:19:5:\nindex out of bounds", 'generic.rust-panic'],
    // Session 5: the classes of the dev misses, each in other words.
    ['an OS error printed as its repr, number first', "IOError(5, 'Input/output error') while writing part-0003", 'generic.error-line'],
    ["the OS's own refusal, quoted by any tool", 'rsync: write failed on "/data/out.parquet": No space left on device (28)', 'generic.error-line'],
    ["a failure quoted as a message's first words", "Task exception was: ('load', 'Failed to parse row 17 of batch.csv')", 'generic.error-line'],
    ["a could-not line behind a paste's quote mark", '> Could not resolve host github.com while fetching dependencies', 'generic.error-line'],
    ['a Spark SQL error class in brackets', '[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0.', 'generic.error-line'],
    ["an API error body's code in capitals", '{"code": "RESOURCE_NOT_FOUND", "message": "Bucket acme-raw does not exist"}', 'generic.error-line'],
    ["an API error body's numeric code", '{"error_code": 422, "message": "Unprocessable field amount"}', 'generic.error-line'],
    ['a list of errors that is not empty', '{"errors": [{"message": "Field amount of type Int! is required"}]}', 'generic.error-line'],
    ['a validation report that did not pass', "{'valid': False, 'row-count': 12, 'error-count': 3}", 'generic.error-line'],
    ["an error behind the program's name", "gcc: error: unrecognized command-line option '-mavx9'", 'generic.error-line'],
    ["a tool's unrecoverable error", 'tar: Error is not recoverable: exiting now', 'generic.error-line'],
    ['an OOM kill reported by a batch scheduler', 'sbatch: job 4242: 1 oom_kill event detected in step 4242.0', 'generic.killed'],
    ['a worker OOM killed', 'worker-3 was OOM killed while running the join', 'generic.killed'],
    ['a verdict on what the job was given', 'The supplied manifest appears to be invalid: missing key "version"', 'generic.error-line'],
    ['credentials that ran out', 'The token has expired: sign in again', 'generic.error-line'],
    ["an exception relayed by a Python warning's file prefix", '/opt/etl/run.py:12: UserWarning: acme.errors.LoadFailedError: could not load partition 7', 'generic.error-line'],
    ["Python's base exception, bare", 'Exception: no rows returned for 2024-01-01', 'generic.error-line'],
    ["JavaScript's base error, uncaught", "Uncaught Error: Cannot find module 'pg'", 'generic.error-line'],
    [".NET's unhandled exception", "Unhandled exception. System.IO.FileNotFoundException: Could not find file '/data/in.csv'.", 'generic.error-line'],
    ["C++'s uncaught exception", "terminate called after throwing an instance of 'std::runtime_error'", 'generic.error-line'],
    ["SQL Server's error report", "Msg 208, Level 16, State 1, Line 1 Invalid object name 'dbo.orders'.", 'generic.error-line'],
    ['a container YARN killed', 'Container killed by YARN for exceeding memory limits. 10.4 GB of 10 GB physical memory used.', 'generic.killed'],
    ["Docker's refusal", 'docker: Error response from daemon: pull access denied for acme/etl', 'generic.error-line'],
    ["a build tool's verdict", 'BUILD FAILED in 12s', 'generic.error-line'],
    ['a unit of work aborted', 'Job aborted.', 'generic.failed-unit'],
    ['a unit of work that finished with a failed status, at INFO', '2024-01-01T10:00:00Z [main] INFO  com.acme.Loader - Load finished with status FAILED', 'generic.failed-unit'],
  ])('%s', (_name, text, rule) => {
    expect(ruleOf(text)).toBe(rule);
  });
});

describe('healthy lines that look like failures', () => {
  it.each<[string, string]>([
    ['a zero error count (dbt, levelled error by its word)', 'Done. PASS=4 ERROR=0 SKIP=0 TOTAL=4'],
    ['a zero failure count', 'tests finished: passed=120 failure=0'],
    ['a could-not line that falls back', 'Unable to load native-hadoop library for your platform... using builtin-java classes where applicable'],
    ['a could-not line that skips', 'Could not find optional config /etc/etl/extra.yaml, skipping'],
    ["docker's cache miss before a pull", "Unable to find image 'postgres:16' locally"],
    ['a could-not line about something optional', 'Could not find optional plugin dir /etc/etl/plugins.d'],
    ['a could-not line that creates what is missing', 'Could not find state file .etl/state.json, creating a new one'],
    ["a database server refusing a health check's session", '2026-01-02 03:04:05.678 UTC [88] FATAL:  role "root" does not exist'],
    ["a database server refusing an init script's probe", '2026-01-02 03:04:05.678 UTC [91] FATAL:  database "app" does not exist'],
    ['a database server ending sessions on a clean shutdown', '2026-01-02 03:04:05.678 UTC [60] FATAL:  terminating connection due to administrator command'],
    ["PostgreSQL's replication launcher stopping on shutdown", '2026-01-02 03:04:05.678 UTC [1] LOG:  background worker "logical replication launcher" (PID 60) exited with exit code 1'],
    ['work a person cancelled', 'Run 1842 was cancelled by the user'],
    ['a client retrying', 'requests.exceptions.ConnectionError: connection reset, retrying in 4 s'],
    ['a Go std-log line about progress', '2026/01/02 03:04:05 sync: wrote 1200 rows to orders'],
    ['a Go std-log line retrying', '2026/01/02 03:04:05 sync: cannot reach broker, retrying in 2s'],
    ['a JVM warning that says what it falls back to, over its exception', '26/01/02 03:04:05 WARN FileStreamSink: Assume no metadata directory. Error while looking for metadata directory in the path: s3://b/x.???\njava.io.FileNotFoundException: No such file or directory: s3://b/x.???\n\tat org.apache.hadoop.fs.s3a.S3AFileSystem.s3GetFileStatus(S3AFileSystem.java:3866)'],
    ['an exception name inside a sentence without a message', 'the handler maps TimeoutError to a 504'],
    ['a log level tag is no error class', '[INFO] [MAIN_THREAD] started worker pool'],
    ['a flag named for what it handles', '{"feature_flags": {"ENABLE_MISSING_VALUES": true}}'],
    ['an empty list of errors', '{"level":"info","msg":"request done","errors":[],"status":200}'],
    ['a zero error code', '{"error_code": 0, "message": "ok"}'],
    ['a report that passed', '{"level":"info","msg":"validation finished","valid":true,"success":true}'],
    ['expired credentials the client renews', 'Cached token has expired, refreshing'],
    ['an invalid record the job skips', 'Row 17 is invalid: skipped'],
    ['a quoted could-not line that falls back', "INFO ('Could not find cached model, downloading it instead', 'bert')"],
    ["the kernel's OOM score, no kill", 'INFO: oom_score_adj set to 500'],
    ["SQL Server's informational message (severity 10)", 'Msg 0, Level 10, State 1: Changed database context to orders'],
    ['work a person aborted', 'Task aborted by user'],
    ['a build that passed', 'BUILD SUCCESSFUL in 4s'],
  ])('%s', (_name, text) => {
    expect(ruleOf(text)).toBeNull();
  });
});

// A client coping (a wait at start-up, a reconnect, a retry it announces) is not a failure in any
// pack; giving up is, and so is a retry of what no retry cures (coping.ts).
describe('waits and retries stay quiet; giving up alerts', () => {
  it.each<[string, string, string | null]>([
    ['a database not ready yet at start-up', '2026-03-01 10:00:01 WARNING db.wait: database not ready yet, waiting 2s: connection to server at "pg" (10.0.0.5), port 5432 failed: Connection refused', null],
    ["a wait loop's psql probe", 'psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file or directory -- Postgres is unavailable - sleeping', null],
    ['a broker being reconnected to, even at ERROR', '2026-03-01 10:00:01 ERROR kafka: Connection to node 1 (broker:9092) could not be established, reconnecting', null],
    ['a counted attempt that is not the last', '[2026-03-01 10:00:01] WARN Redis connection lost (ECONNREFUSED 127.0.0.1:6379); attempt 2 of 10', null],
    ['an SDK error the client will retry', 'INFO  botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: "https://s3.amazonaws.com/", will retry in 5 seconds', null],
    ['a client giving up after its attempts', '2026-03-01 10:00:09 ERROR db.wait: could not connect to server after 10 attempts: Connection refused, giving up', 'postgresql.connection'],
    ['the last of the attempts failing', '2026-03-01 10:00:09 ERROR loader: upload failed (attempt 5 of 5): 503 Service Unavailable', 'generic.error-line'],
    ['a wait that timed out', '2026-03-01 10:00:09 ERROR loader: Timed out waiting for the database to become ready: connection to server at "pg", port 5432 failed: Connection refused', 'postgresql.connection'],
    ['a retry of a missing privilege', '2026-03-01 10:00:09 WARNING loader: psycopg2.errors.InsufficientPrivilege: permission denied for table orders (retrying in 3 seconds)', 'postgresql.auth'],
    ['a timeout after a wait is no wait', '2026-03-01 10:00:09 WARNING Query timed out after waiting 300 seconds: canceling statement due to statement timeout', 'postgresql.conflict-or-timeout'],
    ['a pod not ready yet while it starts', '  Warning  Unhealthy  10s  kubelet  Readiness probe failed: Get "http://10.0.0.5:8080/healthz": dial tcp 10.0.0.5:8080: connect: connection refused', null],
    ['a task waiting for its upstream', "[2026-03-01 10:00:00,000] {taskinstance.py:1035} INFO - Dependencies not met for <TaskInstance: etl.load 2026-03-01 [queued]>, dependency 'Trigger Rule' FAILED: Task's trigger rule 'all_success' requires all upstream tasks to have succeeded", null],
    ["Airflow's failed attempt still reports itself", '[2026-03-01 10:00:09,123] {taskinstance.py:1150} INFO - Marking task as UP_FOR_RETRY. dag_id=etl, task_id=load', 'airflow.task-retry'],
  ])('%s', (_name, text, rule) => {
    expect(ruleOf(text)).toBe(rule);
  });
});

// The record screen searches every byte for the packs' words (issue 14): a class added here must not
// make it stop at words that ordinary lines carry (`validate_orders` steps, JSON `false` values).
describe("the generic classes keep the screen's words specific", () => {
  it.each(['false', 'valid', 'missing', 'kill', 'oom', 'duplicate'])('no bare %s', (word) => {
    expect(detector.screen.words).not.toContain(word);
  });
});

// Telegraf's level letters (round r6): an E! record that says what failed is a failure; its W! and I!
// lines, and glog / klog lines of any letter, are not read as levels.
describe('agents that write their level as a letter', () => {
  it.each<[string, string, string | null]>([
    ['a plugin that failed to gather', '2024-02-01T10:00:00Z E! [inputs.postgresql] Error in plugin: dial tcp 10.0.0.5:5432: connect: connection refused', 'generic.error-line'],
    ['an output that could not write', '2024-02-01T10:00:00Z E! [agent] Error writing to outputs.influxdb_v2: 401 Unauthorized', 'generic.error-line'],
    ['a plugin whose input would not parse', '2024-02-01T10:00:00Z E! [inputs.tail] Error in plugin: parsing line 4 of /var/log/app.json: unexpected token', 'go.plugin-error'],
    ['an output that gave up on a batch', '2024-02-01T10:00:00Z E! [outputs.kafka] Could not write batch: kafka: client has run out of available brokers', 'generic.error-record'],
    ['the agent that stopped', 'E! [telegraf] Error running agent: could not initialize input inputs.mqtt_consumer', 'generic.error-record'],
    ['a plugin error relayed without its letter', '[inputs.snmp] Error in plugin: agent 10.1.1.1:161: request timeout (after 3 retries)', 'go.plugin-error'],
    ["an older release's plugin error", 'Error in plugin [inputs.mysql]: Error 1045: Access denied for user', 'go.plugin-error'],
    ['a healthy start', '2024-02-01T10:00:00Z I! [agent] Config: Interval:10s, Quiet:false, Hostname:"h", Flush Interval:10s', null],
    ['a warning about a slow gather', '2024-02-01T10:00:00Z W! [inputs.exec] Collection took longer than expected; not complete after interval of 10s', null],
    ['a dropped-metrics warning', '2024-02-01T10:00:00Z W! [outputs.file] Metric buffer overflow; 120 metrics have been dropped', null],
    ['a klog error line that says what failed', 'E1203 12:00:00.123456    1234 job_controller.go:512] syncing job etl/nightly: could not create pod: quota exceeded', 'generic.error-record'],
    ['a glog fatal line', 'F0101 00:00:01.000001       7 main.go:9] bind: address already in use', 'generic.fatal'],
    ['a klog info line that mentions an error', 'I1203 12:00:00.123456    1234 reflector.go:255] Listing and watching *v1.Pod; last error cleared', null],
    ['a plugin error quoted in a warning', '2024-02-01T10:00:00Z W! [agent] Last seen: Error in plugin: timeout; retrying', null],
    ['a klog warning line', 'W1203 12:00:00.123456    1234 warnings.go:70] batch/v1beta1 CronJob is deprecated in v1.21+', null],
  ])('%s', (_what, text, rule) => {
    expect(ruleOf(text)).toBe(rule);
  });
});

