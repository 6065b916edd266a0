import { describe, it, expect } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMultilineJoiner, type JoinedRecord } from '../../src/source/multiline-joiner.js';
import { readRecordsFromFile } from '../../src/source/read-records-from-file.js';
import { joinLines, sourceConfig, tempDir } from './helpers.js';

const join_ = joinLines;

const PYTHON = [
  '2026-01-01 12:00:00 ERROR transform_data failed',
  'Traceback (most recent call last):',
  '  File "/app/etl.py", line 12, in transform',
  '    value = int(row["amount"])',
  'ValueError: invalid literal for int() with base 10: \'abc\'',
  '',
  'During handling of the above exception, another exception occurred:',
  '',
  'Traceback (most recent call last):',
  '  File "/app/etl.py", line 14, in transform',
  '    raise StepError("bad row") from None',
  'etl.errors.StepError: bad row',
];
const JAVA = [
  '2026-01-01 12:00:00 ERROR [main] Job failed',
  'java.lang.IllegalStateException: boom',
  '\tat com.acme.Job.run(Job.java:42)',
  '\tat com.acme.Main.main(Main.java:7)',
  'Caused by: java.io.IOException: disk full',
  '\tat com.acme.Io.write(Io.java:9)',
  '\t... 2 more',
];
const NODE = ['Error: connect ECONNREFUSED 127.0.0.1:5432', '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)', '    at async load (/app/src/load.js:10:3)'];
const GO = [
  'panic: runtime error: index out of range [5] with length 3',
  '',
  'goroutine 1 [running]:',
  'main.process(...)',
  '\t/app/main.go:15',
  'main.main()',
  '\t/app/main.go:9 +0x1d',
  'exit status 2',
];

// Dagster's text logger: STEP_FAILURE, a blank line, the wrapper, `Stack Trace:`, then the user's
// error after "The above exception was caused by…", with SQLAlchemy / psycopg message lines at column 0.
const DAGSTER = [
  '2026-01-01 12:00:06 +0000 - dagster - ERROR - etl_job - 6a1f9c2e - 4821 - load - STEP_FAILURE - Execution of step "load" failed.',
  '',
  'dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while executing op "load":',
  '',
  'Stack Trace:',
  '  File "/venv/lib/python3.11/site-packages/dagster/_core/execution/plan/utils.py", line 84, in op_execution_error_boundary',
  '    raise error_cls(',
  '',
  'The above exception was caused by the following exception:',
  'sqlalchemy.exc.IntegrityError: (psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint "orders_pkey"',
  'DETAIL:  Key (order_id)=(42) already exists.',
  '',
  '[SQL: INSERT INTO orders (order_id) VALUES (%(order_id)s)]',
  '(Background on this error at: https://sqlalche.me/e/20/gkpj)',
  '',
  'Stack Trace:',
  '  File "/app/assets/orders.py", line 77, in load',
  '    df.to_sql("orders", engine)',
];
const DAGSTER_TYPE_CHECK = [
  '2026-01-01 12:00:03 +0000 - dagster - ERROR - etl_job - 3c2b1a09 - 40 - report - STEP_FAILURE - Execution of step "report" failed.',
  '',
  'dagster._core.errors.DagsterTypeCheckDidNotPass: Type check failed for step output "result" - expected type "DataFrame".',
  '',
  '  File "/venv/lib/python3.11/site-packages/dagster/_core/execution/plan/execute_step.py", line 342, in _type_check_and_store_output',
];
const GO_FATAL = [
  'fatal error: runtime: out of memory',
  '',
  'runtime stack:',
  'runtime.throw({0x9c3f1e?, 0x2000?})',
  '\t/usr/local/go/src/runtime/panic.go:1023 +0x5c',
  '',
  'goroutine 1 [running]:',
  'main.loadAll(...)',
  '\t/app/main.go:61 +0x1b',
];
const GO_SIGNAL = [
  'panic: runtime error: invalid memory address or nil pointer dereference',
  '[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6b2f1a]',
  '',
  'goroutine 34 [running]:',
  'github.com/acme/feed.(*Parser).Parse(0x0)',
  '\t/app/feed/parser.go:57 +0x3a',
  'created by main.main in goroutine 1',
  '\t/app/main.go:40 +0x2d5',
];
// PySpark: a Py4JJavaError over the Java error (`: org…`), whose message embeds the Python worker's
// traceback (its exception line at column 0), then Spark's `Driver stacktrace:`.
const PY4J = [
  '26/01/01 12:00:41 INFO DAGScheduler: Job 2 failed: save at NativeMethodAccessorImpl.java:0, took 14.2 s',
  'Traceback (most recent call last):',
  '  File "/opt/jobs/job.py", line 40, in <module>',
  '    df.write.parquet(OUT)',
  'py4j.protocol.Py4JJavaError: An error occurred while calling o98.parquet.',
  ': org.apache.spark.SparkException: Job aborted due to stage failure: org.apache.spark.api.python.PythonException: Traceback (most recent call last):',
  '  File "/opt/jobs/udfs.py", line 12, in margin_ratio',
  '    return (price - cost) / price',
  'ZeroDivisionError: division by zero',
  '',
  '\tat org.apache.spark.api.python.BasePythonRunner$ReaderIterator.handlePythonException(PythonRunner.scala:572)',
  '',
  'Driver stacktrace:',
  '\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2898)',
  'Caused by: org.apache.spark.api.python.PythonException: Traceback (most recent call last):',
  '  File "/opt/jobs/udfs.py", line 12, in margin_ratio',
  'ZeroDivisionError: division by zero',
  '\t... 18 more',
];
const SPARK_MAIN = [
  'Exception in thread "main" org.apache.spark.SparkException: Job aborted due to stage failure: Task 12 in stage 4.0 failed 4 times',
  'Driver stacktrace:',
  '\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2898)',
  '\tat com.acme.etl.SessionsJob$.main(SessionsJob.scala:71)',
];

