// `npm run train:category`: trains the built-in analyser's category combiner (a multinomial logistic
// regression with L2 over all the evidence the analyser hears: src/brain/analyser/category-evidence.ts)
// on the failure logs of the real development corpus (test/fixtures/real/dev/), and writes it as a
// TypeScript data module (src/brain/analyser/category-model.data.ts). Deterministic: the same corpus
// and the same analyser give the same file. ADR 0017.
//
// Each log is replayed as the live agent tails it (scripts/eval/live-replay.ts) and the combiner learns
// from the evidence of the request its first alert hands the analyser (the whole log when the agent
// raises none), so it learns from what it will see. Before writing the model it prints the figures
// that may be quoted: 5-fold cross-validation on the live path (each fold's first alerts analysed with
// a model trained on the other folds; a failure with no alert counts as wrong), overall, per
// category and for retryable, against the signatures' own first answer. Each model's temperature is
// fitted on predictions for logs it was not trained on (3-fold inside its own training logs).
// --split tune trains on the tune half only (scripts/eval/corpus.ts splitOf), so that `npm run eval --
// --split holdout` scores the held-out half with a model that never saw it; ship the model trained
// on the whole corpus (no --split). --requests FILE keeps the replayed requests between runs (a cache
// keyed by each log's hash; the replay is most of the run time).
//   npm run build && node dist/scripts/train-category-model.js [--dir DIR] [--out FILE] [--split tune|holdout] [--requests FILE]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { analyse, categoryEvidenceOf } from '../src/brain/analyser/analyse.js';
import { createBrain } from '../src/brain/brain.js';
import { defaultConfig } from '../src/config/load-config.js';
import { silentLogger } from '../src/log.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { Category, DiagnoseRequest } from '../src/types.js';
import { replayLive } from './eval/live-replay.js';
import { type CategoryModel, combinerScores, type Evidence, type Facts, scoreCategories, softmax, verdictFeatures, type WordModel, wordPosterior } from '../src/brain/analyser/learned-category.js';
import { loadCorpus, SPLITS, type Split } from './eval/corpus.js';

/** A feature must occur in this many training logs to be kept: rarer ones only memorise single logs. */
const MIN_DOCS = 3;
/** L2 strength on the mean loss: of 0.0003–0.03, 0.01 gave the best 5-fold live-path figures. */
const L2 = 0.01;
const ITERATIONS = 300;
/** When no signature fired, the word scorer's verdict is taken at this probability (shipped in the model). */
const MIN_PROBABILITY = 0.5;
/**
 * ... and on at least this many words it knows (shipped in the model): made-up one-line exceptions
 * know 2–5 of its words, and one telling word among them (`refused`) must not name the kind. On the
 * 5-fold CV of the 1,361 (2026-12-03): 3 (none) 66.2%, 6 and 8 66.1%, 12 65.2%.
 */
const MIN_VERDICT_WORDS = 6;
/** The word scorer's words: in at most this share of the logs (words every failure log has say nothing of the kind). */
const MAX_WORD_SHARE = 0.15;
const ALPHA = 1;
/** Folds inside the training logs for the word scorer's held-out verdicts the combiner learns from. */
const WORD_FOLDS = 5;
const TEMPERATURES = [0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.4, 1.6, 1.8, 2, 2.5, 3];

export interface Example {
  category: Category;
  features: Evidence;
}

/** An example as the combiner sees it: its facts plus a word verdict. */
interface Stacked {
  category: Category;
  facts: Facts;
}

export interface TrainOptions {
  minDocs?: number;
  /** The word scorer's words: in at most this share of the logs. Default MAX_WORD_SHARE. */
  maxWordShare?: number;
  l2?: number;
  iterations?: number;
  /** Fit the temperature on out-of-fold predictions (3-fold); off: temperature 1. Default on. */
  calibrate?: boolean;
  minProbability?: number;
  minVerdictWords?: number;
}

interface Fitted {
  categories: Category[];
  vocabulary: string[];
  bias: Float64Array;
  /** vocabulary.length × categories.length, row per feature. */
  weights: Float64Array;
}

