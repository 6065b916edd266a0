// Location classes read off the logs that were unseen until session 6 (blind batch r6 and dev7): the
// unit the failing record names in a structured position, and frames or diagnostics in formats the
// analyser did not read. Every rule is checked on wordings of our own, beside the case it must leave
// alone, so it holds for the class of log and not for the one log that showed it.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { extractErrorChain } from '../../src/parse/stack-trace/extract-error.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}
const locate = (text: string, context: string[] = [], after?: string[]) =>
  analyse(request({ text, context, ...(after ? { after } : {}) }), { readSourceFiles: false, learned: false }).location;

describe('the unit the failing record names', () => {
  it.each([
    ['ConfigError: Input "parse_json" for sink "warehouse" doesn\'t match any components.', 'warehouse'],
    ["ConnectException: Connector 'orders-jdbc' is in FAILED state after 3 restarts", 'orders-jdbc'],
    ['RuntimeError: tool "refresh_cache" call failed: upstream returned 502', 'refresh_cache'],
    ["ValueError: stream 'page_views' returned records without a primary key", 'page_views'],
    ['Error: plugin `tap-hubspot` exited with code 1', 'tap-hubspot'],
  ])('a name in quotes after its kind: %s → %s', (text, name) => {
    expect(locate(text)?.function).toBe(name);
  });

  it('a topic a message was sent to is no place (the labels say so)', () => {
    expect(locate("KafkaTimeoutError: Error when sending message to topic 'clicks' with key: null, value: 40 bytes")).toBeNull();
  });

  it('names a unit bare after "for <kind>" only where the name ends the clause', () => {
    expect(locate('error: E042: Failed to render macro incremental_merge for model model.shop.fct_orders: columns out of sync')?.function).toBe('model.shop.fct_orders');
    expect(locate('RuntimeError: quota exceeded for dataset analytics_eu')?.function).toBe('analytics_eu');
    // `for flow run '…'`: the word after the kind is not a name.
    expect(locate("Crashed: Subprocess for flow run '4bc2d0cc' exited with bad code: -9")?.function).not.toBe('run');
  });

  it('names a code location that did not load, not a plain word before a colon', () => {
    expect(locate('CodeLocationLoadError: Failure loading billing-jobs: UserCodeUnreachableError: could not reach the server')?.function).toBe('billing-jobs');
    expect(locate('DagsterError: Error loading sales_v2: TimeoutError: deadline exceeded')?.function).toBe('sales_v2');
    expect(locate('RuntimeError: Error loading config: missing key "region"')?.function).not.toBe('config');
  });

  it("names a Vector component by its config table's key, whatever it is called", () => {
    const quoted = locate('ERROR vector::cli: Configuration error. error=Input "in_1" for source "syslog_in" doesn\'t match any components.');
    expect(quoted).toMatchObject({ file: 'sources.syslog_in', function: 'syslog_in' });
    const keyed = locate('ERROR vector::topology::builder: Healthcheck failed. error=timed out\ncomponent_kind="transform" component_type="remap" component_id=enrich');
    expect(keyed).toMatchObject({ file: 'transforms.enrich', function: 'enrich' });
  });

  it('a unit named only in the lines before the record is one that ran, not the one that failed', () => {
    expect(locate('ValueError: cannot convert float NaN to integer', ['Starting connector \'orders-jdbc\'', 'component_kind="sink" component_id=archive'])).toBeNull();
  });
});

describe("dbt's node and the file that defines it", () => {
  it('a failed test is located at its schema file, even with its colours pasted without their escape byte', () => {
    const loc = locate('[31mFailure in test unique_orders_order_id (models/marts/_orders.yml)[0m\n\n  Got 3 results, configured to fail if != 0');
    expect(loc).toMatchObject({ file: 'models/marts/_orders.yml', function: 'unique_orders_order_id' });
  });

  it('a bracketed time window is no colour code', () => {
    expect(locate('AlertError: rule "disk_full" fired for [5m] window')?.function).toBe('disk_full');
  });
});

