// The learned fallback scorer: trained reproducibly by a committed command, asked only when no
// signature explains a failure, and never louder than a guess.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { CATEGORY_MODEL } from '../../src/brain/analyser/category-model.data.js';
import { evidenceTokens } from '../../src/brain/analyser/evidence-tokens.js';
import { scoreCategories } from '../../src/brain/analyser/learned-category.js';
import { train } from '../../scripts/train-category-model.js';
import type { Category } from '../../src/types.js';

const example = (category: Category, text: string) => ({ category, tokens: evidenceTokens(text) });

describe('learned category scorer', () => {
  it('splits exception names at their capitals and drops hex ids and short words', () => {
    expect([...evidenceTokens('ConnectionRefusedError: [Errno 111] at 0xdeadbeef1 in run_load')].sort()).toEqual(
      ['connection', 'connectionrefusederror', 'error', 'errno', 'load', 'refused', 'run', 'run_load'].sort(),
    );
  });

  it('is deterministic and picks the class whose words the text shares', () => {
    const examples = [
      ...['quota exhausted for bucket, slow down', 'quota exceeded slow down request', 'request quota hit slow down'].map((t) => example('rate_limit', t)),
      ...['heap space exhausted container killed', 'container killed memory limit', 'killed memory oom container'].map((t) => example('resource_exhaustion', t)),
    ];
    const bounds = { minDocs: 1, maxDocShare: 1 };
    const a = train(examples, bounds);
    expect(train(examples, bounds)).toEqual(a);
    expect(scoreCategories(a, evidenceTokens('the request quota ran out, slow down'))?.category).toBe('rate_limit');
    expect(scoreCategories(a, evidenceTokens('container killed: memory'))?.category).toBe('resource_exhaustion');
    // Fewer than three known words is no evidence.
    expect(scoreCategories(a, evidenceTokens('quota and nothing else in common here'))).toBeUndefined();
  });

  it('the shipped model covers every category with finite weights', () => {
    expect(CATEGORY_MODEL.categories.length).toBe(12);
    for (const w of Object.values(CATEGORY_MODEL.weights)) expect(w.every((x) => Number.isFinite(x) && x < 0)).toBe(true);
  });

  it('a signature still decides when one matches, and a learned answer is said with low confidence', () => {
    const signed = analyse({ fingerprint: 'f', rule: 'r', severity: 'error', title: 't', text: 'psycopg2.OperationalError: could not connect to server: Connection refused', context: [] }, { readSourceFiles: false });
    expect(signed.category).toBe('network_or_service_unavailable');
    expect(signed.confidence).toBeGreaterThan(0.5);
    const learned = analyse({ fingerprint: 'f', rule: 'r', severity: 'error', title: 't', text: 'ZorbException: the flux capacitor of the conda environment for snakemake rule align is broken', context: [] }, { readSourceFiles: false });
    expect(learned.category === 'unknown' || learned.confidence <= 0.3).toBe(true);
  });

  it('scores with the model it is given (held-out logs are scored by a model that never saw them)', () => {
    const examples = [
      ...['gizmo spline reticulation failed badly', 'spline reticulation gizmo broke', 'reticulation of gizmo spline halted'].map((t) => example('data_quality', t)),
      ...['flux capacitor coupling drift', 'capacitor flux coupling lost', 'coupling flux capacitor gone'].map((t) => example('dependency_or_import', t)),
    ];
    const model = train(examples, { minDocs: 1, maxDocShare: 1 });
    const request = { fingerprint: 'f', rule: 'r', severity: 'error' as const, title: 't', text: 'ZorbException: gizmo spline reticulation stopped', context: [] };
    const given = analyse(request, { readSourceFiles: false, categoryModel: model });
    expect(given.category).toBe('data_quality');
    expect(given.confidence).toBeLessThanOrEqual(0.3);
    expect(analyse(request, { readSourceFiles: false, learned: false }).category).toBe('unknown');
  });
});
