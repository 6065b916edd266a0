// Issue 13's "done when", through 20 real agent processes, a real redis-server, a loopback Slack and
// the Gemini stand-in: the same failure on all 20 within a second gives exactly one Slack message
// within 2 s of the first line, naming the 20 members and the fleet-wide count, and one LLM call.
// A `.serial` file: it runs alone after the suite, so the latency is Sentinel's own.
import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGemini } from '../helpers/fake-gemini.js';
import { startFakeSlack } from '../helpers/fake-slack.js';
import type { RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { startRedis } from '../helpers/redis-server.js';
import { startFleet } from '../helpers/fleet-agents.js';
import { stepFailedLine } from '../helpers/step-failed-line.js';

const running: RunningProcess[] = [];
const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const c of closers.splice(0)) await c.close();
});

/** A Deployment's pod name: ReplicaSet hash and a 5-character suffix from Kubernetes' alphabet. */
const podName = (n: number): string => `etl-load-7d9f8b6c5d-b${'2456789'[n % 7]}x${'bcdfghjklmnpqrstvwxz'[n % 20]}q`;

describe('fleet mode at 20 agents', () => {
  it('one failure on 20 agents within 1 s: exactly one Slack message within 2 s, 20 members, one LLM call', { timeout: 240_000 }, async () => {
    const slack = await startFakeSlack();
    const gemini = await startFakeGemini();
    const redis = await startRedis();
    closers.push(slack, gemini, redis);
    const brainYaml = ['  url: embedded', '  gemini:', '    api_key: fake-key-for-tests', `    base_url: ${gemini.url}`].join('\n');
    const fleet = await startFleet({ size: 20, redisUrl: redis.url, slackUrl: slack.webhookUrl(), keyPrefix: 'twenty:', brainYaml }, running);

    // Each agent's first failure loads what an idle agent leaves unloaded (the analyser, the brain's
    // client) and wakes V8's optimizers: ~0.2-0.3 s of CPU per agent, which 20 agents here pay on 2
    // shared cores at once, where 20 pods would each pay it on their own. One earlier failure on
    // every agent pays it first, so that what is timed below is the fleet's own path.
    for (const agent of fleet) appendFileSync(agent.ws.logFile, stepFailedLine('warm_up', 'an earlier failure'));
    await waitFor('the warm-up alert', () => slack.messages.some((m) => m.raw.includes('warm_up')), { timeoutMs: 20_000, intervalMs: 5 });
    // Cold and all at once on 2 cores, a Redis call may time out (the agent then decides alone, as
    // designed) or a claimer be too slow for the others (one of them takes over): any outcome settles it.
    const settledWarmUp = /Fleet: (this agent announces|announced by another member|the member that claimed the incident did not announce it in time)|Fleet state \(Redis\) unreachable: deciding alone/;
    await waitFor('every agent to settle the warm-up', () => fleet.every((a) => settledWarmUp.test(a.agent.stdout())), { timeoutMs: 30_000 });
    // …and let each agent's quiet-time collection after that busy spell pass (checked every 2 s).
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const warmUpOutput = fleet.map((a) => a.agent.stdout().length);

    const llmCallsBefore = gemini.requests.length;
    const first = Date.now();
    for (const [n, agent] of fleet.entries()) {
      // Spread over about half a second, each pod with its own run id and pod name in the message.
      await waitFor('the next append slot', () => Date.now() >= first + n * 25, { timeoutMs: 2_000, intervalMs: 1 });
      appendFileSync(agent.ws.logFile, stepFailedLine('load_orders', `upstream table is unavailable on ${podName(n)} (run_id=r-${n})`));
    }
    const message = await waitFor('the fleet alert', () => slack.messages.find((m) => m.raw.includes('load_orders')), { timeoutMs: 20_000, intervalMs: 5 });
    const latency = message.at - first;
    await waitFor(
      'every agent to announce or leave the incident to the fleet',
      () => fleet.every((a, n) => /Fleet: (this agent announces|announced by another member)/.test(a.agent.stdout().slice(warmUpOutput[n]))),
      { timeoutMs: 30_000 },
    );
    console.log(`20 agents: first line → the one Slack message ${latency} ms`);
    expect(slack.messages.filter((m) => m.raw.includes('load_orders'))).toHaveLength(1);
    expect(message.raw).toContain('20 members');
    for (const a of fleet) expect(message.raw).toContain(a.member);
    expect(message.raw).toMatch(/\*Occurrences\*\\n20 \(/);
    expect(gemini.requests.length - llmCallsBefore).toBe(1);
    expect(latency).toBeLessThan(2_000);
  });
});
