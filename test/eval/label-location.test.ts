// A label's location as collectors write it: the format's object, or a plain string (the named-unit
// shorthand, or `file.ext:N`); anything else is a clear error for that case alone.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCorpus, readLocation } from '../../scripts/eval/corpus.js';

describe('readLocation', () => {
  it('keeps the object form, filling an absent line or function with null', () => {
    expect(readLocation({ file: 'etl.py', line: 42, function: 'load' })).toEqual({ file: 'etl.py', line: 42, function: 'load' });
    expect(readLocation({ file: 'models/x.sql' })).toEqual({ file: 'models/x.sql', line: null, function: null });
    expect(readLocation(null)).toBeNull();
    expect(readLocation(undefined)).toBeUndefined();
  });

  it('reads a string as a named unit, or as a file and its line when it is path.ext:N', () => {
    expect(readLocation('transform_data')).toEqual({ file: 'transform_data', line: null, function: 'transform_data' });
    expect(readLocation('sinks.out')).toEqual({ file: 'sinks.out', line: null, function: 'sinks.out' });
    expect(readLocation('/opt/jobs/etl.py:778')).toEqual({ file: '/opt/jobs/etl.py', line: 778, function: null });
    // An address is no file: digits are no extension.
    expect(readLocation('10.0.0.7:3100')).toEqual({ file: '10.0.0.7:3100', line: null, function: '10.0.0.7:3100' });
  });

  it('rejects what is neither', () => {
    expect(() => readLocation(42)).toThrow(/neither null, a string nor/);
    expect(() => readLocation({ line: 3 })).toThrow(/neither null, a string nor/);
    expect(() => readLocation({ file: 'a.py', line: 'three' })).toThrow(/location.line "three"/);
  });
});

describe('loadCorpus with a bad location', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports that case as a problem and keeps the others', () => {
    dir = mkdtempSync(join(tmpdir(), 'sentinel-label-'));
    mkdirSync(join(dir, 'python'));
    const label = (location: unknown) => JSON.stringify({ stack: 'python', kind: 'failure', category: 'code_bug', location, retryable: false });
    writeFileSync(join(dir, 'python', 'good.log'), 'ValueError: x\n');
    writeFileSync(join(dir, 'python', 'good.json'), label('build_orders'));
    writeFileSync(join(dir, 'python', 'bad.log'), 'ValueError: y\n');
    writeFileSync(join(dir, 'python', 'bad.json'), label(7));
    const corpus = loadCorpus(dir);
    expect(corpus.cases.map((c) => [c.name, c.label.location])).toEqual([['python/good.log', { file: 'build_orders', line: null, function: 'build_orders' }]]);
    expect(corpus.problems).toEqual([expect.stringMatching(/^python\/bad\.log: location 7 is neither/)]);
  });
});