describe('frames behind a per-line prefix nobody registered', () => {
  it('a JVM stack relayed by journald, with Logback packaging data after each frame', () => {
    const p = 'Mar 03 04:05:06 etl-host loader.sh[882]: ';
    const loc = locate(`${p}java.lang.IllegalStateException: ledger closed`, [], [
      `${p}        at com.acme.ledger.Writer.append(Writer.java:88) ~[ledger-2.1.jar:?]`,
      `${p}        at com.acme.ledger.Job.run(Job.java:20) ~[ledger-2.1.jar:?]`,
      `${p}        at java.base/java.lang.Thread.run(Thread.java:833) [?:?]`,
    ]);
    expect(loc).toMatchObject({ file: 'Writer.java', line: 88 });
  });

  it("a logger's level tag before every line, digits of the time changing", () => {
    const loc = locate('09:14:59 [SEVERE] java.sql.SQLException: pool exhausted', [], [
      '09:14:59 [SEVERE]     at com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:190)',
      '09:15:00 [SEVERE]     at org.acme.store.Pool.borrow(Pool.java:33)',
    ]);
    expect(loc).toMatchObject({ file: 'Pool.java', line: 33 });
  });

  it("a process manager's column before a Go panic, and a Node stack behind a platform's stamp", () => {
    const go = ['[   api] goroutine 12 [running]:', '[   api] main.handle(0x0)', '[   api]       /srv/app/handler.go:41 +0x1d', '[   api] main.main()', '[   api]       /srv/app/main.go:9 +0x25'];
    expect(extractErrorChain(['[   api] panic: assignment to entry in nil map', '', ...go].join('\n'))[0]?.stack[0]).toMatchObject({ file: '/srv/app/handler.go', line: 41 });
    const node = ['2025-01-02T03:04:05.000001+00:00 app[web.1]: TypeError: x is not a function', '2025-01-02T03:04:05.000002+00:00 app[web.1]:     at render (/app/src/page.js:12:5)'];
    expect(extractErrorChain(node.join('\n'))[0]?.stack[0]).toMatchObject({ file: '/app/src/page.js', line: 12 });
  });

  it('a sentence that merely says "at" is no frame, and its words are not cut from other lines', () => {
    expect(extractErrorChain('worker 3: failed at startup (config.yaml:12)\nworker 3: giving up').every((e) => e.stack.length === 0)).toBe(true);
  });
});

describe('a Go stack printed by a recover handler', () => {
  it('the frames above the runtime panic are the handler; the panic was raised below it', () => {
    const text = [
      'panic recovered: runtime error: index out of range [3] with length 3',
      'goroutine 7 [running]:',
      'runtime/debug.Stack()',
      '\t/usr/local/go/src/runtime/debug/stack.go:24 +0x5e',
      'github.com/acme/jobs/internal/safe.Go.func1.1()',
      '\t/src/jobs/internal/safe/safe.go:15 +0x4d',
      'panic({0x6b2f80?, 0xc0000a8018?})',
      '\t/usr/local/go/src/runtime/panic.go:914 +0x21f',
      'github.com/acme/jobs/internal/export.(*Exporter).flush(...)',
      '\t/src/jobs/internal/export/flush.go:57 +0x1b',
    ].join('\n');
    expect(locate(text)).toMatchObject({ file: '/src/jobs/internal/export/flush.go', line: 57 });
  });

  it('a panic with no handler above it keeps its first user frame', () => {
    const text = 'panic: boom\n\ngoroutine 1 [running]:\nmain.load()\n\t/src/app/load.go:21 +0x1d\nmain.main()\n\t/src/app/main.go:8 +0x25';
    expect(locate(text)).toMatchObject({ file: '/src/app/load.go', line: 21 });
  });
});

describe('a Node stack all in node_modules', () => {
  it('a promise library between packages is plumbing, not the package that called the thrower', () => {
    const text = [
      'ConnectionRefusedError: connect ECONNREFUSED 10.0.0.4:5432',
      '    at /srv/node_modules/knex/lib/client.js:301:19',
      '    at tryCatcher (/srv/node_modules/bluebird/js/release/util.js:16:23)',
      '    at Promise._settlePromise (/srv/node_modules/bluebird/js/release/promise.js:569:18)',
    ].join('\n');
    expect(locate(text)).toBeNull();
  });

  it('a plugin package calling the thrower is still the place', () => {
    const text = ['CsvError: Invalid Record Length', '    at Parser.__onRecord (/srv/node_modules/csv-parse/lib/index.js:924:9)', '    at Object.load (/srv/node_modules/etl-plugin-csv/index.js:40:7)'].join('\n');
    expect(locate(text)).toMatchObject({ file: '/srv/node_modules/etl-plugin-csv/index.js', line: 40 });
  });
});

