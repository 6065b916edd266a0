// The demo pipeline `aio_pipeline`: extract_data → transform_data → load_data, writing JSON-lines logs.
// It runs as its own process, like a real pipeline beside the agent, and is the fixture factory for
// tests: each scenario fails the way real pipelines do.
//
//   node dist/pipeline/aio-pipeline.js --log-file logs/aio_pipeline.log [--scenario NAME]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createRunLogger, type RunLogger } from './run-logger.js';
import { extractData } from './steps/extract-data.js';
import { transformData } from './steps/transform-data.js';
import { loadData } from './steps/load-data.js';

export const SCENARIOS = ['division-by-zero', 'missing-input', 'connection-refused', 'missing-column', 'timeout', 'success'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export class StepTimeoutError extends Error {
  constructor(step: string, timeoutMs: number) {
    super(`step ${step} exceeded its ${timeoutMs} ms timeout`);
    this.name = 'StepTimeoutError';
  }
}

const HELP = `Usage: aio-pipeline --log-file FILE [--scenario NAME] [--run-id ID] [--step-delay-ms N] [--step-timeout-ms N]
Scenarios: ${SCENARIOS.join(', ')} (default division-by-zero)`;

/** Writes the input CSV the scenario needs and returns its path. */
function prepareInput(scenario: Scenario, workDir: string): string {
  const file = join(workDir, 'orders.csv');
  if (scenario === 'missing-input') return file;
  const header = scenario === 'missing-column' ? 'order_id,amount,currency' : 'order_id,amount_cents,currency';
  // In the default scenario the feed writes currencies upper-case and transform_data's case-sensitive
  // filter on 'usd' (the hidden bug) keeps no row; the other scenarios get a feed that happens to match.
  const currency = scenario === 'division-by-zero' ? 'USD' : 'usd';
  const rows = Array.from({ length: 5 }, (_, i) => `o-${1000 + i},${(i + 1) * 1250},${currency}`);
  writeFileSync(file, [header, ...rows].join('\n') + '\n');
  return file;
}

/** A TCP port with nothing listening on it: bind, read the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address && typeof address === 'object') return address.port;
  throw new Error('could not find a free port');
}

async function runStep<T>(log: RunLogger, step: string, timeoutMs: number, body: () => Promise<T> | T): Promise<T> {
  log.info('step_started', `Started execution of step "${step}".`, { step });
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeoutError(step, timeoutMs)), timeoutMs);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(body), deadline]);
    log.info('step_succeeded', `Finished execution of step "${step}" in ${Date.now() - started} ms.`, { step, duration_ms: Date.now() - started });
    return result;
  } catch (error) {
    log.error('step_failed', `Execution of step "${step}" failed.`, error, { step, duration_ms: Date.now() - started });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface PipelineOptions {
  logFile: string;
  scenario: Scenario;
  runId: string;
  stepDelayMs: number;
  stepTimeoutMs: number;
}

export async function runPipeline(options: PipelineOptions): Promise<boolean> {
  const log = createRunLogger(options.logFile, { pipeline: 'aio_pipeline', runId: options.runId });
  const workDir = mkdtempSync(join(tmpdir(), 'aio-pipeline-'));
  log.info('run_started', `Started run of pipeline "aio_pipeline" (scenario ${options.scenario}).`, { scenario: options.scenario });
  try {
    const inputFile = prepareInput(options.scenario, workDir);
    const rows = await runStep(log, 'extract_data', options.stepTimeoutMs, () => extractData(inputFile));
    await sleep(options.stepDelayMs);
    const result = await runStep(log, 'transform_data', options.stepTimeoutMs, () => transformData(rows));
    await sleep(options.stepDelayMs);
    const warehouse = options.scenario === 'connection-refused' ? { host: '127.0.0.1', port: await closedPort() } : null;
    await runStep(log, 'load_data', options.stepTimeoutMs, async () => {
      if (options.scenario === 'timeout') await sleep(options.stepTimeoutMs + 1000);
      return loadData(JSON.stringify({ rows: result.rows, average_cents: result.averageCents.toString() }), warehouse);
    });
    log.info('run_succeeded', 'Finished run of pipeline "aio_pipeline".');
    return true;
  } catch {
    log.info('run_failed', 'Run of pipeline "aio_pipeline" failed.');
    return false;
  } finally {
    // The input it made for itself; the log it wrote is the caller's.
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'log-file': { type: 'string', default: 'logs/aio_pipeline.log' },
      scenario: { type: 'string', default: 'division-by-zero' },
      'run-id': { type: 'string' },
      'step-delay-ms': { type: 'string', default: '100' },
      'step-timeout-ms': { type: 'string', default: '2000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const scenario = values.scenario as Scenario;
  if (!SCENARIOS.includes(scenario)) {
    console.error(`unknown scenario "${values.scenario}"\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  const ok = await runPipeline({
    logFile: values['log-file'],
    scenario,
    runId: values['run-id'] ?? randomUUID(),
    stepDelayMs: Number(values['step-delay-ms']),
    stepTimeoutMs: Number(values['step-timeout-ms']),
  });
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
