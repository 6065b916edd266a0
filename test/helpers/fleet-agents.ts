// A fleet of real agent processes for tests: each its own workspace (logs/, state/, sentinel.yaml)
// and member name, all sharing one Redis and one loopback Slack.
import { appendFileSync } from 'node:fs';
import { createWorkspace, type Workspace } from './agent-workspace.js';
import { startSentinel, type RunningProcess } from './sentinel-process.js';
import { waitFor } from './wait.js';

export interface FleetAgent {
  member: string;
  ws: Workspace;
  agent: RunningProcess;
  port: number;
}

export interface FleetOptions {
  size: number;
  redisUrl: string;
  slackUrl: string;
  keyPrefix: string;
  /** More YAML under the workspace's config (incidents:, …). */
  extraYaml?: string;
  brainYaml?: string;
  env?: NodeJS.ProcessEnv;
}

export const memberName = (n: number): string => `etl-worker-${String(n).padStart(2, '0')}`;

/** Starts `size` agents at once and waits until each one is ready. */
export async function startFleet(options: FleetOptions, running: RunningProcess[]): Promise<FleetAgent[]> {
  return Promise.all(
    Array.from({ length: options.size }, async (_x, n) => {
      const member = memberName(n);
      // timeout_ms well above the 250 ms default: on a saturated 2-core test machine a slow answer would
      // (rightly) make an agent decide alone, which these tests are not about; Redis down still fails fast.
      const fleetYaml = ['fleet:', '  redis_url: ${REDIS_URL}', `  member: ${member}`, `  key_prefix: "${options.keyPrefix}"`, '  timeout_ms: 2000'].join('\n');
      const ws = createWorkspace(options.brainYaml ?? '  url: embedded', [fleetYaml, options.extraYaml ?? ''].join('\n'));
      const env = { SLACK_WEBHOOK_URL: options.slackUrl, REDIS_URL: options.redisUrl, ...options.env };
      const agent = startSentinel(['run', '--config', ws.configFile], { env });
      running.push(agent);
      // Many Node processes starting at once on two cores: each may take several seconds.
      const port = Number((await agent.waitForOutput(/"port":(\d+)[^\n]*Sentinel agent started/, 60_000))[1]);
      await waitFor(`${member} to be ready`, async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, { timeoutMs: 30_000 });
      return { member, ws, agent, port };
    }),
  );
}

/** Appends the same text to every agent's log, in member order, as fast as it can. */
export function appendToAll(fleet: FleetAgent[], text: string): void {
  for (const a of fleet) appendFileSync(a.ws.logFile, text);
}