describe("the application class a Logback or Log4j layout says logged the failure", () => {
  it('reads the logger from the default layouts, abbreviated or not', () => {
    expect(locate('07:01:02.345 [scheduler-2] ERROR org.acme.billing.InvoiceExporter - export failed:\njava.lang.NumberFormatException: For input string: "n/a"')).toMatchObject({ file: 'InvoiceExporter', function: 'InvoiceExporter' });
    expect(locate('2024-05-06 07:08:09,101 ERROR [main] c.acme.etl.NightlyLoad - load aborted')).toMatchObject({ file: 'NightlyLoad' });
  });

  it("a logger that is no class (a Python or Clojure namespace) or a library's is no place", () => {
    expect(locate('Mar 14 12:43:53 ERROR   django.request - 500 Internal Server Error: /orders/7/edit/')).toBeNull();
    expect(locate('10:00:00.000 [qtp-13] ERROR c.acme.api.interceptor - {:msg "Unhandled error"}')).toBeNull();
    expect(locate('10:00:00.000 [main] ERROR org.hibernate.engine.jdbc.spi.SqlExceptionHelper - Deadlock found when trying to get lock')).toBeNull();
  });
});

describe('diagnostics in formats of other runtimes and tools', () => {
  it("Snakemake's rule and file, with Markdown's bold marks a thread left around the rule", () => {
    const loc = locate('RuleException in rule **align_reads** in file /data/proj/workflow/Snakefile, line 42:\nCalledProcessError in line 50 of /data/proj/workflow/Snakefile');
    expect(loc).toMatchObject({ file: '/data/proj/workflow/Snakefile', line: 42, function: 'align_reads' });
  });

  it("Perl's die names the script and line; a module it names is a library", () => {
    expect(locate('DBD::Pg::st execute failed: ERROR:  could not serialize access at /srv/etl/bin/nightly-import line 211.')).toMatchObject({ file: '/srv/etl/bin/nightly-import', line: 211 });
    expect(locate('DBD::Pg::st execute failed: ERROR:  could not serialize access at /usr/share/perl5/Acme/Store.pm line 88.')).toBeNull();
  });

  it("Elixir's stacktrace: the top frame of the application, past Ecto, Postgrex and Oban", () => {
    const text = [
      '** (DBConnection.ConnectionError) tcp recv: closed',
      '    (db_connection 2.6.0) lib/db_connection.ex:1000: DBConnection.run/3',
      '    (ecto_sql 3.10.1) lib/ecto/adapters/sql.ex:913: Ecto.Adapters.SQL.execute/6',
      '    (shop 1.4.0) lib/shop/orders/sync.ex:64: Shop.Orders.Sync.pull!/2',
      '    (oban 2.15.2) lib/oban/queue/executor.ex:129: Oban.Queue.Executor.perform/1',
    ].join('\n');
    expect(locate(text)).toMatchObject({ file: 'lib/shop/orders/sync.ex', line: 64, function: 'Shop.Orders.Sync.pull!/2' });
    expect(locate('** (Postgrex.Error) ERROR 40001\n    (ecto_sql 3.10.1) lib/ecto/adapters/sql.ex:913: Ecto.Adapters.SQL.execute/6\n    (elixir 1.15.0) lib/task.ex:42: Task.run/1')).toBeNull();
  });
});

describe("loguru's caller", () => {
  it('an ERROR names where it was logged; a WARNING joined above the failure does not', () => {
    expect(locate('2024-03-01 10:00:00.123 | ERROR    | etl.load:write_batch:88 - insert failed')).toMatchObject({ file: 'etl.load', line: 88, function: 'write_batch' });
    expect(locate('2024-03-01 10:00:00.123 | WARNING  | gunicorn.queue:enqueue:41 - queue depth is 3\n\nrequests.exceptions.ConnectTimeout: HTTPSConnectionPool(host=\'api.example.com\', port=443): Max retries exceeded')).toBeNull();
  });
});

