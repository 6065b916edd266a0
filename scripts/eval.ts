// `npm run eval [-- --engine builtin|gemini] [--path request|agent] [--dir DIR] [--json]`: runs a
// diagnosis engine over the labelled failure corpus and prints detection, category, location and
// retryable accuracy, per stack and overall.
//   --path request (default): each log becomes one DiagnoseRequest as src/brain/analyser/evaluate.ts
//                             documents; measures the engine alone.
//   --path agent:             each log goes through the agent's own path (`sentinel diagnose`: the
//                             multi-line reader, parse, the embedded rules and packs, incidents), and
//                             the first incident's diagnosis is judged; no incident = not detected.
//   --engine gemini:          needs GOOGLE_API_KEY or GEMINI_API_KEY; prints Gemini's scores, then a
//                             side-by-side with the built-in analyser on the same cases.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyse } from '../src/brain/analyser/analyse.js';
import { createBrain, type Brain } from '../src/brain/brain.js';
import { defaultConfig } from '../src/config/load-config.js';
import { diagnoseFile } from '../src/agent/diagnose-file.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { silentLogger } from '../src/log.js';
import { formatReport, judge, loadCorpus, runCorpus, score, type CaseResult, type Engine, type Fixture } from '../src/brain/analyser/evaluate.js';
import type { Diagnosis } from '../src/types.js';

const config = defaultConfig(process.env);

function geminiBrain(): Brain {
  if (!config.brain.gemini.api_key) throw new Error('--engine gemini needs GOOGLE_API_KEY or GEMINI_API_KEY');
  return createBrain({ config: { ...config.brain, url: 'embedded' }, metrics: createMetrics({ defaultMetrics: false }), logger: silentLogger(), readSourceFiles: false });
}

function builtinBrain(): Brain {
  return {
    diagnose: (request) => Promise.resolve(analyse(request, { readSourceFiles: false })),
    close: () => Promise.resolve(),
  };
}

const BRAINS: Record<string, () => Brain> = { builtin: builtinBrain, gemini: geminiBrain };

const UNDETECTED: Diagnosis = {
  category: 'unknown',
  summary: 'no incident',
  rootCause: '',
  evidence: [],
  location: null,
  fix: [],
  retryable: false,
  confidence: 0,
  engine: 'builtin',
  model: null,
  latencyMs: 0,
};

async function runThroughAgent(fixtures: Fixture[], brain: Brain): Promise<CaseResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-eval-'));
  const results: CaseResult[] = [];
  // The report has no latency: keep the engine's own figure for the first incident of each file.
  let latencies: number[] = [];
  const timed: Brain = {
    diagnose: async (request) => {
      const d = await brain.diagnose(request);
      latencies.push(d.latencyMs);
      return d;
    },
    close: () => brain.close(),
  };
  for (const [i, fixture] of fixtures.entries()) {
    const file = join(dir, `${i}.log`);
    writeFileSync(file, fixture.log);
    latencies = [];
    const [first] = await diagnoseFile(file, config, timed);
    const diagnosis: Diagnosis = first
      ? { ...UNDETECTED, category: first.category, summary: first.summary, rootCause: first.rootCause, location: first.location, fix: first.fix, retryable: first.retryable, confidence: first.confidence, engine: first.engine, model: first.model, latencyMs: latencies[0] ?? 0 }
      : UNDETECTED;
    results.push(judge(fixture, diagnosis));
  }
  return results;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engine: { type: 'string', default: 'builtin' },
      path: { type: 'string', default: 'request' },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const makeBrain = BRAINS[values.engine];
  if (!makeBrain || !['request', 'agent'].includes(values.path)) {
    console.error(`usage: eval [--engine ${Object.keys(BRAINS).join('|')}] [--path request|agent] [--dir DIR] [--json]`);
    process.exitCode = 2;
    return;
  }
  const brain = makeBrain();
  // dist/scripts/eval.js → <repo>/test/fixtures/failures
  const fixtures = loadCorpus(values.dir ?? fileURLToPath(new URL('../../test/fixtures/failures/', import.meta.url)));
  const engine: Engine = (request) => brain.diagnose(request);
  const results = values.path === 'agent' ? await runThroughAgent(fixtures, brain) : await runCorpus(fixtures, engine);
  await brain.close();
  const label = `${values.engine} (path: ${values.path})`;
  console.log(values.json ? JSON.stringify({ engine: values.engine, path: values.path, ...score(results) }) : formatReport(results, label));
  if (values.engine !== 'builtin' && !values.json) {
    // Side by side with the built-in analyser on the same cases: where each is right alone.
    const builtin = builtinBrain();
    const baseline = values.path === 'agent' ? await runThroughAgent(fixtures, builtin) : await runCorpus(fixtures, (request) => builtin.diagnose(request));
    console.log('\n' + compare(values.engine, results, baseline));
  }
}

function compare(engineName: string, results: readonly CaseResult[], baseline: readonly CaseResult[]): string {
  const rows: string[] = [`${engineName} vs builtin (same ${results.length} cases)`, 'measure     both right  only ' + engineName.padEnd(8) + ' only builtin  neither'];
  const measures: [string, (r: CaseResult) => boolean][] = [
    ['category', (r) => r.categoryOk],
    ['location', (r) => r.locationOk],
    ['retryable', (r) => r.retryableOk],
  ];
  for (const [name, ok] of measures) {
    let both = 0;
    let onlyEngine = 0;
    let onlyBuiltin = 0;
    let neither = 0;
    results.forEach((r, i) => {
      const b = baseline[i];
      const e = ok(r);
      const base = b !== undefined && ok(b);
      if (e && base) both++;
      else if (e) onlyEngine++;
      else if (base) onlyBuiltin++;
      else neither++;
    });
    rows.push(`${name.padEnd(11)} ${String(both).padStart(10)}  ${String(onlyEngine).padStart(13)}  ${String(onlyBuiltin).padStart(12)}  ${String(neither).padStart(7)}`);
  }
  return rows.join('\n');
}

await main();
