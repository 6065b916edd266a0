// The tune / holdout halves of the development corpus are defined by a hash of each case's name, fixed
// before any tuning: if the definition drifted, figures reported for the held-out half would silently
// mix in cases the rules were tuned on.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCorpus, splitOf } from '../../scripts/eval/corpus.js';

const DEV = fileURLToPath(new URL('../fixtures/real/dev', import.meta.url));

describe('splitOf', () => {
  it('keeps the definition docs/benchmarks.md reports against (first byte of sha256(name) even → tune)', () => {
    // sha256 of these names starts 0xb4, 0x48 and 0x83.
    expect(splitOf('python/case-06e6f554.log')).toBe('tune');
    expect(splitOf('kafka/case-2f52980a.log')).toBe('tune');
    expect(splitOf('airflow/case-7cf231ec.log')).toBe('holdout');
  });

  it('cuts the development corpus into two disjoint halves of similar size that together are the whole', () => {
    const all = loadCorpus(DEV);
    const tune = loadCorpus(DEV, undefined, 'tune');
    const holdout = loadCorpus(DEV, undefined, 'holdout');
    const names = (c: typeof all): string[] => c.cases.map((x) => x.name);
    expect([...names(tune), ...names(holdout)].sort()).toEqual(names(all).sort());
    expect(names(tune).filter((n) => names(holdout).includes(n))).toEqual([]);
    expect(tune.cases.length / all.cases.length).toBeGreaterThan(0.4);
    expect(holdout.cases.length / all.cases.length).toBeGreaterThan(0.4);
    expect(tune.name).toBe('dev (tune half)');
  });
});
