// A temp directory laid out for one agent: logs/, state/, and a sentinel.yaml written from parts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSentinel, type RunningProcess } from './sentinel-process.js';
import { waitFor } from './wait.js';

export interface Workspace {
  dir: string;
  logDir: string;
  logFile: string;
  stateDir: string;
  configFile: string;
  writeConfig(extraYaml?: string): void;
}

/** The lines every agent config of a workspace starts with: its one source, its state_dir, a free loopback port. */
export function workspaceBaseYaml(ws: Pick<Workspace, 'logDir' | 'stateDir'>): string[] {
  return ['sources:', '  - name: etl', `    paths: ["${ws.logDir}/*.log"]`, '    start_at: end', `state_dir: ${ws.stateDir}`, 'server: { port: 0, host: 127.0.0.1 }'];
}

/** Workspaces made by this test file; test/helpers/remove-workspaces.ts removes them after its last test. */
const workspaceDirs: string[] = [];

export function removeWorkspaces(): void {
  for (const dir of workspaceDirs.splice(0)) {
    // An agent killed a moment ago may still be writing its state: retry rather than leave the dir.
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Left in the temp dir; never a reason to fail the tests that used it.
    }
  }
}

/**
 * `brainYaml` and `extraYaml` are appended verbatim; Slack comes from ${SLACK_WEBHOOK_URL}. The
 * source follows `logs/<source.glob>` (default `*.log`), with `source.extra` lines added to it.
 */
export function createWorkspace(brainYaml = '  url: embedded', extraYaml = '', source: { glob?: string; extra?: string } = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-e2e-'));
  workspaceDirs.push(dir);
  const logDir = join(dir, 'logs');
  const stateDir = join(dir, 'state');
  mkdirSync(logDir);
  const configFile = join(dir, 'sentinel.yaml');
  const writeConfig = (extra = extraYaml): void =>
    writeFileSync(
      configFile,
      [
        'sources:',
        '  - name: etl',
        `    paths: ["${logDir}/${source.glob ?? '*.log'}"]`,
        '    start_at: end',
        ...(source.extra ? [source.extra] : []),
        `state_dir: ${stateDir}`,
        'server:',
        '  port: 0',
        '  host: 127.0.0.1',
        'notify:',
        '  slack:',
        '    webhook_url: ${SLACK_WEBHOOK_URL}',
        '  max_retry_delay_ms: 500',
        'brain:',
        brainYaml,
        extra,
        '',
      ].join('\n'),
    );
  writeConfig();
  return { dir, logDir, logFile: join(logDir, 'aio_pipeline.log'), stateDir, configFile, writeConfig };
}

// Generous: these tests are about what the agent does once started, on a machine that may be saturated
// (a restarted agent re-reads its state while CPU hogs run); start-up speed is bench/startup.ts's job.
const START_TIMEOUT_MS = 30_000;

/** The port the agent announced in its start-up log line (it listens on port 0). */
export async function agentPort(agent: RunningProcess): Promise<number> {
  const match = await agent.waitForOutput(/"port":(\d+)[^\n]*Sentinel agent started/, START_TIMEOUT_MS);
  return Number(match[1]);
}

/** Starts `sentinel run` on the workspace's config (added to `running`, for cleanup) and waits until /readyz is 200. */
export async function startReadyAgent(configFile: string, env: NodeJS.ProcessEnv, running: RunningProcess[]): Promise<{ agent: RunningProcess; port: number }> {
  const agent = startSentinel(['run', '--config', configFile], { env });
  running.push(agent);
  const port = await agentPort(agent);
  await waitFor('the agent to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, { timeoutMs: START_TIMEOUT_MS });
  return { agent, port };
}

/** `sentinel incidents --format json` on the workspace's config: one parsed row per incident (exit 0 asserted). */
export async function listIncidents<Row>(configFile: string, running: RunningProcess[]): Promise<Row[]> {
  const listing = startSentinel(['incidents', '--config', configFile, '--format', 'json']);
  running.push(listing);
  const { code } = await listing.exited;
  if (code !== 0) throw new Error(`sentinel incidents exited ${code}: ${listing.stderr().slice(-500)}`);
  return listing
    .stdout()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
}

export async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** The value of one exact series in a scrape (NaN when absent). */
export function metricValue(scrapeText: string, series: string): number {
  const line = scrapeText.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

/** Sum of every series of a metric whose labels contain `labelFilter` (e.g. 'outcome="ok"'). */
export function metricSum(scrapeText: string, name: string, labelFilter = ''): number {
  return scrapeText
    .split('\n')
    .filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '))
    .filter((l) => l.includes(labelFilter))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}
