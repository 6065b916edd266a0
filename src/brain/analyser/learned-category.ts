// The fallback category scorer: a naive Bayes over the words of the failing record and its context,
// trained on the real development corpus by `npm run train:category` (scripts/train-category-model.ts).
// The analyser asks it only when no signature explains the failure, and takes its answer only when
// it is clearly ahead, with low confidence; otherwise the category stays `unknown`.
import type { Category } from '../../types.js';

export interface CategoryModel {
  categories: Category[];
  /** log P(category). */
  priors: number[];
  /** log P(word | category) of a word the model has not seen in that category. */
  unseen: number[];
  /** log P(word | category), per category, for the words the model kept. */
  weights: Record<string, number[]>;
}

/** Fewer known words than this is no evidence: the answer would be the prior. */
const MIN_KNOWN_WORDS = 3;

export interface CategoryGuess {
  category: Category;
  /** Posterior probability of the category among the model's categories. */
  probability: number;
}

export function scoreCategories(model: CategoryModel, tokens: Iterable<string>): CategoryGuess | undefined {
  const scores = [...model.priors];
  let known = 0;
  for (const token of tokens) {
    const w = Object.hasOwn(model.weights, token) ? model.weights[token] : undefined;
    if (!w) continue;
    known++;
    for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] ?? 0) + (w[c] ?? model.unseen[c] ?? 0);
  }
  if (known < MIN_KNOWN_WORDS || scores.length === 0) return undefined;
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  let best = 0;
  for (let c = 1; c < exps.length; c++) if ((exps[c] ?? 0) > (exps[best] ?? 0)) best = c;
  const category = model.categories[best];
  return category ? { category, probability: (exps[best] ?? 0) / sum } : undefined;
}
