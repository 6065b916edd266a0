// Starts Debian's real `prometheus-alertmanager` for the tests: one alone (no clustering, notifies
// at once), or an HA cluster of several on loopback gossiping through `--cluster.*`, all routing to
// one webhook receiver. A missing binary fails with the install command, never skips.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../metrics/prometheus-tools.js';
import { waitFor } from './wait.js';

export const ALERTMANAGER_BIN = 'prometheus-alertmanager';

/** An alert as `GET /api/v2/alerts` returns it. */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  status: { state: string };
}

export interface AlertmanagerServer {
  url: string;
  /** Alerts Alertmanager holds as active (resolved ones are not listed). */
  alerts(): Promise<GettableAlert[]>;
  /** The value of one unlabelled or exactly-labelled series of its /metrics (0 when absent). */
  metric(series: string): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

export function requireAlertmanager(): void {
  const probe = spawnSync(ALERTMANAGER_BIN, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`'${ALERTMANAGER_BIN}' is required but not runnable (${probe.error?.message ?? `exit ${probe.status}`}): apt-get install prometheus-alertmanager`);
  }
}

/** A route that notifies quickly (tests wait on it) and never repeats within a test. */
function configFor(webhookUrl: string): string {
  return JSON.stringify({
    route: { receiver: 'hook', group_by: ['alertname', 'fingerprint'], group_wait: '1s', group_interval: '2s', repeat_interval: '1h' },
    receivers: [{ name: 'hook', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
  });
}

async function startOne(dir: string, configFile: string, cluster: { listen: string; peers: string[] } | null): Promise<AlertmanagerServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [`--config.file=${configFile}`, `--storage.path=${join(dir, `data-${port}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=info'];
  if (cluster) {
    // Short timeouts so a test cluster settles and deduplicates in seconds, not Alertmanager's minute.
    args.push(`--cluster.listen-address=${cluster.listen}`, ...cluster.peers.map((p) => `--cluster.peer=${p}`));
    args.push('--cluster.peer-timeout=2s', '--cluster.settle-timeout=2s', '--cluster.gossip-interval=100ms', '--cluster.pushpull-interval=2s');
  } else {
    args.push('--cluster.listen-address=');
  }
  const child: ChildProcess = spawn(ALERTMANAGER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    // SIGKILL: a graceful stop waits seconds for a gossip "leave" nobody needs in a test.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  await waitFor(
    `Alertmanager ${url} ready`,
    async () => {
      if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}`);
      return (await fetch(`${url}/-/ready`)).ok;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
    () => output.slice(-1500),
  ).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return {
    url,
    alerts: async () => (await (await fetch(`${url}/api/v2/alerts`)).json()) as GettableAlert[],
    async metric(series) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    },
    output: () => output,
    stop,
  };
}

export interface AlertmanagerCluster {
  peers: AlertmanagerServer[];
  urls: string[];
  stop(): Promise<void>;
}

/**
 * `size` Alertmanagers (1: no clustering) notifying `webhookUrl`. Ports are picked free, then bound by
 * Alertmanager a moment later; when another process (a parallel test) took one meanwhile, the
 * cluster is started again on fresh ports rather than failing the test on a race it does not test.
 */
export async function startAlertmanagers(size: number, webhookUrl: string): Promise<AlertmanagerCluster> {
  requireAlertmanager();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCluster(size, webhookUrl);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test(String(err))) throw err;
    }
  }
}

async function startCluster(size: number, webhookUrl: string): Promise<AlertmanagerCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, configFor(webhookUrl));
  const gossip = size > 1 ? await Promise.all(Array.from({ length: size }, async () => `127.0.0.1:${await freePort()}`)) : [];
  const peers: AlertmanagerServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(peers.map((p) => p.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let n = 0; n < size; n++) {
      const cluster = size > 1 ? { listen: gossip[n]!, peers: gossip.filter((_, k) => k !== n) } : null;
      peers.push(await startOne(dir, configFile, cluster));
    }
    if (size > 1) {
      await waitFor('every peer to see the whole cluster', async () => (await Promise.all(peers.map((p) => p.metric('alertmanager_cluster_members')))).every((n) => n === size), {
        timeoutMs: 15_000,
        intervalMs: 100,
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { peers, urls: peers.map((p) => p.url), stop };
}
