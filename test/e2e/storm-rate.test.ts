// Issue 16 through the real agent and a loopback Slack: a storm is a rate, not a count. Distinct
// failures arriving no faster than Slack takes messages are each alerted at once, with their
// diagnosis; a real storm becomes digests that name every incident in a bounded number of
// messages; `sentinel incidents` shows them all with whether they were announced.
import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { createWorkspace, listIncidents, metricSum, scrape, startReadyAgent, type Workspace } from '../helpers/agent-workspace.js';
import { failureLine, stepName } from '../helpers/distinct-failures.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const running: RunningProcess[] = [];
const servers: FakeSlack[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});

async function startAgent(extraYaml = ''): Promise<{ slack: FakeSlack; ws: Workspace; agent: RunningProcess; port: number }> {
  const slack = await startFakeSlack();
  servers.push(slack);
  const ws = createWorkspace('  url: embedded', extraYaml);
  return { slack, ws, ...(await startReadyAgent(ws.configFile, { SLACK_WEBHOOK_URL: slack.webhookUrl() }, running)) };
}

describe('a storm is a rate, not a count', () => {
  it('names all of 100 distinct failures in 3 s in at most 10 messages, and `sentinel incidents` lists them', async () => {
    const { slack, ws, port } = await startAgent('incidents:\n  storm: { window_secs: 3 }');
    const steps = Array.from({ length: 100 }, (_, n) => stepName(n));
    for (let n = 0; n < steps.length; n++) {
      appendFileSync(ws.logFile, failureLine(steps[n]!));
      if (n % 10 === 9) await sleep(300);
    }
    const missing = (): string[] => steps.filter((s) => !slack.messages.some((m) => m.raw.includes(s)));
    await waitFor('every failure named in Slack', () => missing().length === 0, { timeoutMs: 20_000, intervalMs: 100 }, () => `missing ${missing().length}: ${missing().slice(0, 5).join(', ')}`);
    await waitFor('the outbox to drain', async () => metricSum(await scrape(port), 'sentinel_outbox_depth') === 0);
    console.log(`100 distinct failures in 3 s: ${slack.messages.length} Slack messages, all 100 named`);
    expect(slack.messages.length).toBeLessThanOrEqual(10);
    // The first of the storm went out at once, on its own.
    expect(slack.messages[0]!.text).not.toMatch(/Incident storm/);
    const digest = slack.messages.find((m) => /Incident storm/.test(m.text ?? ''));
    // Digest entries carry the source and the one-line diagnosis, and no "…and N more".
    expect(digest?.raw).toContain('aio_pipeline.log');
    expect(digest?.raw).toMatch(/missing_input|data_quality|schema_drift|code_bug/);
    for (const m of slack.messages) expect(m.raw).not.toMatch(/more incidents/);

    type Row = { step: string; status: string; announcement: string; count: number; rule: string; summary: string };
    const list = (): Promise<Row[]> => listIncidents<Row>(ws.configFile, running);
    // Settled announcements reach incidents.json with the agent's next tick (about a second).
    let rows: Row[] = [];
    await waitFor('every incident listed as announced', async () => (rows = await list()).every((r) => r.announcement === 'announced'), { timeoutMs: 10_000, intervalMs: 500 }, () =>
      JSON.stringify(rows.filter((r) => r.announcement !== 'announced').slice(0, 3)),
    );
    expect(rows.map((r) => r.step).sort()).toEqual([...steps].sort());
    for (const r of rows) {
      expect(r).toMatchObject({ status: 'open', announcement: 'announced', count: 1 });
      expect(r.summary).toBeTruthy();
    }
    const text = startSentinel(['incidents', '--config', ws.configFile]);
    running.push(text);
    expect((await text.exited).code).toBe(0);
    expect(text.stdout()).toMatch(/OPEN \[\w+\] \S+ ×1 · warehouse › sync_/);
    expect(text.stdout()).toContain(steps[42]);
  });
});
