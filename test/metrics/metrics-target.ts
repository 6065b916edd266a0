// The loopback target the real Prometheus scrapes in prometheus-scrape.test.ts, and the counts it
// should then report. Two implementations of one contract:
//   - startRegistryTarget: the agent's HTTP server (buildAgentServer) over the agent's metric catalogue
//     (createMetrics), with counters moved to known values. Works today.
//   - startAgentTarget: the real `sentinel run` process following a log file of known length.
// TODO(lead): once the agent runs end to end, make startAgentTarget the default in startMetricsTarget
// (or run the test with SENTINEL_SCRAPE_TARGET=agent until then).
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics, initNotifierSeries, initRuleSeries, initSourceSeries } from '../../src/metrics/metrics.js';
import { buildAgentServer } from '../../src/server/agent-server.js';
import { startSentinel } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { freePort } from './prometheus-tools.js';

export interface MetricsTarget {
  /** host:port for a Prometheus static_config. */
  address: string;
  /** What sentinel_log_lines_total{source} must read once scraped. */
  expectedLines: Record<string, number>;
  describe: string;
  stop(): Promise<void>;
}

export function startMetricsTarget(): Promise<MetricsTarget> {
  // TODO(lead): default to 'agent' once `sentinel run` works.
  return process.env.SENTINEL_SCRAPE_TARGET === 'agent' ? startAgentTarget() : startRegistryTarget();
}

export async function startRegistryTarget(): Promise<MetricsTarget> {
  const metrics = createMetrics();
  const expectedLines = { etl: 42, billing: 7 };
  for (const [source, lines] of Object.entries(expectedLines)) {
    initSourceSeries(metrics, source);
    metrics.logLines.labels({ source }).inc(lines);
    metrics.logBytes.labels({ source }).inc(lines * 120);
  }
  initNotifierSeries(metrics, 'slack');
  initRuleSeries(metrics, [
    { id: 'step-failed', severity: 'critical' },
    { id: 'python-traceback', severity: 'error' },
  ]);
  metrics.ruleMatches.labels({ rule: 'step-failed', severity: 'critical' }).inc(3);
  metrics.incidentsOpened.labels({ rule: 'step-failed', severity: 'critical' }).inc();
  metrics.alertsSent.labels({ notifier: 'slack', outcome: 'ok' }).inc();
  metrics.diagnosisDuration.labels({ engine: 'builtin' }).observe(0.012);
  metrics.detectionLatency.observe(0.004);
  metrics.tailLagBytes.labels({ source: 'etl' }).set(0);

  const app = buildAgentServer({ registry: metrics.registry, readiness: () => [{ name: 'config', ok: true }] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('agent server did not bind');
  return {
    address: `127.0.0.1:${address.port}`,
    expectedLines,
    describe: 'buildAgentServer over createMetrics()',
    stop: () => app.close(),
  };
}

/** The real agent following one log file of known length. */
export async function startAgentTarget(): Promise<MetricsTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-scrape-agent-'));
  const logs = join(dir, 'logs');
  await mkdir(logs);
  const lines = 25;
  const records = Array.from({ length: lines }, (_, i) => JSON.stringify({ ts: new Date(0).toISOString(), level: 'info', msg: `row batch ${i} done` }));
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
    describe: `sentinel run --config ${config}`,
    stop: async () => {
      agent.kill('SIGTERM');
      await agent.exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
