// `npm run train:line-scorer`: trains the detector's learned backstop (src/detect/line-scorer.ts), a
// naive Bayes over the words of a record, on the real development corpus, and writes it as a
// TypeScript data module (src/detect/line-scorer.data.ts). Deterministic.
//
// Examples: every record of a failure log is a positive and every record of a healthy log a negative,
// each weighing 1/(records in its log): which record of a failure log failed is not labelled, and a
// pasted failure is mostly its error. Words kept: in at least MIN_DOCS training records, the TOP_WORDS
// that weigh most. Before writing, it prints 5-fold cross-validation on the training logs (folds by a
// hash of the name): of the failure logs no pack rule alarms on, how many the scorer catches, and how
// many healthy logs it alarms on that no pack rule did, per threshold; the shipped threshold is the
// lowest with no added false alarm, plus THRESHOLD_MARGIN.
// --exclude LIST (a `sha256sum` list, `<hash>  ./<stack>/<file>`, any number of times) holds those
// logs out, so that a set scored before and after (dev8) is judged with a model that never saw it.
//   npm run build && node dist/scripts/train-line-scorer.js [--dir DIR] [--out FILE] [--exclude LIST]...
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultConfig } from '../src/config/load-config.js';
import { createDetector } from '../src/detect/detector.js';
import { featureScore, lineFeatures, SCORED_CHARS, type LineScorerModel } from '../src/detect/line-scorer.js';
import { parseRecord } from '../src/parse/parse-record.js';
import { oneShotSource } from '../src/agent/diagnose-file.js';
import { readRecordsFromFile } from '../src/source/read-records-from-file.js';
import { LEARNED_LINE_GATE } from '../src/detect/packs/generic.js';
import { loadCorpus } from './eval/corpus.js';

const MIN_DOCS = 3;
const TOP_WORDS = 3000;
const THRESHOLDS = [8, 10, 12, 14, 16, 18, 20];
/** Added to the lowest cross-validated threshold with no added false alarm: five folds of ~47 healthy logs each are few. */
const THRESHOLD_MARGIN = 2;
const FOLDS = 5;
/** Levels the backstop never reads (as the rule: generic.learned-line). */
const QUIET = new Set(['trace', 'debug', 'info', 'warn']);

interface Rec {
  features: Set<string>;
  /** A pack rule alarms on it, or the backstop may not read it (level, gate words). */
  packHit: boolean;
  scorable: boolean;
}
interface Case {
  name: string;
  failure: boolean;
  records: Rec[];
}

const fixtures = (path: string): string => fileURLToPath(new URL(`../../test/fixtures/${path}`, import.meta.url));
const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: fixtures('real/dev') },
    out: { type: 'string', default: fileURLToPath(new URL('../../src/detect/line-scorer.data.ts', import.meta.url)) },
    exclude: { type: 'string', multiple: true, default: [] },
  },
});

