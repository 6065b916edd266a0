// `npm run eval [-- --engine builtin] [--dir test/fixtures/failures] [--json]`: runs a diagnosis engine
// over the labelled failure corpus and prints detection, category, location and retryable accuracy,
// per stack and overall. See src/brain/analyser/evaluate.ts for how each log becomes a request.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyse } from '../src/brain/analyser/analyse.js';
import { formatReport, loadCorpus, runCorpus, score, type Engine } from '../src/brain/analyser/evaluate.js';

/** Engines by name. Another engine (Gemini) plugs in here as `(request) => Promise<Diagnosis>`. */
const ENGINES: Record<string, () => Engine> = {
  builtin: () => (request) => Promise.resolve(analyse(request, { readSourceFiles: false })),
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engine: { type: 'string', default: 'builtin' },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const engineName = values.engine;
  const makeEngine = ENGINES[engineName];
  if (!makeEngine) {
    console.error(`unknown engine "${engineName}" (available: ${Object.keys(ENGINES).join(', ')})`);
    process.exitCode = 2;
    return;
  }
  // dist/scripts/eval.js → <repo>/test/fixtures/failures
  const dir = values.dir ?? fileURLToPath(new URL('../../test/fixtures/failures/', import.meta.url));
  const results = await runCorpus(loadCorpus(dir), makeEngine());
  if (values.json) {
    console.log(JSON.stringify({ engine: engineName, ...score(results) }));
    return;
  }
  console.log(formatReport(results, engineName));
}

await main();
