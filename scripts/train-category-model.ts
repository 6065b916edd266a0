// `npm run train:category`: trains the built-in analyser's fallback category scorer (a naive Bayes
// over the words of a failure log, src/brain/analyser/evidence-tokens.ts) on the failure logs of the
// real development corpus (test/fixtures/real/dev/), and writes it as a TypeScript data module
// (src/brain/analyser/category-model.data.ts). Deterministic: the same corpus gives the same file.
// It prints the scorer's 5-fold cross-validated accuracy on the corpus first, so the figure that is
// reported is one on logs the scorer was not trained on: on the live path (each log replayed as the
// agent tails it, scripts/eval/live-replay.ts, and its first alert's request analysed with a model
// trained on the other folds; a failure the agent misses counts as wrong), which is what `npm run
// eval` scores, and on the whole log as one record.
// --split tune trains on the tune half only (scripts/eval/corpus.ts splitOf), so that `npm run eval --
// --split holdout` scores the held-out half with a model that never saw it; ship the model trained
// on the whole corpus (no --split).
//   npm run build && node dist/scripts/train-category-model.js [--dir DIR] [--out FILE] [--split tune|holdout]
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { analyse } from '../src/brain/analyser/analyse.js';
import { createBrain } from '../src/brain/brain.js';
import { defaultConfig } from '../src/config/load-config.js';
import { silentLogger } from '../src/log.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { DiagnoseRequest } from '../src/types.js';
import { replayLive } from './eval/live-replay.js';
import { evidenceTokens } from '../src/brain/analyser/evidence-tokens.js';
import { type CategoryModel, scoreCategories } from '../src/brain/analyser/learned-category.js';
import type { Category } from '../src/types.js';
import { loadCorpus, SPLITS, type Split } from './eval/corpus.js';

/** A word must occur in this many training logs to be kept: rarer words only memorise single logs. */
const MIN_DOCS = 3;
/** Nor in more than this share of them: words every failure log has (traceback, error, line) say nothing of the kind. */
const MAX_DOC_SHARE = 0.15;
const ALPHA = 1;

interface Example {
  category: Category;
  tokens: Set<string>;
  /** What the signatures alone say on the whole log (for the cross-validated fallback figure). */
  signatures?: Category | 'unknown';
  /** What the live agent asks the analyser about this log's first alert; null when it raises none. */
  live?: DiagnoseRequest | null;
}

/** The probability the analyser requires before it takes the scorer's answer (LEARNED_MIN_PROBABILITY). */
const MIN_PROBABILITY = 0.5;

export function train(examples: readonly Example[], vocabularyBounds = { minDocs: MIN_DOCS, maxDocShare: MAX_DOC_SHARE }): CategoryModel {
  const categories = [...new Set(examples.map((e) => e.category))].sort();
  const docFreq = new Map<string, number>();
  for (const e of examples) for (const t of e.tokens) docFreq.set(t, (docFreq.get(t) ?? 0) + 1);
  const vocabulary = [...docFreq.entries()]
    .filter(([, n]) => n >= vocabularyBounds.minDocs && n <= vocabularyBounds.maxDocShare * examples.length)
    .map(([t]) => t)
    .sort();
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  const counts = categories.map(() => new Array<number>(vocabulary.length).fill(0));
  const totals = categories.map(() => 0);
  const docs = categories.map(() => 0);
  for (const e of examples) {
    const c = categories.indexOf(e.category);
    docs[c] = (docs[c] ?? 0) + 1;
    for (const t of e.tokens) {
      const i = index.get(t);
      if (i === undefined) continue;
      (counts[c] as number[])[i] = ((counts[c] as number[])[i] ?? 0) + 1;
      totals[c] = (totals[c] ?? 0) + 1;
    }
  }
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const priors = docs.map((d) => round(Math.log(d / examples.length)));
  const unseen = totals.map((t) => round(Math.log(ALPHA / (t + ALPHA * (vocabulary.length + 1)))));
  const weights: Record<string, number[]> = {};
  vocabulary.forEach((t, i) => {
    weights[t] = categories.map((_, c) => round(Math.log((((counts[c] as number[])[i] ?? 0) + ALPHA) / ((totals[c] ?? 0) + ALPHA * (vocabulary.length + 1)))));
  });
  return { categories: categories as Category[], priors, unseen, weights };
}

interface CrossValidation {
  /** The scorer alone: its top category is right. */
  accuracy: number;
  /** The signatures alone, then with the scorer asked where they say unknown (as the analyser does). */
  signatures: number;
  withFallback: number;
  /** Of the logs the signatures leave unknown: how many the scorer answers, and how many of those right. */
  unknown: number;
  answered: number;
  answeredRight: number;
}

