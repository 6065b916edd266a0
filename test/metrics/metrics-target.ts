// The loopback target the real Prometheus scrapes in prometheus-scrape.test.ts: the real
// `sentinel run` process following a log file of known content, and the counts it must report.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSentinel } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { freePort } from './prometheus-tools.js';

export interface MetricsTarget {
  /** host:port for a Prometheus static_config. */
  address: string;
  /** What sentinel_log_lines_total{source} must read once scraped. */
  expectedLines: Record<string, number>;
  /** What sum(sentinel_incidents_opened_total) must read. */
  expectedIncidents: number;
  describe: string;
  stop(): Promise<void>;
}

/** The real agent following one log file of known length. */
export async function startMetricsTarget(): Promise<MetricsTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-scrape-agent-'));
  const logs = join(dir, 'logs');
  await mkdir(logs);
  const lines = 25;
  const records = Array.from({ length: lines - 1 }, (_, i) => JSON.stringify({ ts: new Date(0).toISOString(), level: 'info', msg: `row batch ${i} done` }));
  // One failure among them: one incident.
  records.push(JSON.stringify({ ts: new Date(0).toISOString(), level: 'error', pipeline: 'etl', step: 'load', event: 'step_failed', msg: 'Step failed', error: { type: 'ConnectionError', message: 'connect ECONNREFUSED 127.0.0.1:5432' } }));
  await writeFile(join(logs, 'etl.log'), records.join('\n') + '\n');
  const port = await freePort();
  const config = join(dir, 'sentinel.yaml');
  await writeFile(
    config,
    [
      'sources:',
      '  - name: etl',
      `    paths: ["${logs}/*.log"]`,
      '    start_at: beginning',
      `state_dir: ${join(dir, 'state')}`,
      'server:',
      `  port: ${port}`,
      '  host: 127.0.0.1',
      '',
    ].join('\n'),
  );
  const agent = startSentinel(['run', '--config', config]);
  const base = `http://127.0.0.1:${port}`;
  try {
    const exitedEarly = agent.exited.then(({ code, signal }) => {
      throw new Error(`sentinel run exited (${code ?? signal}) before /readyz: ${(agent.stdout() + agent.stderr()).slice(-2000)}`);
    });
    exitedEarly.catch(() => undefined); // the race below reports it; after readiness, exiting is stop()'s business
    await Promise.race([
      waitFor('agent /readyz 200', async () => (await fetch(`${base}/readyz`)).ok, { timeoutMs: 15_000, intervalMs: 100 }, () => agent.stdout() + agent.stderr()),
      exitedEarly,
    ]);
  } catch (error) {
    agent.kill('SIGKILL');
    throw error;
  }
  return {
    address: `127.0.0.1:${port}`,
    expectedLines: { etl: lines },
    expectedIncidents: 1,
    describe: `sentinel run --config ${config}`,
    stop: async () => {
      agent.kill('SIGTERM');
      await agent.exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