describe('multiline joiner', () => {
  it.each([
    ['Python traceback with a chained exception', PYTHON],
    ['Java stack trace with Caused by and ... N more', JAVA],
    ['Node stack trace', NODE],
    ['Go panic', GO],
    ['Dagster step failure with its wrapped error and SQL message lines', DAGSTER],
    ['Dagster type-check failure (an exception not named …Error)', DAGSTER_TYPE_CHECK],
    ['Go fatal error with its runtime stack', GO_FATAL],
    ['Go panic with its signal line', GO_SIGNAL],
    ['Py4J chain with an embedded Python traceback and the driver stacktrace', PY4J],
    ['Spark main-thread exception with its driver stacktrace', SPARK_MAIN],
  ])('joins a %s into the line that introduced it', (_name, trace) => {
    // The next record is a log line, as in real logs (a bare word could pass for a Python exception line).
    const next = '2026-01-01 12:00:09 INFO next step';
    expect(join_(['before', ...trace, next])).toEqual(['before', trace.join('\n'), next]);
  });

  it('keeps apart lines that merely follow one another', () => {
    // A plain line after a blank is no continuation; nor is a second Java trace after a blank line,
    // nor a column-0 exception line after a finished Python traceback, nor `Stack Trace:` on its own.
    expect(join_(['ERROR step failed', '', 'retrying in 5 s'])).toEqual(['ERROR step failed', 'retrying in 5 s']);
    expect(join_([...JAVA, '', 'java.lang.IllegalStateException: again', '\tat com.acme.Job.run(Job.java:42)'])).toEqual([
      JAVA.join('\n'),
      'java.lang.IllegalStateException: again\n\tat com.acme.Job.run(Job.java:42)',
    ]);
    expect(join_(['INFO done', '', '', 'dagster._core.errors.DagsterError: late'])).toEqual(['INFO done', 'dagster._core.errors.DagsterError: late']);
    expect(join_(['INFO report', 'Stack Trace:'])).toEqual(['INFO report', 'Stack Trace:']);
    expect(join_(['panic: not a go crash, just a word', 'next line'])).toEqual(['panic: not a go crash, just a word', 'next line']);
  });

  it('hands JSON lines on at once and never joins them', () => {
    const j = createMultilineJoiner({ timeoutMs: 1000, maxLines: 500, maxBytes: 1 << 20 });
    const out: JoinedRecord[] = [];
    j.push('{"a":1}', 0, 8, 1, 0, out);
    expect(out.map((r) => r.text)).toEqual(['{"a":1}']);
    expect(j.pendingOffset()).toBeUndefined();
    j.push('text', 8, 13, 2, 0, out);
    j.push('{"b":2}', 13, 21, 3, 0, out);
    expect(out.map((r) => r.text)).toEqual(['{"a":1}', 'text', '{"b":2}']);
  });

  it('a trace printed after a JSON line forms its own record', () => {
    expect(join_(['{"level":"error"}', 'Traceback (most recent call last):', '  File "x.py", line 1, in <module>', 'KeyError: 1', 'next'])).toEqual([
      '{"level":"error"}',
      'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nKeyError: 1',
      'next',
    ]);
  });

  it('flushes a pending record after the timeout, not before', () => {
    const j = createMultilineJoiner({ timeoutMs: 100, maxLines: 500, maxBytes: 1 << 20 });
    const out: JoinedRecord[] = [];
    j.push('ERROR x', 0, 8, 1, 1000, out);
    j.flushIfDue(1099, out);
    expect(out).toHaveLength(0);
    expect(j.deadline()).toBe(1100);
    j.flushIfDue(1100, out);
    expect(out.map((r) => r.text)).toEqual(['ERROR x']);
    expect(j.deadline()).toBe(Infinity);
  });

  it('caps records by lines and bytes, keeping the rest as the next record', () => {
    const frames = Array.from({ length: 10 }, (_, i) => `    at f${i} (x.js:${i})`);
    const out = join_(['Error: x', ...frames], { maxLines: 4 });
    expect(out).toHaveLength(3);
    expect(out.join('\n')).toBe(['Error: x', ...frames].join('\n'));
    expect(join_(['Error: x', ...frames], { maxBytes: 60 }).every((r) => r.length <= 60)).toBe(true);
  });

  it('uses a start pattern when the source gives one', () => {
    expect(join_(['[2026] a', 'continues', 'Traceback', '[2026] b'], { startPattern: '^\\[\\d+\\]' })).toEqual(['[2026] a\ncontinues\nTraceback', '[2026] b']);
  });

  it('trims trailing blank lines and records offsets of the first and last line', () => {
    const j = createMultilineJoiner({ timeoutMs: 1000, maxLines: 500, maxBytes: 1 << 20 });
    const out: JoinedRecord[] = [];
    j.push('Error: x', 0, 9, 1, 0, out);
    j.push('    at a', 9, 18, 2, 0, out);
    j.push('', 18, 19, 3, 0, out);
    j.push('next', 19, 24, 4, 0, out);
    expect(out).toEqual([{ text: 'Error: x\n    at a', offset: 0, endOffset: 18, line: 1 }]);
  });
});

