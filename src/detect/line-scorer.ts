// A learned backstop behind the packs: naive Bayes over the words of one record, trained on the real
// development corpus (failure logs' records against healthy logs' records; scripts/train-line-scorer.ts)
// and shipped as data (line-scorer.data.ts). The packs name a failure by its shape; this catches a
// failing record worded in no shape they know (`The column x is declared as type bigint, but the
// Parquet file declares …`), and only above a threshold chosen for no added false alarm on held-out
// healthy logs. It runs last (generic.learned-line, the lowest priority), on records no pack rule
// matched that hold a failure word (the rule's screen words, so the byte screen still rules out
// every other line before any parse).

export interface LineScorerModel {
  /** A record scoring above this is a failure. */
  threshold: number;
  /** Log-odds of each word (lower case; `§errclass` for a `FooError`-like word). Words not here weigh 0. */
  weights: Readonly<Record<string, number>>;
}

/** Only the head of a record says what it is; a long stack is not read. */
export const SCORED_CHARS = 600;
const WORD = /[A-Za-z][A-Za-z]+/g;
const ERROR_CLASS = /(?:[a-z](?:Error|Exception)|^(?:Error|Exception))$/;

/** The features of a record: its distinct words, lower case, and whether one is an error class. */
export function lineFeatures(text: string): Set<string> {
  const head = text.length > SCORED_CHARS ? text.slice(0, SCORED_CHARS) : text;
  const out = new Set<string>();
  for (const m of head.matchAll(WORD)) {
    const word = m[0];
    if (ERROR_CLASS.test(word)) out.add('§errclass');
    out.add(word.toLowerCase());
  }
  return out;
}

/** The sum of the features' weights (also what scripts/train-line-scorer.ts cross-validates with). */
export function featureScore(weights: LineScorerModel['weights'], features: Iterable<string>): number {
  let score = 0;
  for (const feature of features) score += weights[feature] ?? 0;
  return score;
}

export function lineScore(model: LineScorerModel, text: string): number {
  return featureScore(model.weights, lineFeatures(text));
}

/** Whether the model reads the record as a failure: its score above the model's threshold. */
export function scoresAsFailure(model: LineScorerModel, text: string): boolean {
  return lineScore(model, text) > model.threshold;
}
