// Runs Debian's `promtool` and `prometheus` for the metrics tests. A missing tool is a failure with
// the install command, never a skip: CI installs them (.ci/run), and a green run without them proves nothing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/wait.js';

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Throws a clear error when `tool` is not on PATH (Debian's `prometheus` package puts both in /usr/bin). */
export function requireTool(tool: 'promtool' | 'prometheus'): void {
  const probe = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`'${tool}' is required but not runnable (${probe.error?.message ?? `exit ${probe.status}`}): apt-get install prometheus`);
  }
}

/** Runs a tool to completion, feeding `input` on stdin. */
export function runTool(tool: string, args: string[], input?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** A port nothing listens on right now (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address && typeof address === 'object') return address.port;
  throw new Error('could not find a free port');
}

export interface PromQueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PromResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: PromQueryResult[] };
}

export interface PrometheusServer {
  url: string;
  /** An instant query through the HTTP API; resolves with the API's answer, errors included. */
  query(promql: string): Promise<PromResponse>;
  output(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** host:port targets of one scrape job. */
  targets: string[];
  job: string;
  scrapeIntervalSeconds: number;
  /** Rule files (absolute paths) loaded by the server. */
  ruleFiles?: string[];
}

/** Starts a real Prometheus server on a free loopback port and resolves once it reports ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  requireTool('prometheus');
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  const interval = `${options.scrapeIntervalSeconds}s`;
  await writeFile(
    configFile,
    JSON.stringify({
      global: { scrape_interval: interval, evaluation_interval: interval },
      rule_files: options.ruleFiles ?? [],
      scrape_configs: [{ job_name: options.job, scrape_interval: interval, scrape_timeout: interval, static_configs: [{ targets: options.targets }] }],
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      timer.unref();
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(
      'Prometheus /-/ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}`);
        const response = await fetch(`${url}/-/ready`);
        return response.ok;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
      () => output.slice(-1500),
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    output: () => output,
    query: async (promql) => {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return (await response.json()) as PromResponse;
    },
    stop,
  };
}