const excluded = new Set(
  (values.exclude ?? []).flatMap((list) =>
    readFileSync(list, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => (line.trim().split(/\s+/)[1] ?? '').replace(/^\.\//, '')),
  ),
);

// Which records the packs alone alarm on (the backstop off: its echoes would hide their matches), and which it may read.
const config = defaultConfig();
const gate = new RegExp(LEARNED_LINE_GATE, 'i');

let heldOut = 0;
async function casesOf(dir: string): Promise<Case[]> {
  const corpus = loadCorpus(dir);
  const out: Case[] = [];
  for (const c of corpus.cases) {
    if (excluded.has(c.name)) {
      heldOut += 1;
      continue;
    }
    const path = join(dir, c.name);
    const source = oneShotSource(config, path);
    const detector = createDetector(config, { lineScorer: false });
    const records: Rec[] = [];
    for await (const raw of readRecordsFromFile(path, source)) {
      const { event } = parseRecord(raw, source.format);
      const rules = detector.match(event).map((m) => m.rule.id);
      const head = raw.text.slice(0, SCORED_CHARS);
      records.push({
        features: lineFeatures(raw.text),
        packHit: rules.length > 0,
        scorable: !QUIET.has(event.level) && gate.test(head),
      });
    }
    out.push({ name: c.name, failure: c.label.kind === 'failure', records });
  }
  return out;
}

function train(cases: readonly Case[]): Record<string, number> {
  const pos = new Map<string, number>();
  const neg = new Map<string, number>();
  const docs = new Map<string, number>();
  let nPos = 0;
  let nNeg = 0;
  for (const c of cases) {
    const w = 1 / Math.max(1, c.records.length);
    const counts = c.failure ? pos : neg;
    for (const r of c.records) {
      for (const f of r.features) {
        counts.set(f, (counts.get(f) ?? 0) + w);
        docs.set(f, (docs.get(f) ?? 0) + 1);
      }
      if (c.failure) nPos += w;
      else nNeg += w;
    }
  }
  const weights: Array<[string, number]> = [];
  for (const [f, n] of docs) {
    if (n < MIN_DOCS) continue;
    const p = ((pos.get(f) ?? 0) + 0.5) / (nPos + 1);
    const q = ((neg.get(f) ?? 0) + 0.5) / (nNeg + 1);
    weights.push([f, Math.log(p / q)]);
  }
  const strength = ([f, w]: [string, number]): number => Math.abs(w) * Math.sqrt(docs.get(f) ?? 0);
  weights.sort((a, b) => strength(b) - strength(a) || (a[0] < b[0] ? -1 : 1));
  return Object.fromEntries(weights.slice(0, TOP_WORDS).map(([f, w]) => [f, Math.round(w * 1000) / 1000]));
}

function bestScore(c: Case, weights: Record<string, number>): number {
  let best = -Infinity;
  for (const r of c.records) {
    if (r.scorable) best = Math.max(best, featureScore(weights, r.features));
  }
  return best;
}

const fold = (name: string): number => [...name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7) % FOLDS;

const cases = await casesOf(values.dir);
const misses = cases.filter((c) => !c.records.some((r) => r.packHit));
const caught = new Map<number, { failures: number; healthy: number }>(THRESHOLDS.map((t) => [t, { failures: 0, healthy: 0 }]));
for (let k = 0; k < FOLDS; k++) {
  const weights = train(cases.filter((c) => fold(c.name) !== k));
  for (const c of misses.filter((m) => fold(m.name) === k)) {
    const best = bestScore(c, weights);
    for (const t of THRESHOLDS) {
      const tally = caught.get(t);
      if (tally && best > t) tally[c.failure ? 'failures' : 'healthy'] += 1;
    }
  }
}
const failures = cases.filter((c) => c.failure).length;
const healthy = cases.length - failures;
const missed = misses.filter((c) => c.failure).length;
console.log(`${failures} failure logs, ${healthy} healthy (${heldOut} held out); no pack alarm on ${missed} failures`);
for (const t of THRESHOLDS) {
  const tally = caught.get(t) ?? { failures: 0, healthy: 0 };
  console.log(`  threshold ${t}: ${FOLDS}-fold catches ${tally.failures} of ${missed}, adds ${tally.healthy} false alarms of ${healthy} healthy`);
}
const quiet = THRESHOLDS.find((t) => (caught.get(t)?.healthy ?? 1) === 0) ?? (THRESHOLDS.at(-1) as number);
const threshold = quiet + THRESHOLD_MARGIN;
const tally = caught.get(quiet) ?? { failures: 0, healthy: 0 };
const model: LineScorerModel = { threshold, weights: train(cases) };
writeFileSync(
  values.out,
  [
    `// Generated by \`npm run train:line-scorer\` (scripts/train-line-scorer.ts) from ${failures} failure and ${healthy} healthy`,
    `// logs of test/fixtures/real/dev/${heldOut > 0 ? ` (${heldOut} held out)` : ''}; do not edit. ${FOLDS}-fold cross-validated at threshold ${quiet}`,
    `// (shipped: ${threshold}): catches ${tally.failures} of the ${missed} failure logs no pack rule alarms on, adds no false alarm.`,
    `import type { LineScorerModel } from './line-scorer.js';`,
    '',
    `// A function, not a constant: V8 builds the ${Object.keys(model.weights).length.toLocaleString('en')}-word object on the first call, so an agent whose`,
    `// records never reach the scorer does not hold it (~0.4 MB of an idle agent's heap).`,
    `export const lineScorerModel = (): LineScorerModel => (${JSON.stringify(model)});`,
    '',
  ].join('\n'),
);
console.log(`wrote ${values.out}: ${Object.keys(model.weights).length} words, threshold ${threshold}`);