describe('multi-line messages and relayed tracebacks', () => {
  it('keeps a Node error whose message spans column-0 lines (a validation error\'s JSON) with its stack, properties and version line', () => {
    const lines = [
      'ValidationFailure: [',
      '  { "field": "region", "problem": "missing" }',
      ']',
      '    at checkInput (/srv/job/lib/check.js:8:11)',
      '    at main (/srv/job/index.js:3:1) {',
      '  details: [Array]',
      '}',
      '',
      'Node.js v22.3.0',
      'next record',
    ];
    expect(join_(lines)).toEqual([lines.slice(0, 9).join('\n'), 'next record']);
  });

  it('joins the exception line of a Python traceback announced at the end of a log line', () => {
    const lines = [
      '2026-02-01 10:00:00 WARN Runner: worker 3 lost: RemoteError: Traceback (most recent call last):',
      '  File "/srv/jobs/score.py", line 9, in score',
      '    return model.predict(x)',
      'AttributeError: \'NoneType\' object has no attribute \'predict\'',
      ') [repeated 2 times]',
      '2026-02-01 10:00:01 INFO Runner: retrying',
    ];
    expect(join_(lines)).toEqual([lines.slice(0, 5).join('\n'), lines[5]]);
  });

  it('keeps the field names pydantic lists at column 0 under its ValidationError', () => {
    const lines = [
      'Traceback (most recent call last):',
      '  File "/srv/app/settings.py", line 20, in load',
      '    return Settings()',
      'pydantic_core._pydantic_core.ValidationError: 2 validation errors for Settings',
      'DATABASE_URL',
      '  Field required [type=missing, input_value={}, input_type=dict]',
      'batch.size',
      '  Input should be a valid integer [type=int_parsing]',
      '2026-02-01 10:00:01 INFO exiting',
    ];
    expect(join_(lines)).toEqual([lines.slice(0, 8).join('\n'), lines[8]]);
  });

  it('joins the column-0 detail an exception line announces with a colon, not a timestamped record', () => {
    const tb = ['Traceback (most recent call last):', '  File "/a.py", line 1, in f', 'db.errors.ProgrammingError: 42S02: SQL compilation error:'];
    expect(join_([...tb, "Object 'A.B' does not exist.", 'next'])).toEqual([[...tb, "Object 'A.B' does not exist."].join('\n'), 'next']);
    expect(join_([...tb, '2026-01-01 INFO next'])).toEqual([tb.join('\n'), '2026-01-01 INFO next']);
  });

  it("keeps PostgreSQL's error fields with the line that reported the error, a field's own next lines too", () => {
    const report = [
      'FAILED tests/test_orders.py::test_concurrent_upsert - psycopg.errors.SerializationFailure: could not serialize access',
      'DETAIL:  Reason code: Canceled on identification as a pivot, during write.',
      'Process 4411 waits for ShareLock on transaction 901; blocked by process 4412.',
      'HINT:  The transaction might succeed if retried.',
    ];
    expect(join_([...report, '2026-01-01 12:00:09 INFO next test'])).toEqual([report.join('\n'), '2026-01-01 12:00:09 INFO next test']);
    // Not after a field's end: a line that looks like a record, or one after a blank line.
    expect(join_(['ERROR:  relation "orders" does not exist', 'LINE 1: select * from orders', '', 'Done'])).toEqual(['ERROR:  relation "orders" does not exist\nLINE 1: select * from orders', 'Done']);
    expect(join_(['ERROR:  x', 'DETAIL:  y', 'WARNING:  z'])).toEqual(['ERROR:  x\nDETAIL:  y', 'WARNING:  z']);
  });

  it('does not join a bare word after an ordinary exception line', () => {
    expect(join_(['Traceback (most recent call last):', '  File "/a.py", line 1, in f', 'ValueError: x', 'Done'])).toEqual([
      'Traceback (most recent call last):\n  File "/a.py", line 1, in f\nValueError: x',
      'Done',
    ]);
  });
});