function crossValidate(examples: readonly Example[], folds: number): CrossValidation {
  const cv: CrossValidation = { accuracy: 0, signatures: 0, withFallback: 0, unknown: 0, answered: 0, answeredRight: 0 };
  for (let k = 0; k < folds; k++) {
    const model = train(examples.filter((_, i) => i % folds !== k));
    examples.forEach((e, i) => {
      if (i % folds !== k) return;
      const best = scoreCategories(model, e.tokens);
      if (best?.category === e.category) cv.accuracy++;
      if (e.signatures === e.category) cv.signatures++;
      let category = e.signatures;
      if (category === 'unknown') {
        cv.unknown++;
        if (best && best.probability >= MIN_PROBABILITY) {
          category = best.category;
          cv.answered++;
          if (category === e.category) cv.answeredRight++;
        }
      }
      if (category === e.category) cv.withFallback++;
    });
  }
  return { ...cv, accuracy: cv.accuracy / examples.length, signatures: cv.signatures / examples.length, withFallback: cv.withFallback / examples.length };
}

interface LiveCrossValidation {
  cases: number;
  signatures: number;
  withScorer: number;
}

/** 5-fold, on the live path: each fold's first-alert requests analysed with a model trained on the other folds. */
function crossValidateLive(examples: readonly Example[], folds: number): LiveCrossValidation {
  const cv: LiveCrossValidation = { cases: examples.length, signatures: 0, withScorer: 0 };
  for (let k = 0; k < folds; k++) {
    const model = train(examples.filter((_, i) => i % folds !== k));
    examples.forEach((e, i) => {
      if (i % folds !== k || !e.live) return;
      if (analyse(e.live, { readSourceFiles: false, learned: false }).category === e.category) cv.signatures++;
      if (analyse(e.live, { readSourceFiles: false, categoryModel: model }).category === e.category) cv.withScorer++;
    });
  }
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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, out: { type: 'string' }, split: { type: 'string' } } });
  const split = values.split as Split | undefined;
  if (split !== undefined && !SPLITS.includes(split)) throw new Error(`--split must be one of ${SPLITS.join(', ')}`);
  const dir = values.dir ?? fileURLToPath(new URL('../../test/fixtures/real/dev/', import.meta.url));
  const out = values.out ?? fileURLToPath(new URL('../../src/brain/analyser/category-model.data.ts', import.meta.url));
  const corpus = loadCorpus(dir, undefined, split);
  const failures = corpus.cases.filter((c) => c.label.kind !== 'healthy' && c.label.category !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  const examples: Example[] = [];
  for (const c of failures) {
    examples.push({
      category: c.label.category as Category,
      tokens: evidenceTokens(c.log),
      signatures: analyse({ fingerprint: c.name, rule: 'train', severity: 'error', title: c.name, text: c.log, context: [] }, { readSourceFiles: false, learned: false }).category,
      live: await liveRequestOf(c.log),
    });
  }
  const cv = crossValidate(examples, 5);
  const live = crossValidateLive(examples, 5);
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  console.log(`${examples.length} failure logs from ${dir}${split ? ` (${split} half only)` : ''}`);
  console.log(`5-fold cross-validation on the live path (each log replayed as the agent tails it; its first alert analysed with a model that did not see it; no alert = wrong):`);
  console.log(`  category right: signatures alone ${pct(live.signatures / live.cases)}; with the scorer (as shipped) ${pct(live.withScorer / live.cases)}`);
  console.log(`5-fold cross-validation (each log scored by a model that did not see it; whole log as one record):`);
  console.log(`  the scorer alone: top category right for ${pct(cv.accuracy)}`);
  console.log(`  signatures alone: ${pct(cv.signatures)}; with the scorer where they say unknown: ${pct(cv.withFallback)}`);
  console.log(`  the signatures leave ${cv.unknown} unknown; the scorer answers ${cv.answered} of them (p >= ${MIN_PROBABILITY}), ${cv.answeredRight} right`);
  const model = train(examples);
  const body = JSON.stringify(model);
  writeFileSync(
    out,
    `// Generated by \`npm run train:category\` (scripts/train-category-model.ts) from ${examples.length} failure logs of\n` +
      `// test/fixtures/real/dev/${split ? ` (${split} half only)` : ''}; do not edit. 5-fold cross-validated category on the live path: signatures alone\n` +
      `// ${pct(live.signatures / live.cases)}, with this scorer ${pct(live.withScorer / live.cases)}; on the whole log as one record: signatures alone ${pct(cv.signatures)}, with this\n` +
      `// scorer where they say unknown ${pct(cv.withFallback)} (the scorer answers ${cv.answered} of ${cv.unknown}, ${cv.answeredRight} right).\n` +
      `import type { CategoryModel } from './learned-category.js';\n\n` +
      `export const CATEGORY_MODEL: CategoryModel = ${body};\n`,
  );
  console.log(`wrote ${out}: ${Object.keys(model.weights).length} words, ${model.categories.length} categories`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((err: unknown) => {
    console.error(`train-category-model: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
