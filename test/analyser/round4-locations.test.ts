// Locations in real formats (tuning round 4), each checked on wordings of our own, so the rule holds
// for the class, not for one log: console-script wrappers and Go's standard library are not the
// user's code, notebook and REPL frames are; flattened tracebacks, relayed Airflow 1 output, Rust
// panics whose message spans lines, a logger's caller, and the unit a workflow engine names.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { callerLocationOf, diagnosticLocationOf } from '../../src/brain/analyser/diagnostic-location.js';
import { extractErrorChain, userFrameOf } from '../../src/parse/stack-trace/extract-error.js';
import { isUserFrame } from '../../src/parse/stack-trace/user-code.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}
const locate = (text: string, context: string[] = []) => analyse(request({ text, context }), { readSourceFiles: false, learned: false }).location;
const at = (loc: ReturnType<typeof locate>) => (loc ? `${loc.file}:${loc.line ?? '-'}${loc.function ? ` ${loc.function}` : ''}` : null);

describe('whose code a frame is', () => {
  it('a console-script wrapper is a tool the user ran, not their code', () => {
    expect(isUserFrame('python', '/usr/local/bin/etlctl')).toBe(false);
    expect(isUserFrame('python', 'C:\\Python311\\Scripts\\etlctl-script.py')).toBe(false);
    expect(isUserFrame('python', '/home/ana/jobs/bin/nightly.py')).toBe(true);
    // …and the installed package it calls is that tool's, so no location rather than the tool's internals.
    const trace = [
      'Traceback (most recent call last):',
      '  File "/usr/local/bin/etlctl", line 8, in <module>',
      '    sys.exit(main())',
      '  File "/usr/local/lib/python3.11/site-packages/etlctl/cli.py", line 40, in main',
      '    run(args)',
      '  File "/usr/local/lib/python3.11/site-packages/requests/api.py", line 59, in request',
      '    return session.request(method=method, url=url, **kwargs)',
      'requests.exceptions.HTTPError: 500 Server Error',
    ].join('\n');
    expect(userFrameOf(extractErrorChain(trace))).toBeUndefined();
  });

  it('a notebook cell or the REPL is the user\'s; the runtime\'s pseudo-files are not', () => {
    expect(isUserFrame('python', '<ipython-input-7-0a1b2c3d4e5f>')).toBe(true);
    expect(isUserFrame('python', '<stdin>')).toBe(true);
    expect(isUserFrame('python', '<frozen importlib._bootstrap>')).toBe(false);
    expect(isUserFrame('python', '<string>')).toBe(false);
  });

  it("Go's standard library is not the user's code, whatever its path; a module path never is standard", () => {
    expect(isUserFrame('go', '/opt/go1.4/libexec/src/log/log.go', 'log.Fatalf')).toBe(false);
    expect(isUserFrame('go', 'C:/go/src/net/http/server.go', 'net/http.(*conn).serve')).toBe(false);
    expect(isUserFrame('go', '/build/cmd/etl/main.go', 'main.main')).toBe(true);
    expect(isUserFrame('go', '/build/internal/otel.go', 'go.acme.dev/etl/internal.Setup')).toBe(true);
  });
});

