// `npm run demo`: the demo pipeline fails beside an agent on the embedded defaults; the alert is
// printed (and posted to Slack when SLACK_WEBHOOK_URL is set). Exits 0 once it has been delivered.
// Everything it writes lives in one temp folder, removed on the way out.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDotenvFile } from '../src/cli/dotenv-file.js';
import { defaultConfig } from '../src/config/load-config.js';
import type { SentinelConfig } from '../src/config/config-types.js';
import { buildAgent } from '../src/agent/agent.js';
import { createLogger } from '../src/log.js';
import { SCENARIOS, type Scenario } from '../pipeline/aio-pipeline.js';

const DEADLINE_MS = 10_000;
const [scenario = 'division-by-zero', ...extra] = process.argv.slice(2);
const USAGE = `Usage: npm run demo [-- SCENARIO]\nScenarios: ${SCENARIOS.join(', ')} (default division-by-zero)`;
if (scenario === '--help' || scenario === '-h') {
  console.log(USAGE);
  process.exit(0);
}
if (!SCENARIOS.includes(scenario as Scenario) || extra.length > 0) {
  console.error(`demo: ${extra.length > 0 ? `one scenario at most (got ${[scenario, ...extra].join(' ')})` : `unknown scenario "${scenario}"`}\n${USAGE}`);
  process.exit(2);
}

loadDotenvFile('.env');
const workDir = mkdtempSync(join(tmpdir(), 'sentinel-demo-'));
const cleanUp = (): void => rmSync(workDir, { recursive: true, force: true });
// Ctrl-C mid-demo leaves nothing behind either.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}
const logDir = join(workDir, 'logs');
mkdirSync(logDir, { recursive: true });
const defaults = defaultConfig(process.env);
const config: SentinelConfig = {
  ...defaults,
  // The demo's own folders, so a run never picks up state from the last one.
  sources: defaults.sources.slice(0, 1).map((source) => ({ ...source, name: 'demo', paths: [join(logDir, '*.log')] })),
  state_dir: join(workDir, 'state'),
  server: { ...defaults.server, port: 0, host: '127.0.0.1' },
  notify: { ...defaults.notify, console: true },
};

const logger = createLogger({ level: process.env.SENTINEL_LOG_LEVEL ?? 'warn' });
const agent = buildAgent(config, { logger });
const { port } = await agent.start();
const engine = config.brain.gemini.api_key ? `Gemini (${config.brain.gemini.model})` : 'the built-in analyser';
const slack = config.notify.slack.length > 0 ? `and to Slack (${config.notify.slack.map((d) => d.name).join(', ')})` : '(set SLACK_WEBHOOK_URL to post to Slack too)';
console.log(`Sentinel is watching ${logDir} (metrics on http://127.0.0.1:${port}/metrics).`);
console.log(`Diagnosis by ${engine}; alerts go to this console ${slack}.\n`);

const started = Date.now();
const pipelineScript = fileURLToPath(new URL('../pipeline/aio-pipeline.js', import.meta.url));
console.log(`Running the demo pipeline aio_pipeline (scenario ${scenario})…`);
const pipeline = spawn(process.execPath, ['--enable-source-maps', pipelineScript, '--log-file', join(logDir, 'aio_pipeline.log'), '--scenario', scenario], { stdio: 'inherit' });
const pipelineExit = new Promise<number | null>((resolve) => pipeline.once('exit', resolve));

async function delivered(): Promise<boolean> {
  const sent = await agent.metrics.alertsSent.get();
  const ok = sent.values.filter((v) => v.labels.outcome === 'ok').reduce((sum, v) => sum + v.value, 0);
  const depth = await agent.metrics.outboxDepth.get();
  return ok > 0 && depth.values.every((v) => v.value === 0);
}

let exitCode = 1;
while (Date.now() - started < DEADLINE_MS) {
  if (await delivered()) {
    exitCode = 0;
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 25));
}
const code = await pipelineExit;
await agent.stop(2_000);
cleanUp();
if (exitCode === 0) {
  console.log(`\nThe pipeline exited with code ${code}; Sentinel delivered its alert ${Date.now() - started} ms after the run started.`);
} else {
  console.error(`\nNo alert was delivered within ${DEADLINE_MS / 1000} s (pipeline exit code ${code}). Run with SENTINEL_LOG_LEVEL=debug to see why.`);
}
process.exit(exitCode);