describe('readRecordsFromFile', () => {
  it('reads a finished file once with line numbers, joining traces, without a final newline', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const f = join(dir, 'run.log');
      await writeFile(f, ['start', ...JAVA, '{"level":"info"}', 'last'].join('\r\n'));
      const got = [];
      for await (const r of readRecordsFromFile(f, sourceConfig([f]))) got.push(r);
      expect(got.map((r) => r.text)).toEqual(['start', JAVA.join('\n'), '{"level":"info"}', 'last']);
      expect(got.map((r) => r.origin.line)).toEqual([1, 2, 2 + JAVA.length, 3 + JAVA.length]);
      expect(got[1]!.origin).toMatchObject({ source: 'test', file: f, offset: 7 });
    } finally {
      await cleanup();
    }
  });
});

describe('Node module-not-found', () => {
  it('keeps the unindented `Require stack:` list with the error and its frames', () => {
    const out = join_([
      "Error: Cannot find module 'yaml'",
      'Require stack:',
      '- /app/dist/config.js',
      '- /app/dist/index.js',
      '    at Module._resolveFilename (node:internal/modules/cjs/loader:1144:15)',
      '    at Object.<anonymous> (/app/dist/config.js:2:14)',
      '2026-01-01 12:00:01 INFO next record',
    ]);
    expect(out).toHaveLength(2);
    expect(out[0]).toContain('- /app/dist/index.js\n    at Module._resolveFilename');
  });

  it('does not join a dash list to an unrelated line', () => {
    expect(join_(['2026-01-01 12:00:00 ERROR failed', '- item one'])).toHaveLength(2);
  });
});