describe('frames in real formats', () => {
  it('reads a traceback flattened onto one line', () => {
    const flat =
      'Traceback (most recent call last): File "/srv/app/jobs/export.py", line 88, in export_day rows = fetch(day) File "/srv/venv/lib/python3.10/site-packages/google/api_core/future/polling.py", line 261, in result raise self._exception google.api_core.exceptions.InternalServerError: 500 backend error';
    expect(at(locate(flat))).toBe('/srv/app/jobs/export.py:88 export_day');
  });

  it('reads a traceback behind any per-line prefix (journald, a CI job, a timestamp, quoted bytes)', () => {
    const journald = ['Traceback (most recent call last):', '  File "/srv/app/store.py", line 36, in save', '    bucket.put(body)', '  File "/usr/lib/python3/dist-packages/boto3/s3/inject.py", line 106, in put', "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation"].map((l, i) => `etl-web[${4100 + i}]: ${l}`);
    expect(at(locate(journald.join('\n')))).toBe('/srv/app/store.py:36 save');
    const quoted = ['b\'Traceback (most recent call last):\\n\'', 'b\'  File "/app/jobs/dedup.py", line 14, in <module>\\n\'', "b'    run()\\n'", "b'ValueError: empty partition\\n'"].map((l) => `[2026-01-02 03:04:05,678] {pod_manager.py:200} INFO - ${l}`);
    expect(at(locate(quoted.join('\n')))).toBe('/app/jobs/dedup.py:14 <module>');
  });

  it("reads Airflow 1's task runner relay (`Subtask: …`)", () => {
    const relay = (line: string) => `[2026-01-02 03:04:05,678] {base_task_runner.py:98} INFO - Subtask: ${line}`;
    const context = ['Traceback (most recent call last):', '  File "/opt/dags/ops/load.py", line 31, in execute', '    self.hook.run(sql)', '  File "/usr/lib/python3.6/site-packages/airflow/hooks/dbapi_hook.py", line 170, in run', '    cur.execute(s)'].map(relay);
    expect(at(locate(relay("KeyError: 'day'"), context))).toBe('/opt/dags/ops/load.py:31 execute');
  });

  it('finds the end of a Rust panic message that spans lines, and the human-panic report', () => {
    const panic = ["thread 'worker-2' panicked at 'called `Result::unwrap()` on an `Err` value: fetch failed", '', 'Caused by:', '    0: connection refused', "    1: os error 111', src/bin/fetch.rs:41:17"].join('\n');
    expect(at(locate(panic))).toBe('src/bin/fetch.rs:41');
    expect(at(locate("[2026-01-02T03:04:05Z ERROR panic] thread 'main' panicked at 'index out of range': src/store.rs:77"))).toBe('src/store.rs:77');
    expect(at(locate("Panic occurred in file 'src/parse.rs' at line 19"))).toBe('src/parse.rs:19');
  });

  it('reads IPython and Jupyter tracebacks (classic, IPython 8 and Colab forms)', () => {
    const classic = ['ValueError                                Traceback (most recent call last)', '<ipython-input-4-9f8e7d6c5b4a> in <module>', '      1 rows = load()', '----> 2 total = summarise(rows)', '', '<ipython-input-2-0a1b2c3d4e5f> in summarise(rows)', '      7 def summarise(rows):', '----> 8     return sum(int(r) for r in rows)', '', "ValueError: invalid literal for int() with base 10: 'n/a'"].join('\n');
    expect(at(locate(classic))).toBe('<ipython-input-2-0a1b2c3d4e5f>:8 summarise');
    const ipy8 = ['KeyError                                  Traceback (most recent call last)', 'Cell In[7], line 3', '      1 df = read()', '----> 3 df["amount"]', '', 'File /opt/conda/lib/python3.11/site-packages/pandas/core/frame.py:3761, in DataFrame.__getitem__(self, key)', '-> 3761 indexer = self.columns.get_loc(key)', '', "KeyError: 'amount'"].join('\n');
    expect(at(locate(ipy8))).toBe('Cell In[7]:3 <module>');
    const colab = ['MemoryError                               Traceback (most recent call last)', '[<ipython-input-9-1a2b3c4d5e6f>](https://localhost:8080/#) in <module>', '----> 5 model = fit(frame)', '', 'MemoryError: '].join('\n');
    expect(at(locate(colab))).toBe('<ipython-input-9-1a2b3c4d5e6f>:5 <module>');
  });

  it("reads dbt's node error under a bare Runtime Error", () => {
    const text = ['Runtime Error', '  Database Error in model orders_daily (models/marts/orders_daily.sql)', '    column "amount" does not exist'].join('\n');
    expect(at(locate(text))).toBe('models/marts/orders_daily.sql:- orders_daily');
  });
});

describe("a logger's caller when there are no frames", () => {
  it('takes the last Go caller on the record\'s first line, not klog\'s own header or the Go tree', () => {
    expect(at(callerLocationOf(['2026/01/02 03:04:05.000001 fetch.go:52: [ERROR] decode page: unexpected EOF']) ?? null)).toBe('fetch.go:52');
    expect(at(callerLocationOf(['E0102 03:04:05.000001       1 reflector.go:201] github.com/acme/op/pkg/watch/watch.go:88: Failed to list *v1.Job: forbidden']) ?? null)).toBe('github.com/acme/op/pkg/watch/watch.go:88');
    expect(callerLocationOf(['E0102 03:04:05.000001       1 kuberuntime_manager.go:801] container start failed: ErrImagePull'])).toBeUndefined();
    expect(callerLocationOf(['/go/pkg/mod/k8s.io/apimachinery@v0.29.0/pkg/util/runtime/runtime.go:76 failed'])).toBeUndefined();
  });

  it("takes a Rust error's debug-printed Location", () => {
    const text = ['ERROR sync: store failed: Io {', '    location: Location {', '        file: "src/store/disk.rs",', '        line: 140,', '        column: 9,', '    },', '}'];
    expect(at(callerLocationOf(text) ?? null)).toBe('src/store/disk.rs:140');
  });

  it("does not take a Go stack frame's file line for a compiler diagnostic", () => {
    expect(diagnosticLocationOf(['\t/usr/local/go/src/runtime/panic.go:605 +0x9c'])).toBeUndefined();
    expect(at(diagnosticLocationOf(['cmd/etl/main.go:12:2: undefined: loadConfig']) ?? null)).toBe('cmd/etl/main.go:12');
  });
});

