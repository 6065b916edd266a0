// Formats real pasted logs come in that our own corpus did not: Rust panics, Go dumps whose tabs
// became spaces, Snakemake's rule reports, tracebacks cut before their exception line, docker
// compose prefixes and terminal colours. Each case is a shape, written here, not a copied log.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { extractErrorChain, userFrameOf } from '../../src/parse/stack-trace/extract-error.js';
import type { DiagnoseRequest } from '../../src/types.js';

const located = (text: string) => userFrameOf(extractErrorChain(text))?.frame;
const request = (text: string): DiagnoseRequest => ({ fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text, context: [] });

describe('Rust panics', () => {
  it('reads the 1.73+ header: the panic location is the user frame, the message the next line', () => {
    const text = "thread 'main' panicked at src/loader.rs:41:9:\ncalled `Option::unwrap()` on a `None` value\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace";
    const [error] = extractErrorChain(text);
    expect(error).toMatchObject({ type: 'panic', message: 'called `Option::unwrap()` on a `None` value' });
    expect(located(text)).toMatchObject({ file: 'src/loader.rs', line: 41 });
  });

  it("reads the old header and takes the first backtrace frame outside std / core", () => {
    const text = [
      "thread 'main' panicked at 'index out of bounds: the len is 3 but the index is 7', /rustc/1a2b3c4d/library/core/src/slice/index.rs:12:5",
      'stack backtrace:',
      '   0: rust_begin_unwind',
      '             at /rustc/1a2b3c4d/library/std/src/panicking.rs:578:5',
      '   1: core::panicking::panic_bounds_check',
      '             at /rustc/1a2b3c4d/library/core/src/panicking.rs:162:5',
      '   2: ingest::batch::Batch::row',
      '             at ./src/batch.rs:88:17',
      '   3: ingest::main',
      '             at ./src/main.rs:20:5',
    ].join('\n');
    expect(located(text)).toMatchObject({ file: './src/batch.rs', line: 88, function: 'ingest::batch::Batch::row' });
    expect(analyse(request(text), { readSourceFiles: false }).category).toBe('code_bug');
  });
});

describe('Go dumps as pasted', () => {
  it('reads frames indented with spaces, wrapped argument lines and a lost panic prefix', () => {
    const text = [
      'runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x20 pc=0x4d0ca6]',
      '',
      'goroutine 7 [running]:',
      'example.com/etl/load.(*Writer).Flush',
      '(0xc0000a2000, 0x0)',
      '        /src/etl/load/writer.go:77 +0x2f',
    ].join('\n');
    const [error] = extractErrorChain(text);
    expect(error?.type).toBe('runtime.Error');
    expect(located(text)).toMatchObject({ file: '/src/etl/load/writer.go', line: 77, function: 'example.com/etl/load.(*Writer).Flush' });
  });
});

describe('Snakemake', () => {
  it('points at the rule file and line it names, with the rule', () => {
    const text = 'MissingInputException in line 12 of /work/flow/Snakefile:\nMissing input files for rule align:\nreads/s1.fq';
    expect(located(text)).toMatchObject({ file: '/work/flow/Snakefile', line: 12, function: 'align' });
    expect(analyse(request(text), { readSourceFiles: false }).category).toBe('missing_input');
  });

  it('reads the newer "in rule X in file F, line N" form and the rule alone', () => {
    expect(located('MissingOutputException in rule bin in file /work/flow/Snakefile, line 24:\nJob 3 completed successfully, but some output files are missing.')).toMatchObject({ file: '/work/flow/Snakefile', line: 24, function: 'bin' });
    expect(located('MissingOutputException in rule pack_image:\nJob 8 completed successfully, but some output files are missing.')).toMatchObject({ file: 'pack_image', function: 'pack_image' });
  });

  it("prefers the innermost frame of the workflow's own code, with the rule note cut from the function", () => {
    const text = [
      'InputFunctionException in line 92 of /work/flow/rules/output.smk:',
      'Error:',
      '  KeyError: 2024-01-01',
      'Traceback:',
      '  File "/work/flow/rules/output.smk", line 99, in <lambda>',
      '  File "/work/flow/rules/common.smk", line 29, in samples_for (rule report, line 40, /work/flow/rules/output.smk)',
    ].join('\n');
    expect(located(text)).toMatchObject({ file: '/work/flow/rules/common.smk', line: 29, function: 'samples_for' });
  });
});

describe('cut and prefixed pastes', () => {
  it('a traceback cut before its exception line still locates the user frame', () => {
    const text = [
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3/site-packages/airflow/models.py", line 1657, in _run_raw_task',
      '    result = task_copy.execute(context=context)',
      '  File "/opt/dags/ops/copy.py", line 60, in execute',
      '    hook = FSHook(conn_id=self.conn_id)',
      '  File "/usr/lib/python3/site-packages/airflow/hooks/fs_hook.py", line 38, in __init__',
    ].join('\n');
    expect(located(text)).toMatchObject({ file: '/opt/dags/ops/copy.py', line: 60, function: 'execute' });
  });

  it('reads a traceback behind docker compose prefixes and colour codes, escaped or in caret notation', () => {
    const lines = [
      'Traceback (most recent call last):',
      '  File "/srv/app/jobs/load.py", line 31, in run',
      '    cur.execute(sql)',
      'psycopg2.errors.DeadlockDetected: deadlock detected',
    ];
    for (const colour of ['\x1b[36m', '^[[36m']) {
      const reset = colour === '^[[36m' ? '^[[0m' : '\x1b[0m';
      const text = lines.map((l) => `${colour}worker_1    |${reset} ${l}`).join('\n');
      expect(located(text)).toMatchObject({ file: '/srv/app/jobs/load.py', line: 31 });
      expect(analyse(request(text), { readSourceFiles: false }).category).toBe('database_error');
    }
  });

  it('reads an exception named on a line of its own, with no frames', () => {
    const d = analyse(request('org.apache.kafka.common.errors.RecordTooLargeException: The message is 4021051 bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration.'), { readSourceFiles: false });
    expect(d.category).toBe('configuration');
  });
});
