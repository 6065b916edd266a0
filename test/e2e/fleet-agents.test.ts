// Issue 13 through real agent processes, a real redis-server and a loopback Slack: many agents that
// see the same failure post one message for the fleet, naming the fleet-wide count and its members;
// with Redis killed, every agent still alerts on its own, nothing crashes, and the recovery is logged.
import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import type { RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { metricSum, scrape } from '../helpers/agent-workspace.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { appendToAll, startFleet, type FleetAgent } from '../helpers/fleet-agents.js';
import { stepFailedLine } from '../helpers/step-failed-line.js';

const running: RunningProcess[] = [];
const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const c of closers.splice(0)) await c.close();
});

async function setUp(): Promise<{ slack: FakeSlack; redis: RedisServer }> {
  const slack = await startFakeSlack();
  const redis = await startRedis();
  closers.push(slack, redis);
  return { slack, redis };
}

const count = (output: string, pattern: RegExp): number => output.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
const logOf = (a: FleetAgent): string => a.agent.stdout() + a.agent.stderr();

/** Every agent has decided about the failure: one announced it, the others left it to the fleet. */
async function everyAgentDecided(fleet: FleetAgent[], before: Map<FleetAgent, number> = new Map()): Promise<void> {
  await waitFor(
    'every agent to announce or leave the incident to the fleet',
    () => fleet.every((a) => count(logOf(a), /Fleet: (this agent announces|announced by another member)/) > (before.get(a) ?? 0)),
    { timeoutMs: 20_000 },
    () => fleet.map((a) => `${a.member}: ${count(logOf(a), /Fleet: /)}`).join(', '),
  );
}

describe('fleet mode: agents', () => {
  it('six agents, one failure on each pod (its own pod name, run id, temp dir): one Slack message naming the count and every member', { timeout: 120_000 }, async () => {
    const { slack, redis } = await setUp();
    const fleet = await startFleet({ size: 6, redisUrl: redis.url, slackUrl: slack.webhookUrl(), keyPrefix: 'e2e-one:' }, running);
    // What each pod of one Deployment logs for the same failure differs in its pod name, run id and temp dir.
    for (const [n, a] of fleet.entries()) {
      const pod = `etl-load-7d9f8b6c5d-${['x7k2p', 'b4wz9', 'q2x7z', 'm9n8v', 'z2z4k', 'p5r6s'][n]}`;
      const line = stepFailedLine('load_orders', `cannot write /tmp/tmp${n}k3j_x9/part.parquet on ${pod} (run_id=manual-${n})`).replace('"r-1"', `"r-${n}"`);
      appendFileSync(a.ws.logFile, line);
    }
    await everyAgentDecided(fleet);
    const alerts = await waitFor('the fleet alert', () => {
      const found = slack.messages.filter((m) => m.raw.includes('load_orders'));
      return found.length > 0 ? found : undefined;
    });
    const announcer = fleet.filter((a) => /Fleet: this agent announces/.test(logOf(a)));
    expect(announcer).toHaveLength(1);
    expect(alerts).toHaveLength(1);
    const raw = alerts[0]!.raw;
    expect(raw).toContain('6 members');
    for (const a of fleet) expect(raw).toContain(a.member);
    expect(raw).toMatch(/\*Occurrences\*\\n6 \(/);
    // Every agent has decided (above) and only the announcer posts: no second message can follow.
    for (const a of fleet) {
      const text = await scrape(a.port);
      expect(metricSum(text, 'sentinel_fleet_errors_total')).toBe(0);
    }
    expect(slack.messages.filter((m) => m.raw.includes('load_orders'))).toHaveLength(1);
  });

  it('Redis killed mid-run: every agent alerts on its own, nothing crashes, the outage is logged once and the recovery too', { timeout: 120_000 }, async () => {
    const { slack, redis } = await setUp();
    const fleet = await startFleet({ size: 4, redisUrl: redis.url, slackUrl: slack.webhookUrl(), keyPrefix: 'e2e-outage:' }, running);
    appendToAll(fleet, stepFailedLine('before_outage'));
    await everyAgentDecided(fleet);
    await waitFor('the shared alert', () => slack.messages.some((m) => m.raw.includes('before_outage')));

    await redis.kill();
    const killedAt = Date.now();
    appendToAll(fleet, stepFailedLine('during_outage'));
    const alone = await waitFor(
      'an alert from every agent',
      () => {
        const found = slack.messages.filter((m) => m.raw.includes('during_outage'));
        return found.length >= fleet.length ? found : undefined;
      },
      { timeoutMs: 20_000 },
      () => `${slack.messages.filter((m) => m.raw.includes('during_outage')).length} alerts`,
    );
    for (const a of fleet) expect(alone.some((m) => m.raw.includes(a.member))).toBe(true);
    expect(alone[0]!.raw).toContain('fleet state unreachable');
    for (const a of fleet) {
      const ready = await fetch(`http://127.0.0.1:${a.port}/readyz`);
      expect(ready.status).toBe(200);
      expect(JSON.stringify(await ready.json())).toMatch(/"name":"fleet","ok":true,"detail":"[^"]*unreachable/);
      expect(metricSum(await scrape(a.port), 'sentinel_fleet_errors_total')).toBeGreaterThan(0);
    }
    // Redis stays down about ten seconds: the agents keep retrying quietly (one error line per outage).
    await waitFor('ten seconds of outage', () => Date.now() - killedAt >= 10_000, { timeoutMs: 15_000, intervalMs: 200 });
    await redis.restart();
    for (const a of fleet) await a.agent.waitForOutput(/Fleet state \(Redis\) reachable again/, 15_000);
    for (const a of fleet) {
      expect(count(logOf(a), /Fleet state \(Redis\) unreachable/)).toBe(1);
      expect(a.agent.child.exitCode).toBeNull();
    }

    const before = new Map(fleet.map((a) => [a, count(logOf(a), /Fleet: (this agent announces|announced by another member)/)]));
    appendToAll(fleet, stepFailedLine('after_outage'));
    await everyAgentDecided(fleet, before);
    await waitFor('the shared alert after recovery', () => slack.messages.some((m) => m.raw.includes('after_outage')));
    expect(slack.messages.filter((m) => m.raw.includes('after_outage'))).toHaveLength(1);
    expect(slack.messages.filter((m) => m.raw.includes('before_outage'))).toHaveLength(1);
  });
});
