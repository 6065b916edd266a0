// Issue 16 through the real agent and a loopback Slack: distinct failures arriving no faster than
// Slack takes messages are each alerted at once, with their diagnosis. A `.serial` file: it runs
// alone, after the rest of the suite, so its latencies are Sentinel's and not a busy neighbour's.
import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import type { RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { createWorkspace, startReadyAgent } from '../helpers/agent-workspace.js';
import { failureLine, stepName } from '../helpers/distinct-failures.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;

const running: RunningProcess[] = [];
const servers: FakeSlack[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});

describe('alert latency', () => {
  it('alerts 10 distinct failures 1.2 s apart each at once, with its diagnosis', async () => {
    // The defaults: each record carries its whole traceback, so the agent does not wait for the
    // lines after it (incidents.lines_after applies to records that do not explain themselves).
    const slack = await startFakeSlack();
    servers.push(slack);
    const ws = createWorkspace('  url: embedded');
    await startReadyAgent(ws.configFile, { SLACK_WEBHOOK_URL: slack.webhookUrl() }, running);
    // One failure first, out of the count: the first alert of a process pays for loading the
    // analyser and opening the connection to Slack (start-up is measured by bench:startup).
    appendFileSync(ws.logFile, failureLine('warm_up_step'));
    await waitFor('the warm-up alert', () => slack.messages.some((m) => m.raw.includes('warm_up_step')), { timeoutMs: 10_000 });
    await sleep(1_200);
    const latencies: number[] = [];
    for (let n = 0; n < 10; n++) {
      const step = stepName(n);
      const written = Date.now();
      appendFileSync(ws.logFile, failureLine(step));
      const message = await waitFor(`the alert for ${step}`, () => slack.messages.find((m) => m.raw.includes(step)), { timeoutMs: 5_000, intervalMs: 5 });
      latencies.push(message.at - written);
      // Its own alert, diagnosed: the root cause and where it failed, not a digest line.
      expect(message.text).not.toMatch(/Incident storm/);
      expect(message.raw).toContain(`${step}.py`);
      await sleep(Math.max(0, 1_200 - (Date.now() - written)));
    }
    console.log(`10 distinct failures 1.2 s apart: latency p50 ${percentile(latencies, 50)} ms, max ${Math.max(...latencies)} ms (${latencies.join(', ')})`);
    // Each went out on its own, at once: well inside the storm window (5 s) that a held incident
    // would wait for. How fast "at once" is (p50 and max against the 500 ms target) is a figure of
    // `npm run bench:latency` and docs/benchmarks.md, not an assertion: a test machine busy with
    // other work would turn a speed figure into a flaky test.
    expect(Math.max(...latencies)).toBeLessThan(3_000);
    expect(slack.messages).toHaveLength(11);
  });

});
