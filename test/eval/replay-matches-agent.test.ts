// The eval's replay is only honest if it says what the running agent says. The same logs go through
// the real agent (buildAgent following a temp directory, the file written as a pipeline writes its
// failure report) and through scripts/eval/live-replay.ts: the alert's summary and location must be
// the ones the eval judged.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildAgent } from '../../src/agent/agent.js';
import { createBrain } from '../../src/brain/brain.js';
import { defaultConfig } from '../../src/config/load-config.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { silentLogger } from '../../src/log.js';
import { replayLive } from '../../scripts/eval/live-replay.js';
import { waitFor } from '../helpers/wait.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/failures/${name}`, import.meta.url)), 'utf8');

/** The console alert the real agent prints for `log`, written to a followed file in one go. */
async function agentAlert(log: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-replay-eq-'));
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  let printed = '';
  const consoleOut = new Writable({
    write(chunk: Buffer, _encoding, done) {
      printed += chunk.toString();
      done();
    },
  });
  const defaults = defaultConfig({});
  const agent = buildAgent(
    {
      ...defaults,
      sources: defaults.sources.slice(0, 1).map((s) => ({ ...s, paths: [join(logDir, '*.log')] })),
      state_dir: join(dir, 'state'),
      server: { port: 0, host: '127.0.0.1' },
      notify: { ...defaults.notify, console: true, slack: [] },
    },
    { consoleOut },
  );
  try {
    await agent.start();
    writeFileSync(join(logDir, 'run.log'), log);
    return await waitFor('the agent to print its alert', () => (printed.includes('Summary:') ? printed : undefined), { timeoutMs: 15_000 }, () => printed);
  } finally {
    await agent.stop(2_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the eval replay matches the running agent', () => {
  // A Dagster step failure with its cause printed below, a Spark driver trace, a Node JSON-lines
  // run, a Python traceback, an Airflow task log that shells out to dbt.
  const logs = ['dagster/asset-keyerror-column.log', 'spark/cannot-up-cast.log', 'node/aio-pipeline-connection-refused.log', 'python/arrow-invalid-conversion.log', 'airflow/bash-dbt-missing-column.log'];
  it.each(logs)('%s: same summary and location', async (name) => {
    const log = fixture(name);
    const config = defaultConfig({});
    const brain = createBrain({ config: config.brain, metrics: createMetrics({ defaultMetrics: false }), logger: silentLogger(), readSourceFiles: false, cacheSize: 0 });
    const replayed = (await replayLive(log, config, brain)).announced[0]?.diagnosis;
    await brain.close();
    expect(replayed, 'the replay announced nothing').toBeDefined();
    const alert = await agentAlert(log);
    expect(alert).toContain(`Summary:    ${replayed?.summary ?? ''}`);
    const where = replayed?.location;
    if (where) expect(alert).toContain(`Where:      ${where.file}${where.line != null ? `:${where.line}` : ''}`);
    else expect(alert).not.toContain('Where:');
  });
});