describe('a bare name between its kind and the verb that failed', () => {
  it.each([
    ['Error: release metrics-stack failed: timed out waiting for the condition', 'metrics-stack'],
    ['RuntimeError: job nightly_rollup has failed after 3 attempts', 'nightly_rollup'],
    ['ERROR: Pipeline ingest.orders FAILED with exit code 2', 'ingest.orders'],
  ])('%s → %s', (text, name) => {
    expect(locate(text)?.function).toBe(name);
  });

  it('a word of the sentence is no name', () => {
    expect(locate('RuntimeError: the job that failed was retried and failed again')).toBeNull();
  });

  it("a status line that starts with the unit's identifier, not with a word", () => {
    expect(locate('ERROR:', [], ['gold_daily_revenue FAILED --> see driver log'])?.function).toBe('gold_daily_revenue');
    expect(locate('Build FAILED in 12s', [])).toBeNull();
  });
});

describe('the configuration file a configuration error is about', () => {
  it('named in the failing record', () => {
    expect(locate('Compilation Error\n  2 sources are declared in sources.yml but not defined in any model')?.file).toBe('sources.yml');
    expect(locate('FATAL: unknown key "retries" in /srv/agent/conf/agent.toml, line 7')?.file).toBe('/srv/agent/conf/agent.toml');
  });

  it('loaded a few lines before a record that reports a configuration error', () => {
    const context = ['INFO shipper: Using config file: /opt/shipper/shipper.yaml', 'INFO shipper: starting 4 workers'];
    expect(locate('ERROR shipper::graph: Configuration error: output "s3" has no inputs', context)?.file).toBe('/opt/shipper/shipper.yaml');
    // A failure that is not about the configuration is not located at the file loaded before it.
    expect(locate('ERROR shipper::io: connection reset by peer', context)).toBeNull();
  });

  it("a conda environment's file is no configuration (labels mostly say no place)", () => {
    expect(locate('CreateCondaEnvironmentException:\nCould not create conda environment from /work/envs/align.yaml:')).toBeNull();
  });
});

describe("Rich's boxed tracebacks (Typer, Prefect's and Dagster's command lines)", () => {
  const box = (frames: string[]) =>
    ['╭──────────── Traceback (most recent call last) ────────────╮', ...frames.map((f) => `│ ${f.padEnd(56)} │`), '╰──────────────────────────────────────────────────────────╯'];

  it('the innermost frame of the user, with a Windows path, past the libraries under it', () => {
    const text = [
      ...box(['C:\\Users\\li\\proj\\cli.py:18 in main', '', 'C:\\Users\\li\\proj\\jobs\\daily.py:73 in load_day', '', '  72 │   rows = fetch(day)', '❱ 73 │   return rows[0]["total"]', '', 'C:\\Python312\\Lib\\site-packages\\polars\\frame.py:1500 in __getitem__']),
      'IndexError: list index out of range',
    ].join('\n');
    expect(locate(text)).toMatchObject({ file: 'C:\\Users\\li\\proj\\jobs\\daily.py', line: 73, function: 'load_day' });
  });

  it('a box of library frames only names no place of the user', () => {
    const text = [...box(['/usr/lib/python3.12/site-packages/httpx/_client.py:1013 in send']), 'httpx.ConnectTimeout: timed out'].join('\n');
    expect(locate(text)).toBeNull();
  });
});

describe('a traceback kept as a JSON list of frame strings (a serialized Python error)', () => {
  const frame = (file: string, line: number, fn: string, code: string) => JSON.stringify(`  File "${file}", line ${line}, in ${fn}\n    ${code}\n`);

  it("is read as CPython prints it: the user's innermost frame", () => {
    const frames = [frame('/usr/lib/python3.10/site-packages/orchestrator/boundary.py', 40, 'guard', 'yield'), frame('/srv/pipelines/resources/warehouse.py', 27, 'warehouse_resource', 'return connect(cfg)')];
    const text = `2024-04-01 10:00:00 - ERROR - nightly - RESOURCE_INIT_FAILURE\n event_data = {"error": [${JSON.stringify("ValueError: missing 'host'\n")}, [${frames.join(', ')}], "ValueError", null], "kind": "init"}`;
    expect(locate(text)).toMatchObject({ file: '/srv/pipelines/resources/warehouse.py', line: 27, function: 'warehouse_resource' });
  });

  it('a list of other strings is left alone', () => {
    expect(locate('ERROR job failed: {"tags": ["  nightly\\n", "  File cabinet\\n"]}')).toBeNull();
  });
});
