// The category combiner: a multinomial logistic regression over all the evidence the analyser
// gathered (every signature that fired and where, which one the signatures' own order puts first,
// the exception classes of the chain, the stack's runtime: category-evidence.ts names them) and the
// verdict of a naive Bayes over the words of the failing record and its context. Trained on the
// real development corpus by `npm run train:category` (scripts/train-category-model.ts) and shipped
// as data (category-model.data.ts). Its probability for the category the analyser gives, calibrated
// on logs the model did not see, is the diagnosis's confidence. It does not pick the category: in
// 5-fold cross-validation on the live path its own choice was less often right than the signatures'
// first answer with the word scorer where none fired, and no band of it was clearly more often right
// (ADR 0017); the training command keeps measuring both.
import type { Category } from '../../types.js';

/** The naive Bayes over words whose verdict the combiner weighs. */
export interface WordModel {
  /** log P(category). */
  priors: number[];
  /** log P(word | category) of a word the model has not seen in that category. */
  unseen: number[];
  /** log P(word | category), per category, for the words the model kept. */
  weights: Record<string, number[]>;
}

export interface CategoryModel {
  categories: Category[];
  words: WordModel;
  /** Per-category intercept of the combiner. */
  bias: number[];
  /** Per-feature weights of the combiner, one per category, for the features it kept. */
  weights: Record<string, number[]>;
  /** Softmax temperature fitted on held-out predictions (> 1 softens an over-sure model). */
  temperature: number;
  /** When no signature fired, the word scorer's verdict is taken only at this probability; below it the category is `unknown`. */
  minProbability: number;
  /**
   * ... and only when the text holds at least this many words the scorer knows: a line or two is too
   * little for a word count to name a kind (`acme.FrobnicationFailure: the widget refused to frob`
   * knows five, and `refused` alone would make it the network). Absent in older models: 0.
   */
  minVerdictWords?: number;
}

export interface CategoryGuess {
  category: Category;
  /** Calibrated probability of the category among the model's categories. */
  probability: number;
}

/** Fact name → value (1: a signature fired, an exception class is in the chain; a share: the word verdict). */
export type Facts = ReadonlyMap<string, number>;

/** What the model weighs: the facts (category-evidence.ts) and the words of the record and its context. */
export interface Evidence {
  facts: Facts;
  words: ReadonlySet<string>;
}

/** Fewer known words than this is no evidence: the word scorer's verdict would be its prior. */
const MIN_KNOWN_WORDS = 3;
/** Prefix of the word scorer's verdict among the combiner's features. */
const WORD_VERDICT = 'nb:';

export function softmax(scores: readonly number[]): number[] {
  // Plain loops, the same operations in the same order as max/map/reduce: the same numbers, no
  // intermediate arrays (this runs on every diagnosis).
  let max = -Infinity;
  for (const s of scores) {
    if (Number.isNaN(s)) {
      max = NaN;
      break;
    }
    if (s > max) max = s;
  }
  const exps = new Array<number>(scores.length);
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    const e = Math.exp((scores[c] ?? 0) - max);
    exps[c] = e;
    sum += e;
  }
  for (let c = 0; c < exps.length; c++) exps[c] = (exps[c] ?? 0) / sum;
  return exps;
}

/**
 * A model's weight table as a Map of dense per-category rows (the fallback for a missing entry
 * filled in), built once per table: models are data, never changed once loaded.
 */
interface Rows {
  fallback: readonly number[] | undefined;
  width: number;
  table: ReadonlyMap<string, Float64Array>;
}
const rowsOf = new WeakMap<object, Rows>();

function rows(weights: Record<string, number[]>, fallback: readonly number[] | undefined, width: number): ReadonlyMap<string, Float64Array> {
  const cached = rowsOf.get(weights);
  if (cached && cached.fallback === fallback && cached.width === width) return cached.table;
  const built = new Map<string, Float64Array>();
  for (const name of Object.keys(weights)) {
    const w = weights[name] ?? [];
    const row = new Float64Array(width);
    for (let c = 0; c < width; c++) row[c] = w[c] ?? fallback?.[c] ?? 0;
    built.set(name, row);
  }
  rowsOf.set(weights, { fallback, width, table: built });
  return built;
}

