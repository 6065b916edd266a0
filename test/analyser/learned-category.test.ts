// The learned category model (ADR 0017): a naive Bayes over words and a logistic-regression
// combiner over all the evidence, trained reproducibly by a committed command. The category is the
// signatures' first answer, else the word scorer's sure verdict, else unknown; the combiner's
// calibrated probability is the confidence; the explanation always goes with the category.
import { describe, expect, it } from 'vitest';
import { analyse, categoryEvidenceOf } from '../../src/brain/analyser/analyse.js';
import { CATEGORY_MODEL } from '../../src/brain/analyser/category-model.data.js';
import { categoryFeatures } from '../../src/brain/analyser/category-evidence.js';
import { evidenceTokens } from '../../src/brain/analyser/evidence-tokens.js';
import { categoryProbabilities, scoreCategories, wordVerdict } from '../../src/brain/analyser/learned-category.js';
import { train } from '../../scripts/train-category-model.js';
import type { Category, DiagnoseRequest } from '../../src/types.js';

const request = (text: string, context: string[] = []): DiagnoseRequest => ({ fingerprint: 'f', rule: 'r', severity: 'error', title: 't', text, context });
const example = (category: Category, text: string) => ({ category, features: categoryEvidenceOf(request(text)) });

// A tiny corpus in words of our own: two kinds of failure no signature knows, and a signature that
// fires on both kinds (a refused connection) whose label the words decide.
const TINY = [
  ...['gizmo spline reticulation failed badly', 'spline reticulation gizmo broke', 'reticulation of gizmo spline halted', 'gizmo spline went wrong in reticulation'].map((t) => example('data_quality', `ZorbException: ${t}`)),
  ...['flux capacitor coupling drift', 'capacitor flux coupling lost', 'coupling flux capacitor gone', 'flux coupling of the capacitor failed'].map((t) => example('dependency_or_import', `ZorbException: ${t}`)),
];

