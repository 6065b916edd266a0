// The category combiner: a multinomial logistic regression over all the evidence the analyser
// gathered (every signature that fired and where, which one the signatures' own order puts first,
// the exception classes of the chain, the stack's runtime: category-evidence.ts names them) and the
// verdict of a naive Bayes over the words of the failing record and its context. Trained on the
// real development corpus by `npm run train:category` (scripts/train-category-model.ts) and shipped
// as data (category-model.data.ts). Its probability for the category the analyser gives, calibrated
// on logs the model did not see, is the diagnosis's confidence. It does not pick the category: in
// 5-fold cross-validation on the live path its own choice was less often right than the signatures'
// first answer with the word scorer where none fired (ADR 0017); the training command keeps
// measuring both.
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
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** The word scorer's posterior per category, or undefined when too few of the words are known to it. */
export function wordPosterior(model: WordModel, words: ReadonlySet<string>): number[] | undefined {
  const scores = [...model.priors];
  let known = 0;
  for (const word of words) {
    const w = Object.hasOwn(model.weights, word) ? model.weights[word] : undefined;
    if (!w) continue;
    known++;
    for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] ?? 0) + (w[c] ?? model.unseen[c] ?? 0);
  }
  return known < MIN_KNOWN_WORDS || scores.length === 0 ? undefined : softmax(scores);
}

/** The word scorer's verdict as the combiner's features: `nb:<category>` = its probability, or `nb:none`. */
export function verdictFeatures(categories: readonly Category[], posterior: readonly number[] | undefined): [string, number][] {
  return posterior ? categories.map((c, i) => [`${WORD_VERDICT}${c}`, posterior[i] ?? 0]) : [[`${WORD_VERDICT}none`, 1]];
}

/** The combiner's scores (log-odds up to a constant, before calibration) for facts plus a word verdict. */
export function combinerScores(model: Pick<CategoryModel, 'categories' | 'bias' | 'weights'>, facts: Facts, posterior: readonly number[] | undefined): number[] {
  const scores = [...model.bias];
  const add = (name: string, value: number): void => {
    const w = Object.hasOwn(model.weights, name) ? model.weights[name] : undefined;
    if (!w) return;
    for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] ?? 0) + (w[c] ?? 0) * value;
  };
  for (const [name, value] of facts) add(name, value);
  for (const [name, value] of verdictFeatures(model.categories, posterior)) add(name, value);
  return scores;
}

/** Every category's calibrated probability, in the model's order. */
export function categoryProbabilities(model: CategoryModel, evidence: Evidence): number[] {
  return softmax(combinerScores(model, evidence.facts, wordPosterior(model.words, evidence.words)).map((s) => s / model.temperature));
}

/** The combiner's own best-supported category and its probability (measured by training; not what the analyser says). */
export function scoreCategories(model: CategoryModel, evidence: Evidence): CategoryGuess | undefined {
  if (model.categories.length === 0) return undefined;
  return topOf(model.categories, categoryProbabilities(model, evidence));
}

/** The word scorer's best category and its probability, or undefined when too few words are known to it. */
export function wordVerdict(model: CategoryModel, evidence: Evidence): CategoryGuess | undefined {
  const p = wordPosterior(model.words, evidence.words);
  return p && topOf(model.categories, p);
}

function topOf(categories: readonly Category[], p: readonly number[]): CategoryGuess | undefined {
  let best = 0;
  for (let c = 1; c < p.length; c++) if ((p[c] ?? 0) > (p[best] ?? 0)) best = c;
  const category = categories[best];
  return category ? { category, probability: p[best] ?? 0 } : undefined;
}