/** The word scorer's posterior per category, or undefined when too few of the words are known to it. */
export function wordPosterior(model: WordModel, words: ReadonlySet<string>): number[] | undefined {
  const scores = [...model.priors];
  const table = rows(model.weights, model.unseen, scores.length);
  let known = 0;
  for (const word of words) {
    const w = table.get(word);
    if (!w) continue;
    known++;
    for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] ?? 0) + (w[c] ?? 0);
  }
  return known < MIN_KNOWN_WORDS || scores.length === 0 ? undefined : softmax(scores);
}

/** How many of the words the word scorer knows (the evidence its verdict rests on). */
export function knownWordCount(model: WordModel, words: ReadonlySet<string>): number {
  let known = 0;
  for (const word of words) if (Object.hasOwn(model.weights, word)) known++;
  return known;
}

/** `nb:<category>` per category, built once per category list. */
const verdictNamesOf = new WeakMap<readonly Category[], string[]>();

function verdictNames(categories: readonly Category[]): string[] {
  let names = verdictNamesOf.get(categories);
  if (!names) {
    names = categories.map((c) => `${WORD_VERDICT}${c}`);
    verdictNamesOf.set(categories, names);
  }
  return names;
}

/** The word scorer's verdict as the combiner's features: `nb:<category>` = its probability, or `nb:none`. */
export function verdictFeatures(categories: readonly Category[], posterior: readonly number[] | undefined): [string, number][] {
  return posterior ? verdictNames(categories).map((name, i) => [name, posterior[i] ?? 0]) : [[`${WORD_VERDICT}none`, 1]];
}

/** The combiner's scores (log-odds up to a constant, before calibration) for facts plus a word verdict. */
export function combinerScores(model: Pick<CategoryModel, 'categories' | 'bias' | 'weights'>, facts: Facts, posterior: readonly number[] | undefined): number[] {
  const scores = [...model.bias];
  const table = rows(model.weights, undefined, scores.length);
  const add = (name: string, value: number): void => {
    const w = table.get(name);
    if (!w) return;
    for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] ?? 0) + (w[c] ?? 0) * value;
  };
  for (const [name, value] of facts) add(name, value);
  // The same features, in the same order, as verdictFeatures gives (training uses that).
  if (posterior) {
    const names = verdictNames(model.categories);
    for (let c = 0; c < names.length; c++) add(names[c] ?? '', posterior[c] ?? 0);
  } else add(`${WORD_VERDICT}none`, 1);
  return scores;
}

/** Every category's calibrated probability, in the model's order (`posterior`: the words' own, when already computed). */
export function categoryProbabilities(model: CategoryModel, evidence: Evidence, posterior = wordPosterior(model.words, evidence.words)): number[] {
  return softmax(combinerScores(model, evidence.facts, posterior).map((s) => s / model.temperature));
}

/** The combiner's own best-supported category and its probability (measured by training; not what the analyser says). */
export function scoreCategories(model: CategoryModel, evidence: Evidence): CategoryGuess | undefined {
  if (model.categories.length === 0) return undefined;
  return topOf(model.categories, categoryProbabilities(model, evidence));
}

/** The word scorer's best category and its probability, or undefined when too few words are known to it. */
export function wordVerdict(model: CategoryModel, evidence: Evidence, p = wordPosterior(model.words, evidence.words)): CategoryGuess | undefined {
  return p && topOf(model.categories, p);
}

function topOf(categories: readonly Category[], p: readonly number[]): CategoryGuess | undefined {
  let best = 0;
  for (let c = 1; c < p.length; c++) if ((p[c] ?? 0) > (p[best] ?? 0)) best = c;
  const category = categories[best];
  return category ? { category, probability: p[best] ?? 0 } : undefined;
}
