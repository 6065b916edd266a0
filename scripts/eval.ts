// `npm run eval [-- --dir DIR ...] [--config FILE] [--engine builtin|gemini] [--wait live|none|finished] [--split tune|holdout] [--json | --markdown]`: scores what the live agent
// announces for labelled logs. Each log is replayed into the agent's own modules as a tailed file
// (scripts/eval/live-replay.ts): detection, category, location and retryable accuracy per stack and
// per category, false alarms on healthy logs, incidents per failure.
//
// Without --dir it scores, in this order:
//   the real development corpus   test/fixtures/real/dev/        (the score)
//   every blind batch             test/fixtures/real/blind/<b>/  (each on its own row)
//   the synthetic corpus          test/fixtures/failures/        (coverage only: logs we wrote)
// --engine gemini needs GOOGLE_API_KEY or GEMINI_API_KEY.
// --config FILE scores with that sentinel.yaml (rules, packs, incidents.lines_after) instead of the
// embedded defaults. --split tune|holdout scores only that half of each corpus (scripts/eval/corpus.ts
// splitOf: a hash of the case's name), so tuning against one half can be checked on the other. --wait none|finished replaces the live agent's wait for the lines after a failure (what a change
// of that policy would buy); the default is the agent's own policy, and the report says which.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createBrain, type Brain } from '../src/brain/brain.js';
import { defaultConfig, loadConfig } from '../src/config/load-config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { silentLogger } from '../src/log.js';
import { FINISHED_FILE_FOLLOW_UP, liveFollowUp, NO_FOLLOW_UP, type FollowUpPolicy } from '../src/agent/follow-up-lines.js';
import type { SentinelConfig } from '../src/config/config-types.js';
import { blindBatches, loadCorpus, SPLITS, type Corpus, type Split } from './eval/corpus.js';
import { replayLive } from './eval/live-replay.js';
import { formatCorpusMarkdown, formatCorpusScore, formatSummary, judge, scoreCorpus, type CaseResult, type CorpusScore } from './eval/score.js';

const ENGINES = ['builtin', 'gemini'] as const;
const WAITS: Record<string, (config: SentinelConfig) => FollowUpPolicy> = {
  live: (config) => liveFollowUp(config.incidents.lines_after),
  none: () => NO_FOLLOW_UP,
  finished: () => FINISHED_FILE_FOLLOW_UP,
};
// dist/scripts/eval.js → <repo>/test/fixtures/...
const fixtures = (path: string): string => fileURLToPath(new URL(`../../test/fixtures/${path}`, import.meta.url));

interface Target {
  corpus: Corpus;
  heading: string;
  role: 'score' | 'blind' | 'coverage';
}

function targets(dirs: readonly string[] | undefined, split: Split | undefined): Target[] {
  if (dirs && dirs.length > 0) {
    const missing = dirs.filter((dir) => !existsSync(dir));
    if (missing.length > 0) throw new Error(`no corpus at ${missing.join(', ')} (expected <dir>/<stack>/<case>.log beside <case>.json)`);
    return dirs.map((dir) => ({ corpus: loadCorpus(dir, undefined, split), heading: split ? `${dir} (${split} half)` : dir, role: 'score' }));
  }
  const out: Target[] = [];
  const dev = fixtures('real/dev');
  if (existsSync(dev)) out.push({ corpus: loadCorpus(dev, 'real-dev', split), heading: `real corpus, development part${split ? `, ${split} half` : ''} (live path)`, role: 'score' });
  else console.error(`eval: no real corpus at ${dev} yet`);
  for (const batch of blindBatches(fixtures('real/blind'))) {
    const corpus = loadCorpus(batch, undefined, split);
    out.push({ corpus, heading: `blind batch ${corpus.name} (live path)`, role: 'blind' });
  }
  out.push({ corpus: loadCorpus(fixtures('failures'), 'synthetic', split), heading: 'synthetic corpus: COVERAGE ONLY, logs we wrote ourselves, not the score (live path)', role: 'coverage' });
  return out;
}

async function scoreTarget(target: Target, config: SentinelConfig, engine: string, followUp: FollowUpPolicy): Promise<CorpusScore> {
  const results: CaseResult[] = [];
  for (const c of target.corpus.cases) {
    // A brain per log, cache off: each log is another pipeline, and one log's answer must not be
    // served for another's failure that happens to share its fingerprint.
    const brain: Brain = createBrain({
      config: engine === 'builtin' ? { ...config.brain, url: 'embedded', gemini: { ...config.brain.gemini, api_key: undefined } } : { ...config.brain, url: 'embedded' },
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger(),
      readSourceFiles: false,
      cacheSize: 0,
    });
    try {
      const outcome = await replayLive(c.log, config, brain, { followUp });
      results.push(judge(c, outcome.incidents, outcome.announced[0]?.diagnosis));
    } finally {
      await brain.close();
    }
  }
  return scoreCorpus(target.corpus, results);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', multiple: true },
      engine: { type: 'string', default: 'builtin' },
      wait: { type: 'string', default: 'live' },
      config: { type: 'string' },
      split: { type: 'string' },
      json: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
    },
  });
  const waitFor = WAITS[values.wait];
  const split = values.split as Split | undefined;
  if (!(ENGINES as readonly string[]).includes(values.engine) || !waitFor || (split !== undefined && !SPLITS.includes(split))) {
    console.error(`usage: eval [--dir DIR]... [--config FILE] [--engine ${ENGINES.join('|')}] [--wait ${Object.keys(WAITS).join('|')}] [--split ${SPLITS.join('|')}] [--json | --markdown]`);
    process.exitCode = 2;
    return;
  }
  // The embedded defaults unless a config is named (its rules, packs and incidents settings apply).
  const config = values.config ? loadConfig(values.config, process.env) : defaultConfig(process.env);
  const followUp = waitFor(config);
  if (values.engine === 'gemini' && !config.brain.gemini.api_key) {
    console.error('eval: --engine gemini needs GOOGLE_API_KEY or GEMINI_API_KEY');
    process.exitCode = 2;
    return;
  }
  const wait = `${values.wait} (lines after a failure: up to ${followUp.maxLines}, until ${followUp.quietMs} ms quiet, at most ${followUp.maxWaitMs} ms)`;
  if (!values.json && !values.markdown) console.log(`engine ${values.engine}; live path: each log replayed as a tailed file; wait ${wait}\n`);
  const scores: Array<CorpusScore & { role: Target['role'] }> = [];
  const labels: string[] = [];
  for (const target of targets(values.dir, split)) {
    labels.push(target.role === 'coverage' ? `${target.corpus.name} (coverage only)` : target.role === 'blind' ? `blind ${target.corpus.name}` : target.corpus.name);
    const score = await scoreTarget(target, config, values.engine, followUp);
    scores.push({ ...score, role: target.role });
    if (values.markdown) console.log(`${formatCorpusMarkdown(score, target.heading)}\n`);
    else if (!values.json) console.log(`${formatCorpusScore(score, target.heading)}\n`);
  }
  if (values.json) console.log(JSON.stringify({ engine: values.engine, path: 'live', wait: { name: values.wait, ...followUp }, corpora: scores }));
  else console.log(formatSummary(scores.map((score, i) => ({ label: labels[i] ?? score.name, score })), values.markdown));
}

await main().catch((err: unknown) => {
  console.error(`eval: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
