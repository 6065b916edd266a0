// The learned backstop behind the packs (src/detect/line-scorer.ts, rule generic.learned-line): it reads
// records no pack rule matched, in wordings no shape knows, and stays quiet on healthy lines and warnings.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load-config.js';
import { createDetector } from '../../src/detect/detector.js';
import { lineFeatures, lineScore, SCORED_CHARS } from '../../src/detect/line-scorer.js';
import { lineScorerModel } from '../../src/detect/line-scorer.data.js';
import { parseRecord } from '../../src/parse/parse-record.js';
import { firstRuleOf as ruleOf } from '../helpers/first-rule.js';

describe('line features', () => {
  it('are the distinct words in lower case, and a mark for an error class', () => {
    expect([...lineFeatures('LoadError: Could not READ x1 of orders; could not')].sort()).toEqual(['could', 'loaderror', 'not', 'of', 'orders', 'read', '§errclass'].sort());
  });

  it('read only the head of a long record', () => {
    expect(lineFeatures(`${'a '.repeat(SCORED_CHARS)}overflowed`).has('overflowed')).toBe(false);
  });

  it('score unknown words as nothing', () => {
    expect(lineScore({ threshold: 1, weights: { failed: 2 } }, 'zzqx failed qqzx')).toBe(2);
  });
});

describe('the shipped model', () => {
  it('has words and a finite threshold', () => {
    const model = lineScorerModel();
    expect(Object.keys(model.weights).length).toBeGreaterThan(1000);
    expect(Number.isFinite(model.threshold)).toBe(true);
  });
});

describe('generic.learned-line', () => {
  const failing = 'The value of column order_id in file part-0003.parquet does not match the declared type, cannot convert it';

  it('alerts on a failure worded in no shape a pack knows', () => {
    expect(ruleOf(failing)).toBe('generic.learned-line');
  });

  it('stays quiet on the same words at warn or info', () => {
    expect(ruleOf(`2026-03-01 10:00:00 WARN ${failing}`)).toBeNull();
    expect(ruleOf(`2026-03-01 10:00:00 INFO ${failing}`)).toBeNull();
  });

  it.each<[string, string]>([
    ['a run that finished', 'Job completed successfully in 34s, 0 errors'],
    ['a validation that passed', 'Checked 12 files, none failed validation'],
    ['a start-up line', 'Starting the loader with 4 threads'],
    ['a retry notice', 'The request failed and will be retried in 5s'],
  ])('stays quiet on %s', (_name, text) => {
    expect(ruleOf(text)).toBeNull();
  });

  it('never fires with the scorer off (what the training script counts as the packs alone)', () => {
    const detector = createDetector(defaultConfig({}), { lineScorer: false });
    const event = parseRecord({ text: failing, origin: { source: 's', file: 'f.log', offset: 0, endOffset: failing.length + 1 }, readAt: 1 }).event;
    expect(detector.match(event)).toEqual([]);
  });
});
