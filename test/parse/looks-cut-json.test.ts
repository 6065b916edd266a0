// looksCutJson: the parse-error count for records the detector's screen keeps from the parser.
// It must agree with parseRecord on cut lines (the common invalid JSON) and never flag valid JSON.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { looksCutJson, parseRecord } from '../../src/parse/parse-record.js';

const record = (text: string) => ({ text, origin: { source: 's', file: 'f', offset: 0, endOffset: text.length + 1 }, readAt: 0 });

describe('looksCutJson', () => {
  it.each<[string, 'auto' | 'json' | 'logfmt' | 'text', boolean]>([
    ['{"level":"info","msg":"cut in the mid', 'auto', true],
    ['{"level":"info","msg":"whole"}', 'auto', false],
    ['{"level":"info"}  \r', 'auto', false],
    ['{"level":"info"}\n    at f (x.js:1:1)', 'auto', false],
    ['{"level":"info"\n}', 'auto', true],
    ['level=info msg=x', 'auto', false],
    [' {"a":1', 'json', true],
    ['{"a":1', 'text', false],
  ])('%s (%s) → %s', (text, format, expected) => {
    expect(looksCutJson(text, format)).toBe(expected);
  });

  it('flags only records that parseRecord reports as invalid JSON, and every cut not ending in }', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, cut) => {
        const whole = JSON.stringify({ v: value });
        expect(looksCutJson(whole)).toBe(false);
        const text = whole.slice(0, cut % whole.length);
        if (looksCutJson(text)) expect(parseRecord(record(text)).problem).toBe('invalid_json');
        // A cut right after a nested object's `}` is not seen (documented): every other cut is.
        if (text.length > 0 && !text.trimEnd().endsWith('}')) expect(looksCutJson(text)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