describe('learned category model', () => {
  it('splits exception names at their capitals and drops hex ids and short words', () => {
    expect([...evidenceTokens('ConnectionRefusedError: [Errno 111] at 0xdeadbeef1 in run_load')].sort()).toEqual(
      ['connection', 'connectionrefusederror', 'error', 'errno', 'load', 'refused', 'run', 'run_load'].sort(),
    );
  });

  it('names the evidence: signatures and where they fired, the first one, exception classes, runtime, words', () => {
    const { facts: f, words } = categoryEvidenceOf(
      request('Traceback (most recent call last):\n  File "/app/load.py", line 3, in run\n    connect()\npsycopg2.OperationalError: could not connect to server: Connection refused'),
    );
    expect(f.get('first:network_or_service_unavailable')).toBe(1);
    expect(f.get('first:network_or_service_unavailable@chain')).toBe(1);
    expect(f.get('exc:operationalerror')).toBe(1);
    expect(f.get('excpkg:psycopg2')).toBe(1);
    expect(f.get('excw:operational')).toBe(1);
    expect(f.get('runtime:py')).toBe(1);
    expect(words.has('refused')).toBe(true);
    expect(f.has('nosig')).toBe(false);
    expect(categoryFeatures({ heard: [], first: undefined, chain: [], located: false, text: '' }).facts.get('nosig')).toBe(1);
  });

  it('trains deterministically, and its probabilities are a distribution', () => {
    const a = train(TINY, { minDocs: 1, maxWordShare: 1 });
    expect(train(TINY, { minDocs: 1, maxWordShare: 1 })).toEqual(a);
    expect(a.categories).toEqual(['data_quality', 'dependency_or_import']);
    const p = categoryProbabilities(a, categoryEvidenceOf(request('ZorbException: gizmo spline reticulation stopped')));
    expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    expect(scoreCategories(a, categoryEvidenceOf(request('ZorbException: gizmo spline reticulation stopped')))?.category).toBe('data_quality');
    expect(wordVerdict(a, categoryEvidenceOf(request('ZorbException: the flux capacitor coupling')))?.category).toBe('dependency_or_import');
  });

  it('with no signature, takes the word verdict only when it is sure enough and says what to check for that category', () => {
    const model = train(TINY, { minDocs: 1, maxWordShare: 1, minVerdictWords: 3 });
    const d = analyse(request('ZorbException: gizmo spline reticulation stopped'), { readSourceFiles: false, categoryModel: model });
    expect(d.category).toBe('data_quality');
    expect(d.rootCause).toMatch(/input data/);
    expect(d.rootCause).not.toMatch(/package|module/);
    expect(d.retryable).toBe(false);
    // The same text with no sure verdict: unknown, low confidence.
    const unsure = analyse(request('ZorbException: gizmo spline reticulation stopped'), { readSourceFiles: false, categoryModel: { ...model, minProbability: 1.01 } });
    expect(unsure.category).toBe('unknown');
    expect(unsure.confidence).toBeLessThanOrEqual(0.2);
    expect(analyse(request('ZorbException: gizmo spline reticulation stopped'), { readSourceFiles: false, learned: false }).category).toBe('unknown');
  });

  it('a signature decides when one fires, its explanation goes with its category, and the confidence is the model\'s', () => {
    const text = 'psycopg2.OperationalError: could not connect to server: Connection refused';
    const signed = analyse(request(text), { readSourceFiles: false });
    expect(signed.category).toBe('network_or_service_unavailable');
    expect(signed.rootCause).toMatch(/connect|reach|refus/i);
    const p = categoryProbabilities(CATEGORY_MODEL, categoryEvidenceOf(request(text)))[CATEGORY_MODEL.categories.indexOf('network_or_service_unavailable')] ?? 0;
    expect(signed.confidence).toBeCloseTo(Math.min(0.95, Math.max(0.05, p)), 2);
  });

  it('a short token inside another class of error is no rate limit (KeyError: 429)', () => {
    for (const text of ["KeyError: 429", "KeyError: '429'", "KeyError: 'Forbidden'", 'ValueError: invalid literal for int() with base 10: \'RateLimit\'']) {
      const d = analyse(request(`Traceback (most recent call last):\n  File "/app/etl/load.py", line 12, in run\n    code = codes[status]\n${text}`), { readSourceFiles: false });
      expect(d.category, text).not.toBe('rate_limit');
      expect(d.category, text).not.toBe('auth_or_permission');
      expect(d.retryable, text).toBe(false);
    }
  });

  it('the shipped model covers every category with finite weights and a fitted temperature', () => {
    expect(CATEGORY_MODEL.categories.length).toBe(12);
    for (const w of [...Object.values(CATEGORY_MODEL.weights), ...Object.values(CATEGORY_MODEL.words.weights)]) expect(w.every((x) => Number.isFinite(x))).toBe(true);
    for (const w of Object.values(CATEGORY_MODEL.words.weights)) expect(w.every((x) => x < 0)).toBe(true);
    expect(CATEGORY_MODEL.temperature).toBeGreaterThan(0);
  });

  it('with no signature, takes the word verdict only on enough words it knows: a line or two is too little', () => {
    // The sentence holds six words the tiny model knows (zorbexception, zorb, exception, gizmo, spline, reticulation).
    const text = 'ZorbException: gizmo spline reticulation stopped';
    expect(analyse(request(text), { readSourceFiles: false, categoryModel: train(TINY, { minDocs: 1, maxWordShare: 1, minVerdictWords: 6 }) }).category).toBe('data_quality');
    const strict = train(TINY, { minDocs: 1, maxWordShare: 1, minVerdictWords: 7 });
    expect(strict.minVerdictWords).toBe(7);
    const d = analyse(request(text), { readSourceFiles: false, categoryModel: strict });
    expect(d.category).toBe('unknown');
    expect(d.confidence).toBeLessThanOrEqual(0.2);
    // A model trained before the threshold existed has none: its verdicts stand as they were.
    expect(analyse(request(text), { readSourceFiles: false, categoryModel: { ...strict, minVerdictWords: undefined } }).category).toBe('data_quality');
    // The shipped model asks for more than a one-line message's handful of words.
    expect(CATEGORY_MODEL.minVerdictWords).toBeGreaterThanOrEqual(6);
  });

  it('scores with the model it is given (held-out logs are scored by a model that never saw them)', () => {
    const model = train(TINY, { minDocs: 1, maxWordShare: 1, minVerdictWords: 3 });
    const text = 'ZorbException: flux capacitor coupling stopped';
    expect(analyse(request(text), { readSourceFiles: false, categoryModel: model }).category).toBe('dependency_or_import');
    expect(analyse(request(text), { readSourceFiles: false, learned: false }).category).toBe('unknown');
  });
});