describe('the unit a workflow engine names', () => {
  it('names the Snakemake rule and the Luigi task', () => {
    expect(at(locate('Error in rule align_reads:\n    jobid: 3'))).toBe('align_reads:- align_reads');
    expect(at(locate('ERROR: [pid 12] Worker Worker(salt=1, workers=1, host=h, username=u, pid=12) failed    DailyRollup(date=2026-01-02)'))).toBe('DailyRollup:- DailyRollup');
    expect(at(locate('INFO: Task DailyRollup_2026_01_02_9f8e died unexpectedly with exit code -9'))).toBe('DailyRollup_2026_01_02_9f8e:- DailyRollup_2026_01_02_9f8e');
    expect(at(locate('RuntimeError: Unfulfilled dependency at run time: ExportOrders__0123456789'))).toBe('ExportOrders:- ExportOrders');
  });
});

describe('JVM frames', () => {
  it('keeps the frames of a header the logger cut, and finds the user frame among them', () => {
    const text = ["10:00:00 [main] ERROR com.acme.store.Repo - insert failed", ": Duplicate entry '7' for key 'PRIMARY'", '        at com.mysql.cj.jdbc.ClientPreparedStatement.execute(ClientPreparedStatement.java:370)', '        at com.zaxxer.hikari.pool.HikariProxyPreparedStatement.execute(HikariProxyPreparedStatement.java)', '        at com.acme.store.Repo.insert(Repo.java:51)'].join('\n');
    expect(at(locate(text))).toBe('Repo.java:51 com.acme.store.Repo.insert');
  });

  it('passes over the drivers, pools and clients applications embed', () => {
    const text = ['java.net.SocketTimeoutException: Read timed out', '\tat java.net.SocketInputStream.socketRead0(Native Method)', '\tat org.jsoup.helper.HttpConnection$Response.execute(HttpConnection.java:443)', '\tat com.mchange.v2.c3p0.impl.NewProxyPreparedStatement.executeQuery(NewProxyPreparedStatement.java:1471)', '\tat com.acme.crawl.Fetcher.page(Fetcher.java:30)'].join('\n');
    expect(at(locate(text))).toBe('Fetcher.java:30 com.acme.crawl.Fetcher.page');
  });
});

describe('named units and files when there are no frames', () => {
  it('names a Dagster step key, a sensor, a Prefect flow, a Kafka Connect task', () => {
    expect(at(locate('sqlalchemy.exc.OperationalError: database is locked [parameters: (\'{"step_key": "load_orders.compute", "level": 20}\')]'))).toBe('load_orders.compute:- load_orders.compute');
    expect(at(locate('2026-01-02 03:04:05 +0000 - dagster.daemon.SensorDaemon - ERROR - Sensor daemon caught an error for sensor new_files_sensor'))).toBe('new_files_sensor:- new_files_sensor');
    expect(at(locate("03:04:05.678 | ERROR   | prefect.flows - Parameter validation failed for flow 'nightly-etl': bad int"))).toBe('nightly-etl:- nightly-etl');
    expect(at(locate('[2026-01-02 03:04:05,678] ERROR WorkerSinkTask{id=orders-sink-0} Task threw an uncaught and unrecoverable exception'))).toBe('orders-sink-0:- orders-sink-0');
  });

  it('takes a source file the error quotes, not an installed one', () => {
    expect(at(locate("SyntaxError: invalid syntax in '/opt/flows/flows/nightly.py'"))).toBe('/opt/flows/flows/nightly.py:-');
    // A file the message says is missing is what was not there, not where it failed (ADR 0028: dev +1, none lost).
    expect(locate("FileNotFoundError: [Errno 2] No such file or directory: '/opt/flows/flows/nightly.py'")).toBeNull();
    expect(locate("FileNotFoundError: [Errno 2] No such file or directory: '/usr/lib/python3/site-packages/x/data.py'")).toBeNull();
  });
});

describe('Node when no frame is the user\'s', () => {
  it("takes the throwing line Node prints above an uncaught exception, not Node's own", () => {
    const context = ['$ node jobs/export.js', '/srv/etl/jobs/export.js:27', '    throw err;', '    ^'];
    expect(at(locate("Error: ENOENT: no such file or directory, open '/srv/etl/data/in.csv'", context))).toBe('/srv/etl/jobs/export.js:27');
    expect(locate('Error: Cannot find module \'x\'', ['internal/modules/cjs/loader.js:583', '    throw err;', '    ^'])).toBeNull();
  });

  it('takes the package that called the one that threw; a stack inside one SDK names no place', () => {
    const plugin = ['CsvError: Invalid Record Length: columns length is 4, got 2 on line 9', '    at Object.__onRecord (file:///app/node_modules/csv-parse/lib/api/index.js:372:11)', '    at loadRates (file:///app/node_modules/@acme/rates-plugin/dist/index.js:88:10)', '    at build (file:///app/node_modules/@acme/build/dist/index.js:12:3)'].join('\n');
    expect(at(locate(plugin))).toBe('/app/node_modules/@acme/rates-plugin/dist/index.js:88 loadRates');
    const sdk = ['ThrottlingException: Rate exceeded', '    at Request.extractError (/app/node_modules/aws-sdk/lib/protocol/json.js:51:27)', '    at Request.callListeners (/app/node_modules/aws-sdk/lib/sequential_executor.js:106:20)'].join('\n');
    expect(locate(sdk)).toBeNull();
  });
});
