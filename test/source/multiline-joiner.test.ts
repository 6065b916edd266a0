import { describe, it, expect } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMultilineJoiner, readRecordsFromFile, type JoinedRecord, type MultilineJoinerOptions } from '../../src/source/multiline-joiner.js';
import { sourceConfig, tempDir } from './helpers.js';

function join_(lines: string[], opts: Partial<MultilineJoinerOptions> = {}): string[] {
  const j = createMultilineJoiner({ timeoutMs: 1000, maxLines: 500, maxBytes: 1 << 20, ...opts });
  const out: JoinedRecord[] = [];
  let off = 0;
  lines.forEach((l, i) => {
    j.push(l, off, off + l.length + 1, i + 1, 0, out);
    off += l.length + 1;
  });
  j.flush(out);
  return out.map((r) => r.text);
}

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

describe('multiline joiner', () => {
  it.each([
    ['Python traceback with a chained exception', PYTHON],
    ['Java stack trace with Caused by and ... N more', JAVA],
    ['Node stack trace', NODE],
    ['Go panic', GO],
  ])('joins a %s into the line that introduced it', (_name, trace) => {
    expect(join_(['before', ...trace, 'after'])).toEqual(['before', trace.join('\n'), 'after']);
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