interface Sparse {
  index: Int32Array;
  value: Float64Array;
  label: number;
}

/** Multinomial logistic regression with L2, by accelerated full-batch gradient descent (FISTA): deterministic. */
function fit(examples: readonly Stacked[], categories: Category[], options: TrainOptions): Fitted {
  const minDocs = options.minDocs ?? MIN_DOCS;
  const l2 = options.l2 ?? L2;
  const docFreq = new Map<string, number>();
  for (const e of examples) for (const name of e.facts.keys()) docFreq.set(name, (docFreq.get(name) ?? 0) + 1);
  const vocabulary = [...docFreq.entries()]
    .filter(([, n]) => n >= minDocs)
    .map(([name]) => name)
    .sort();
  const column = new Map(vocabulary.map((name, i) => [name, i]));
  const K = categories.length;
  const rows: Sparse[] = examples.map((e) => {
    const kept = [...e.facts].filter(([name]) => column.has(name));
    return { index: Int32Array.from(kept, ([name]) => column.get(name) ?? 0), value: Float64Array.from(kept, ([, v]) => v), label: categories.indexOf(e.category) };
  });
  // Step 1/L from the gradient's Lipschitz bound: half the largest squared norm of a log (with the intercept).
  const maxNorm = Math.max(1, ...rows.map((r) => r.value.reduce((s, v) => s + v * v, 1)));
  const step = 1 / (0.5 * maxNorm + l2);
  const n = rows.length;
  const size = vocabulary.length * K;
  let w = new Float64Array(size);
  let b = new Float64Array(K);
  let yw = new Float64Array(size);
  let yb = new Float64Array(K);
  const gw = new Float64Array(size);
  const gb = new Float64Array(K);
  const scores = new Float64Array(K);
  let t = 1;
  for (let it = 0; it < (options.iterations ?? ITERATIONS); it++) {
    gw.fill(0);
    gb.fill(0);
    for (const r of rows) {
      for (let k = 0; k < K; k++) scores[k] = yb[k] ?? 0;
      for (let j = 0; j < r.index.length; j++) {
        const base = (r.index[j] ?? 0) * K;
        const v = r.value[j] ?? 0;
        for (let k = 0; k < K; k++) scores[k] = (scores[k] ?? 0) + (yw[base + k] ?? 0) * v;
      }
      const p = softmax([...scores]);
      for (let k = 0; k < K; k++) {
        const d = ((p[k] ?? 0) - (k === r.label ? 1 : 0)) / n;
        gb[k] = (gb[k] ?? 0) + d;
        for (let j = 0; j < r.index.length; j++) {
          const at = (r.index[j] ?? 0) * K + k;
          gw[at] = (gw[at] ?? 0) + d * (r.value[j] ?? 0);
        }
      }
    }
    const nextW = new Float64Array(size);
    const nextB = new Float64Array(K);
    for (let i = 0; i < size; i++) nextW[i] = (yw[i] ?? 0) - step * ((gw[i] ?? 0) + l2 * (yw[i] ?? 0));
    for (let k = 0; k < K; k++) nextB[k] = (yb[k] ?? 0) - step * (gb[k] ?? 0);
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const momentum = (t - 1) / tNext;
    yw = new Float64Array(size);
    yb = new Float64Array(K);
    for (let i = 0; i < size; i++) yw[i] = (nextW[i] ?? 0) + momentum * ((nextW[i] ?? 0) - (w[i] ?? 0));
    for (let k = 0; k < K; k++) yb[k] = (nextB[k] ?? 0) + momentum * ((nextB[k] ?? 0) - (b[k] ?? 0));
    w = nextW;
    b = nextB;
    t = tNext;
  }
  return { categories, vocabulary, bias: b, weights: w };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Deterministic k-fold: log i is in fold i mod k (the logs are sorted by name). */
const inFold = (i: number, k: number, folds: number): boolean => i % folds === k;

/** The naive Bayes over words: words in at least MIN_DOCS logs and at most MAX_WORD_SHARE of them. */
function trainWords(examples: readonly Example[], categories: Category[], minDocs: number, maxShare: number): WordModel {
  const wordsOf = (e: Example): ReadonlySet<string> => e.features.words;
  const docFreq = new Map<string, number>();
  for (const e of examples) for (const t of wordsOf(e)) docFreq.set(t, (docFreq.get(t) ?? 0) + 1);
  const vocabulary = [...docFreq.entries()]
    .filter(([, n]) => n >= minDocs && n <= maxShare * examples.length)
    .map(([t]) => t)
    .sort();
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  const counts = categories.map(() => new Array<number>(vocabulary.length).fill(0));
  const totals = categories.map(() => 0);
  const docs = categories.map(() => 0);
  for (const e of examples) {
    const c = categories.indexOf(e.category);
    docs[c] = (docs[c] ?? 0) + 1;
    for (const t of wordsOf(e)) {
      const i = index.get(t);
      if (i === undefined) continue;
      (counts[c] as number[])[i] = ((counts[c] as number[])[i] ?? 0) + 1;
      totals[c] = (totals[c] ?? 0) + 1;
    }
  }
  const logOf = (count: number, c: number): number => round(Math.log((count + ALPHA) / ((totals[c] ?? 0) + ALPHA * (vocabulary.length + 1))));
  const weights: Record<string, number[]> = {};
  vocabulary.forEach((t, i) => {
    weights[t] = categories.map((_, c) => logOf((counts[c] as number[])[i] ?? 0, c));
  });
  return { priors: docs.map((d) => round(Math.log(Math.max(d, ALPHA) / examples.length))), unseen: categories.map((_, c) => logOf(0, c)), weights };
}

/**
 * Word scorer and combiner, uncalibrated. The combiner learns how far to trust the word scorer from
 * its verdicts on logs it was not trained on (5 folds inside the training logs), as it will meet it.
 */
function trainUncalibrated(examples: readonly Example[], categories: Category[], options: TrainOptions): CategoryModel {
  const minDocs = options.minDocs ?? MIN_DOCS;
  const maxShare = options.maxWordShare ?? MAX_WORD_SHARE;
  const folds = Math.min(WORD_FOLDS, examples.length);
  const stack = (e: Example, words: WordModel): Stacked => ({ category: e.category, facts: new Map([...e.features.facts, ...verdictFeatures(categories, wordPosterior(words, e.features.words))]) });
  const stacked: Stacked[] = [];
  for (let k = 0; k < folds; k++) {
    const words = trainWords(
      examples.filter((_, i) => !inFold(i, k, folds)),
      categories,
      minDocs,
      maxShare,
    );
    examples.forEach((e, i) => {
      if (inFold(i, k, folds)) stacked[i] = stack(e, words);
    });
  }
  const fitted = fit(stacked, categories, options);
  const K = categories.length;
  const weights: Record<string, number[]> = {};
  fitted.vocabulary.forEach((name, i) => {
    const row = Array.from(fitted.weights.subarray(i * K, (i + 1) * K), round);
    // A feature whose weights all round to zero says nothing: leave it out of the shipped data.
    if (row.some((x) => x !== 0)) weights[name] = row;
  });
  return { categories, words: trainWords(examples, categories, minDocs, maxShare), bias: Array.from(fitted.bias, round), weights, temperature: 1, minProbability: options.minProbability ?? MIN_PROBABILITY, minVerdictWords: options.minVerdictWords ?? MIN_VERDICT_WORDS };
}

/** The temperature that best predicts logs the model did not see (least log-loss over 3 inner folds). */
function fitTemperature(examples: readonly Example[], categories: Category[], options: TrainOptions): number {
  const folds = 3;
  const held: { scores: number[]; label: number }[] = [];
  for (let k = 0; k < folds; k++) {
    const model = trainUncalibrated(
      examples.filter((_, i) => !inFold(i, k, folds)),
      categories,
      options,
    );
    examples.forEach((e, i) => {
      if (!inFold(i, k, folds)) return;
      held.push({ scores: combinerScores(model, e.features.facts, wordPosterior(model.words, e.features.words)), label: categories.indexOf(e.category) });
    });
  }
  let best = 1;
  let bestLoss = Infinity;
  for (const temperature of TEMPERATURES) {
    const loss = held.reduce((sum, h) => sum - Math.log(Math.max(softmax(h.scores.map((s) => s / temperature))[h.label] ?? 0, 1e-12)), 0);
    if (loss < bestLoss - 1e-9) {
      best = temperature;
      bestLoss = loss;
    }
  }
  return best;
}

export function train(examples: readonly Example[], options: TrainOptions = {}): CategoryModel {
  const categories = [...new Set(examples.map((e) => e.category))].sort();
  const temperature = options.calibrate === false ? 1 : fitTemperature(examples, categories, options);
  return { ...trainUncalibrated(examples, categories, options), temperature };
}

interface LiveExample extends Example {
  name: string;
  retryable: boolean | undefined;
  /** What the log alone shows (`evidence_category`, blind batches from r5 on), when the label carries it. */
  evidence: Category | undefined;
  /** What the live agent asks the analyser about this log's first alert; null when it raises none. */
  live: DiagnoseRequest | null;
}

interface Tally {
  cases: number;
  right: number;
  retryableRight: number;
  unknown: number;
}

interface Band {
  given: number;
  right: number;
  confidence: number;
}

interface CrossValidation {
  /** The signatures' first answer alone (options.learned false), with its hand-set confidences. */
  signatures: Tally;
  /** As shipped: the signatures' first answer, the word scorer where none fired, the combiner's confidence. */
  shipped: Tally;
  /** The combiner's own top category (measured, not shipped: ADR 0017). */
  combiner: Tally;
  perCategory: Map<string, { cases: number; signatures: number; shipped: number; combiner: number }>;
  confusion: Map<string, number>;
  /** Calibration of the shipped answers per confidence band (tenths): with the hand-set confidences, and the combiner's. */
  bands: { before: Band[]; shipped: Band[] };
  /** Mean squared error of the confidence as a probability of being right (Brier), same answers, hand-set and combiner's. */
  brier: { before: number; shipped: number };
  /**
   * The logs whose label also says what the log alone shows: how many, how many of those the cause
   * and the log agree on (the most a perfect reader of the log gets right against the cause), and the
   * shipped answers against either label.
   */
  evidence: { cases: number; agree: number; rightCause: number; rightEvidence: number };
}

const tally = (): Tally => ({ cases: 0, right: 0, retryableRight: 0, unknown: 0 });
const bands = (): Band[] => Array.from({ length: 10 }, () => ({ given: 0, right: 0, confidence: 0 }));

function count(t: Tally, category: Category, retryable: boolean | undefined, d: { category: Category; retryable: boolean }): void {
  if (d.category === category) t.right++;
  if (d.category === 'unknown') t.unknown++;
  if (retryable === undefined || d.retryable === retryable) t.retryableRight++;
}

function addBand(b: Band[], confidence: number, right: boolean): void {
  const band = b[Math.min(9, Math.floor(confidence * 10))];
  if (!band) return;
  band.given++;
  band.confidence += confidence;
  if (right) band.right++;
}

/** 5-fold on the live path: each fold's first-alert requests analysed with a model trained on the other folds. */
function crossValidateLive(examples: readonly LiveExample[], folds: number, options: TrainOptions): CrossValidation {
  const cv: CrossValidation = {
    signatures: tally(),
    shipped: tally(),
    combiner: tally(),
    perCategory: new Map(),
    confusion: new Map(),
    bands: { before: bands(), shipped: bands() },
    brier: { before: 0, shipped: 0 },
    evidence: { cases: 0, agree: 0, rightCause: 0, rightEvidence: 0 },
  };
  let answered = 0;
  for (let k = 0; k < folds; k++) {
    const model = train(
      examples.filter((_, i) => !inFold(i, k, folds)),
      options,
    );
    examples.forEach((e, i) => {
      if (!inFold(i, k, folds)) return;
      const row = cv.perCategory.get(e.category) ?? { cases: 0, signatures: 0, shipped: 0, combiner: 0 };
      cv.perCategory.set(e.category, row);
      row.cases++;
      cv.signatures.cases++;
      cv.shipped.cases++;
      cv.combiner.cases++;
      if (e.evidence) {
        cv.evidence.cases++;
        if (e.evidence === e.category) cv.evidence.agree++;
      }
      if (!e.live) return;
      const before = analyse(e.live, { readSourceFiles: false, learned: false });
      const after = analyse(e.live, { readSourceFiles: false, categoryModel: model });
      const choice = scoreCategories(model, categoryEvidenceOf(e.live))?.category ?? 'unknown';
      count(cv.signatures, e.category, e.retryable, before);
      count(cv.shipped, e.category, e.retryable, after);
      count(cv.combiner, e.category, undefined, { category: choice, retryable: false });
      if (before.category === e.category) row.signatures++;
      if (after.category === e.category) row.shipped++;
      if (choice === e.category) row.combiner++;
      if (e.evidence && after.category === e.category) cv.evidence.rightCause++;
      if (e.evidence && after.category === e.evidence) cv.evidence.rightEvidence++;
      if (after.category !== e.category) cv.confusion.set(`${e.category} → ${after.category}`, (cv.confusion.get(`${e.category} → ${after.category}`) ?? 0) + 1);
      answered++;
      // The same answers with the confidence the analyser gave them before: the signature's hand-set
      // confidence, 0.25 for the word scorer's guess (its old fixed figure).
      const handSet = before.category === 'unknown' && after.category !== 'unknown' ? 0.25 : before.confidence;
      addBand(cv.bands.before, handSet, after.category === e.category);
      addBand(cv.bands.shipped, after.confidence, after.category === e.category);
      cv.brier.before += (handSet - (after.category === e.category ? 1 : 0)) ** 2;
      cv.brier.shipped += (after.confidence - (after.category === e.category ? 1 : 0)) ** 2;
    });
  }
  cv.brier.before /= answered || 1;
  cv.brier.shipped /= answered || 1;
  return cv;
}

/** The request the live agent's first alert hands the analyser for this log (null: no alert). */
async function liveRequestOf(log: string): Promise<DiagnoseRequest | null> {
  const config = defaultConfig({});
  const brain = createBrain({
    config: { ...config.brain, url: 'embedded', gemini: { ...config.brain.gemini, api_key: undefined } },
    metrics: createMetrics({ defaultMetrics: false }),
    logger: silentLogger(),
    readSourceFiles: false,
    cacheSize: 0,
  });
  try {
    return (await replayLive(log, config, brain)).announced[0]?.request ?? null;
  } finally {
    await brain.close();
  }
}

const pct = (x: number, n: number): string => `${((x / (n || 1)) * 100).toFixed(1)}%`;

function bandsOf(b: Band[]): string {
  return b
    .map((x, i) => (x.given ? `${(i / 10).toFixed(1)}+: ${x.given} at ${(x.confidence / x.given).toFixed(2)}, ${pct(x.right, x.given)} right` : ''))
    .filter(Boolean)
    .join('; ');
}

function report(cv: CrossValidation): string[] {
  const { signatures: s, shipped: a, combiner: c } = cv;
  const lines = [
    `  category right: signatures' first answer alone ${pct(s.right, s.cases)}; as shipped (word scorer where no signature fired) ${pct(a.right, a.cases)}; the combiner's own choice ${pct(c.right, c.cases)} (not shipped)`,
    `  unknown: ${s.unknown} → ${a.unknown}; retryable right: ${pct(s.retryableRight, s.cases)} → ${pct(a.retryableRight, a.cases)}`,
    `  the shipped answers' confidence as a probability of being right (Brier score, lower is better): hand-set ${cv.brier.before.toFixed(3)} → combiner ${cv.brier.shipped.toFixed(3)}`,
    `    hand-set by band: ${bandsOf(cv.bands.before)}`,
    `    combiner by band: ${bandsOf(cv.bands.shipped)}`,
    `  per category (logs: signatures alone → as shipped; the combiner's own choice):`,
  ];
  for (const [category, row] of [...cv.perCategory].sort((x, y) => x[0].localeCompare(y[0]))) {
    lines.push(`    ${category.padEnd(31)} ${String(row.cases).padStart(4)}: ${pct(row.signatures, row.cases).padStart(6)} → ${pct(row.shipped, row.cases).padStart(6)}; ${pct(row.combiner, row.cases).padStart(6)}`);
  }
  const ev = cv.evidence;
  if (ev.cases > 0) {
    lines.push(
      `  the ${ev.cases} logs whose label also says what the log alone shows (evidence_category): as shipped ${pct(ev.rightCause, ev.cases)} against the cause, ${pct(ev.rightEvidence, ev.cases)} against the log's evidence; the cause is what the log shows in ${pct(ev.agree, ev.cases)} (a perfect reader of the log)`,
    );
  }
  lines.push(`  top confusions as shipped (label → said): ${[...cv.confusion].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, 8).map(([k, v]) => `${k} ${v}`).join('; ')}`);
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, out: { type: 'string' }, split: { type: 'string' }, requests: { type: 'string' }, l2: { type: 'string' }, 'cv-only': { type: 'boolean' } } });
  const split = values.split as Split | undefined;
  if (split !== undefined && !SPLITS.includes(split)) throw new Error(`--split must be one of ${SPLITS.join(', ')}`);
  const dir = values.dir ?? fileURLToPath(new URL('../../test/fixtures/real/dev/', import.meta.url));
  const out = values.out ?? fileURLToPath(new URL('../../src/brain/analyser/category-model.data.ts', import.meta.url));
  const options: TrainOptions = values.l2 !== undefined ? { l2: Number(values.l2) } : {};
  const corpus = loadCorpus(dir, undefined, split);
  const failures = corpus.cases.filter((c) => c.label.kind !== 'healthy' && c.label.category !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  const cache: Record<string, DiagnoseRequest | null> = values.requests && existsSync(values.requests) ? (JSON.parse(readFileSync(values.requests, 'utf8')) as Record<string, DiagnoseRequest | null>) : {};
  const examples: LiveExample[] = [];
  for (const c of failures) {
    const key = createHash('sha256').update(c.log).digest('hex');
    const live = key in cache ? (cache[key] ?? null) : await liveRequestOf(c.log);
    cache[key] = live;
    const whole: DiagnoseRequest = { fingerprint: c.name, rule: 'train', severity: 'error', title: c.name, text: c.log, context: [] };
    examples.push({ name: c.name, category: c.label.category as Category, evidence: c.label.evidence_category, retryable: c.label.retryable, live, features: categoryEvidenceOf(live ?? whole) });
  }
  if (values.requests) writeFileSync(values.requests, JSON.stringify(cache));
  const cv = crossValidateLive(examples, 5, options);
  console.log(`${examples.length} failure logs from ${dir}${split ? ` (${split} half only)` : ''}`);
  console.log(`5-fold cross-validation on the live path (each log replayed as the agent tails it; its first alert analysed with a model that did not see it; no alert = wrong):`);
  for (const line of report(cv)) console.log(line);
  if (values['cv-only']) return;
  const model = train(examples, options);
  const live = `${pct(cv.signatures.right, cv.signatures.cases)} → ${pct(cv.shipped.right, cv.shipped.cases)}`;
  writeFileSync(
    out,
    `// Generated by \`npm run train:category\` (scripts/train-category-model.ts) from ${examples.length} failure logs of\n` +
      `// test/fixtures/real/dev/${split ? ` (${split} half only)` : ''}; do not edit. 5-fold cross-validated category on the live path:\n` +
      `// signatures alone → with this model ${live}; retryable ${pct(cv.signatures.retryableRight, cv.signatures.cases)} → ${pct(cv.shipped.retryableRight, cv.shipped.cases)};\n` +
      `// confidence Brier score ${cv.brier.before.toFixed(3)} → ${cv.brier.shipped.toFixed(3)}.\n` +
      `import type { CategoryModel } from './learned-category.js';\n\n` +
      `export const CATEGORY_MODEL: CategoryModel = ${JSON.stringify(model)};\n`,
  );
  console.log(`wrote ${out}: ${Object.keys(model.weights).length} features, ${model.categories.length} categories, temperature ${model.temperature}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((err: unknown) => {
    console.error(`train-category-model: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
