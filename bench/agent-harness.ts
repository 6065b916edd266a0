// The real agent for benchmarks: embedded defaults, following `<tmp>/logs/*.log`, its alerts posted
// to a loopback server answering like a Slack Incoming Webhook (each arrival time recorded).
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../src/config/load-config.js';
import type { IncidentsConfig } from '../src/config/config-types.js';
import { buildAgent, type Agent } from '../src/agent/agent.js';

export interface BenchAgent {
  agent: Agent;
  logDir: string;
  /** performance.now() of each webhook POST received, in order. */
  arrivals: number[];
  close(): Promise<void>;
}

export async function startBenchAgent(name: string, incidents: Partial<IncidentsConfig> = {}): Promise<BenchAgent> {
  const arrivals: number[] = [];
  const slack = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(performance.now());
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), `sentinel-${name}-`));
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  const defaults = defaultConfig({});
  const agent = buildAgent({
    ...defaults,
    sources: defaults.sources.slice(0, 1).map((s) => ({ ...s, paths: [join(logDir, '*.log')] })),
    state_dir: join(dir, 'state'),
    server: { port: 0, host: '127.0.0.1' },
    incidents: { ...defaults.incidents, ...incidents },
    // rate_per_sec raised so Slack's one-per-second pacing does not hide the agent's own figures.
    notify: {
      ...defaults.notify,
      console: false,
      slack: [{ name, webhook_url: `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/${name}`, rate_per_sec: 1000 }],
    },
  });
  await agent.start();
  return {
    agent,
    logDir,
    arrivals,
    async close() {
      await agent.stop(5_000);
      slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
