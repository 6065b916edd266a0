// The agent process waits, within bounds, for the lines a file prints after a failing record (the
// rest of a failure's report) before it asks the brain: they reach the prompt, and the wait ends on
// quiet, on its line limit, on its time limit, or when the agent stops, so the alert still leaves.
import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startFakeGemini, type FakeGemini } from '../helpers/fake-gemini.js';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { agentPort, createWorkspace, metricSum, scrape } from '../helpers/agent-workspace.js';

const running: RunningProcess[] = [];
const servers: (FakeSlack | FakeGemini)[] = [];
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});

// An exception class the built-in analyser does not know: it cannot explain the record alone, so
// the agent waits for the lines after it (a record that explains itself is not waited for).
const FAILING_RECORD = [
  '2026-12-03 02:00:00,000 ERROR etl.load - Task failed with exception',
  'Traceback (most recent call last):',
  '  File "/opt/etl/jobs/load.py", line 12, in load',
  '    rows = fetch(day)',
  'LoadRejected: bad row in batch 7',
  '',
].join('\n');

/** An agent whose brain is a fake Gemini (so the prompt can be read), with `incidents.lines_after` as given. */
async function agentWith(linesAfter: string) {
  const gemini = await startFakeGemini();
  const slack = await startFakeSlack();
  servers.push(gemini, slack);
  const ws = createWorkspace(['  url: embedded', '  gemini:', `    base_url: ${'${GEMINI_BASE}'}`].join('\n'), `incidents:\n  lines_after: ${linesAfter}`);
  const agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl(), GOOGLE_API_KEY: 'test-key-not-secret', GEMINI_BASE: gemini.url } });
  running.push(agent);
  const port = await agentPort(agent);
  await waitFor('the agent to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
  /** Appends the failing record and resolves once the agent has opened its incident (the wait has begun). */
  const fail = async (): Promise<number> => {
    appendFileSync(ws.logFile, FAILING_RECORD);
    const at = Date.now();
    await waitFor('the incident to open', async () => metricSum(await scrape(port), 'sentinel_incidents_opened_total') >= 1, {}, () => agent.stdout().slice(-1500));
    return at;
  };
  const prompt = (): string => gemini.requests.find((r) => r.prompt.includes('bad row in batch 7'))?.prompt ?? '';
  return { gemini, slack, ws, agent, port, fail, prompt };
}

describe('lines after a failure (incidents.lines_after)', () => {
  it('waits for what the file prints next and alerts once the file has been quiet for quiet_ms', async () => {
    const { slack, ws, agent, fail, prompt } = await agentWith('{ max_lines: 40, quiet_ms: 2000, max_wait_ms: 6000 }');
    await fail();
    // The incident is open but not yet announced: the agent is waiting for more lines.
    expect(slack.messages).toHaveLength(0);
    appendFileSync(ws.logFile, '2026-12-03 02:00:00,300 INFO etl.runner - upstream renamed column day: FOLLOW_MARKER\n');
    const lastLineAt = Date.now();
    const message = await waitFor('the alert', () => slack.messages[0], { timeoutMs: 10_000 }, () => agent.stdout().slice(-1500));
    console.log(`lines_after e2e: alert ${message.at - lastLineAt} ms after the last line (quiet_ms 2000)`);
    expect(message.at - lastLineAt).toBeGreaterThanOrEqual(1900);
    expect(message.at - lastLineAt).toBeLessThan(6000);
    expect(prompt()).toContain('Log lines after the failing record');
    expect(prompt()).toContain('FOLLOW_MARKER');
  });

  it('stops at max_lines: the lines beyond it are not waited for and not sent', async () => {
    const { slack, ws, agent, fail, prompt } = await agentWith('{ max_lines: 3, quiet_ms: 5000, max_wait_ms: 8000 }');
    await fail();
    // Distinct words: the prompt folds lines that differ only in numbers.
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
    appendFileSync(ws.logFile, words.map((w) => `2026-12-03 02:00:01,000 INFO etl.runner - cleanup AFTER_${w}`).join('\n') + '\n');
    const appendedAt = Date.now();
    const message = await waitFor('the alert', () => slack.messages[0], { timeoutMs: 10_000 }, () => agent.stdout().slice(-1500));
    // Well before the 5 s of quiet it would otherwise wait for.
    expect(message.at - appendedAt).toBeLessThan(4000);
    expect(prompt()).toContain('AFTER_alpha');
    expect(prompt()).toContain('AFTER_charlie');
    expect(prompt()).not.toContain('AFTER_delta');
  });

  it('a busy file cannot hold the alert past max_wait_ms', async () => {
    const { slack, ws, agent, fail } = await agentWith('{ max_lines: 500, quiet_ms: 3000, max_wait_ms: 1500 }');
    const failedAt = await fail();
    // A chatty writer: a line every 100 ms, never quiet for 3 s.
    let n = 0;
    timers.push(setInterval(() => appendFileSync(ws.logFile, `2026-12-03 02:00:02,000 INFO etl.other - heartbeat ${++n}\n`), 100));
    const message = await waitFor('the alert', () => slack.messages[0], { timeoutMs: 10_000 }, () => agent.stdout().slice(-1500));
    console.log(`lines_after e2e: busy file, alert ${message.at - failedAt} ms after the failing record (max_wait_ms 1500)`);
    expect(message.at - failedAt).toBeGreaterThanOrEqual(1400);
    expect(message.at - failedAt).toBeLessThan(5000);
  });

  it('SIGTERM during the wait: the alert still goes out before the agent exits 0', async () => {
    const { slack, agent, fail, prompt } = await agentWith('{ max_lines: 40, quiet_ms: 20000, max_wait_ms: 30000 }');
    await fail();
    expect(slack.messages).toHaveLength(0);
    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    expect(slack.messages).toHaveLength(1);
    expect(prompt()).toContain('bad row in batch 7');
  });
});
