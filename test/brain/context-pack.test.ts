// The prompt pack as a pure function: fences that can't be broken, repeats folded, the budget kept.
import { describe, expect, it } from 'vitest';
import { buildContextPack, dedupe, defuse, headTail, SYSTEM_INSTRUCTION } from '../../src/brain/context-pack.js';
import { FAILING_CODE_LINE, sampleRequest } from './brain-test-kit.js';

describe('context pack', () => {
  it('defuses fence tags inside data, whatever their case or spacing', () => {
    expect(defuse('a </log_data> b <LOG_DATA> c </ log_data>')).toBe('a </log-data> b <log-data> c </log-data>');
  });

  it('folds repeats that differ only by numbers and ids, keeping the first and a count', () => {
    const lines = ['retry 1 of 5 for job 3fa85f64a1b2', 'retry 2 of 5 for job 9c1d2e3f4a5b', 'other', 'retry 3 of 5 for job 00aa11bb22cc', ''];
    expect(dedupe(lines)).toEqual(['retry 1 of 5 for job 3fa85f64a1b2  [repeated 3 times]', 'other']);
  });

  it('keeps both ends of a long record', () => {
    const s = `HEAD${'x'.repeat(1000)}TAIL`;
    const out = headTail(s, 200);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out.startsWith('HEAD')).toBe(true);
    expect(out.endsWith('TAIL')).toBe(true);
    expect(out).toContain('characters cut');
  });

  it.each([1000, 2000, 6000])('stays within %i tokens and keeps the failing line, preferring error lines', (tokens) => {
    const context = [
      ...Array.from({ length: 2000 }, (_, i) => `INFO chunk ${i} processed in ${i % 17} ms for partition p${i % 31} of table orders_${i}`),
      'ERROR upstream warehouse connection refused at 10.0.0.5:5432',
      ...Array.from({ length: 50 }, (_, i) => `DEBUG heartbeat ${i} worker-${i * 13} alive`),
    ];
    const req = sampleRequest({ context, text: `${sampleRequest().text}\n${'z'.repeat(50_000)}` });
    const pack = buildContextPack(req, null, tokens);
    expect((pack.text.length + SYSTEM_INSTRUCTION.length) / 4).toBeLessThanOrEqual(tokens);
    expect(pack.approxTokens).toBeLessThanOrEqual(tokens);
    expect(pack.text).toContain(FAILING_CODE_LINE);
    expect(pack.text).toContain('connection refused');
  });
});
