import { describe, expect, it } from 'vitest';
import { clipJsonDepth } from '../../src/parse/json-depth.js';
import { parseRecord } from '../../src/parse/parse-record.js';

const record = (text: string) => ({ text, origin: { source: 's', file: 'f.log', offset: 0, endOffset: text.length }, readAt: 0 });

describe('JSON depth limit', () => {
  it('leaves a shallow line alone', () => {
    const line = '{"a":{"b":[1,{"c":"}]{["}]}}';
    expect(clipJsonDepth(line, 4)).toEqual({ text: line, clipped: false });
  });

  it('turns containers deeper than the limit into strings of their own text', () => {
    const { text, clipped } = clipJsonDepth('{"a":{"b":{"c":[1,"x]"]}},"d":{"e":{"f":2}}}', 2);
    expect(clipped).toBe(true);
    expect(JSON.parse(text)).toEqual({ a: { b: '{"c":[1,"x]"]}' }, d: { e: '{"f":2}' } });
  });

  it('parses a record nested 10,000 deep into an event whose fields can be stringified', () => {
    const line = `{"level":"error","msg":"payload rejected","data":${'['.repeat(10_000)}1${']'.repeat(10_000)}}`;
    const { event, problem } = parseRecord(record(line));
    expect(problem).toBe('too_deep');
    expect(event.level).toBe('error');
    expect(event.message).toBe('payload rejected');
    expect(() => JSON.stringify(event)).not.toThrow();
  });

  it('keeps the tail of a line cut inside a deep part as text', () => {
    const { text, clipped } = clipJsonDepth('{"a":[[[[1,2', 2);
    expect(clipped).toBe(true);
    expect(text).toBe('{"a":["[[[1,2"');
  });
});
