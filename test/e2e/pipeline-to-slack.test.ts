// The whole loop through real processes: the demo pipeline fails, the agent (a child process) tails
// its log, diagnoses and posts to a loopback server playing Slack's Incoming Webhook.
import { appendFileSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startFakeGemini, type FakeGemini } from '../helpers/fake-gemini.js';
import { runPipeline, startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { agentPort, createWorkspace as workspace, metricValue, scrape } from '../helpers/agent-workspace.js';

/** The failing record's own timestamp: when the pipeline wrote the line. */
function failingLineWrittenAt(logFile: string): number {
  const failed = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event: string; ts: string })
    .find((r) => r.event === 'step_failed');
  if (!failed) throw new Error('the pipeline wrote no step_failed record');
  return Date.parse(failed.ts);
}

const running: RunningProcess[] = [];
const servers: (FakeSlack | FakeGemini)[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});

/**
 * Fake Gemini (in `mode`) and fake Slack, a workspace whose brain uses that Gemini (with a key
 * from `keyVar`), and a running agent on it. `timeoutMs` sets brain.timeout_ms when given.
 */
async function withGemini(mode: FakeGemini['mode'], options: { timeoutMs?: number; keyVar?: 'GOOGLE_API_KEY' | 'GEMINI_API_KEY' } = {}) {
  const gemini = await startFakeGemini({ mode });
  const slack = await startFakeSlack();
  servers.push(gemini, slack);
  const brain = ['  url: embedded', ...(options.timeoutMs ? [`  timeout_ms: ${options.timeoutMs}`] : []), '  gemini:', `    base_url: ${'${GEMINI_BASE}'}`];
  const ws = workspace(brain.join('\n'));
  const env = { SLACK_WEBHOOK_URL: slack.webhookUrl(), [options.keyVar ?? 'GOOGLE_API_KEY']: 'test-key-not-secret', GEMINI_BASE: gemini.url };
  const agent = startSentinel(['run', '--config', ws.configFile], { env });
  running.push(agent);
  await agentPort(agent);
  return { gemini, slack, ws, env, agent };
}

describe('demo pipeline → agent → Slack', () => {
  it('alerts Slack within 10 s of the failing line, naming the step, the cause and the fix', async () => {
    const slack = await startFakeSlack();
    servers.push(slack);
    const ws = workspace();
    const agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    running.push(agent);
    const port = await agentPort(agent);
    await waitFor('the agent to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);

    const pipeline = runPipeline(ws.logFile);
    running.push(pipeline);
    expect((await pipeline.exited).code).toBe(1);

    const message = await waitFor('a Slack message', () => slack.messages[0], { timeoutMs: 10_000 }, () => agent.stdout().slice(-1500));
    const latencyMs = message.at - failingLineWrittenAt(ws.logFile);
    console.log(`e2e: failing line → Slack webhook in ${latencyMs} ms`);
    expect(latencyMs).toBeLessThan(10_000);

    const payload = message.raw;
    expect(payload).toContain('transform_data');
    expect(payload).toMatch(/Division by zero/);
    expect(payload).toMatch(/transform-data\.(js|ts)/);
    expect(message.text).toBeTruthy();
    expect(Array.isArray(message.blocks)).toBe(true);
    // The fix is concrete: it speaks of guarding the zero denominator.
    expect(payload.toLowerCase()).toMatch(/guard|zero|empty/);

    // Slack has answered `ok` by now; the agent counts it as soon as the response is read.
    const metrics = await waitFor('the delivery to be counted', async () => {
      const text = await scrape(port);
      return /sentinel_alerts_sent_total\{notifier="[^"]+",outcome="ok"\} 1/.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/sentinel_incidents_opened_total\{[^}]*\} 1/);
    // The alert may leave before the pipeline's last lines are read (a loaded machine): wait for them,
    // then every line the pipeline wrote is counted, no more and no fewer.
    const written = readFileSync(ws.logFile, 'utf8').split('\n').filter((line) => line !== '').length;
    await waitFor(`all ${written} lines counted`, async () => metricValue(await scrape(port), 'sentinel_log_lines_total{source="etl"}') === written);
    expect(metrics).toMatch(/sentinel_alerts_sent_total\{notifier="[^"]+",outcome="ok"\} 1/);

    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    expect(slack.messages).toHaveLength(1);
  });

  it('posts a resolved notification when the next run of the pipeline succeeds', async () => {
    const slack = await startFakeSlack();
    servers.push(slack);
    const ws = workspace();
    const agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    running.push(agent);
    await agentPort(agent);
    const failing = runPipeline(ws.logFile);
    running.push(failing);
    await failing.exited;
    await waitFor('the failure alert', () => slack.messages[0], { timeoutMs: 10_000 });

    const succeeding = runPipeline(ws.logFile, 'success');
    running.push(succeeding);
    expect((await succeeding.exited).code).toBe(0);
    const resolved = await waitFor('the resolved notification', () => slack.messages[1], { timeoutMs: 10_000 }, () => agent.stdout().slice(-1500));
    expect(resolved.raw).toMatch(/RESOLVED/);
    expect(resolved.raw).toContain('Division by zero');
  });

  it('diagnoses through a separately started brain service over HTTP', async () => {
    const slack = await startFakeSlack();
    servers.push(slack);
    const brain = startSentinel(['brain', '--port', '0']);
    running.push(brain);
    const brainPort = Number((await brain.waitForOutput(/"port":(\d+)[^\n]*Sentinel brain listening/))[1]);
    const ws = workspace(`  url: http://127.0.0.1:${brainPort}`);
    const agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    running.push(agent);
    await agentPort(agent);

    running.push(runPipeline(ws.logFile));
    const message = await waitFor('a Slack message', () => slack.messages[0], { timeoutMs: 10_000 }, () => agent.stdout().slice(-1500));
    expect(message.raw).toMatch(/Division by zero/);

    // The brain service, not the agent, answered: its own metrics counted the diagnosis.
    const brainMetrics = await scrape(brainPort);
    expect(brainMetrics).toMatch(/sentinel_diagnosis_duration_seconds_count\{engine="builtin"\} [1-9]/);
  });

  it('takes the diagnosis from Gemini when a key is set', async () => {
    const { gemini, slack, ws, agent } = await withGemini('ok', { keyVar: 'GEMINI_API_KEY' });
    running.push(runPipeline(ws.logFile));
    const message = await waitFor('a Slack message', () => slack.messages[0], { timeoutMs: 10_000 }, () => agent.stdout().slice(-1500));
    expect(gemini.requests).toHaveLength(1);
    expect(message.raw).toContain(gemini.modelVersion);
    expect(message.raw).toContain('transform_data divides by a zero count');
  });

  it('asks Gemini with the failing code line and no secret, and falls back in time when it hangs', async () => {
    const { gemini, slack, ws, agent } = await withGemini('hang', { timeoutMs: 3000 });

    // A secret in the lines before the failure: it must reach neither Gemini nor Slack.
    appendFileSync(ws.logFile, JSON.stringify({ level: 'info', msg: 'connecting to postgres://etl:hunter2-very-secret@db:5432/warehouse' }) + '\n');
    running.push(runPipeline(ws.logFile));

    const message = await waitFor('a Slack message', () => slack.messages[0], { timeoutMs: 10_000 }, () => agent.stdout().slice(-1500));
    const latencyMs = message.at - failingLineWrittenAt(ws.logFile);
    console.log(`e2e: Gemini hanging → built-in alert in ${latencyMs} ms`);
    expect(latencyMs).toBeLessThan(10_000);
    expect(gemini.requests.length).toBe(1);
    const prompt = gemini.requests[0]!.prompt;
    expect(prompt).toContain('const averageCents = totalCents / BigInt(usdRows.length);');
    expect(prompt).not.toContain('hunter2-very-secret');
    expect(message.raw).not.toContain('hunter2-very-secret');
    expect(message.raw).toMatch(/built-in/i);
  });

  it('a slow diagnosis holds back no other failure: each alert lands within the budget of its own line', async () => {
    const { slack, ws, agent } = await withGemini('hang', { timeoutMs: 3000 });
    const written: number[] = [];
    for (const [i, step] of ['load_orders', 'load_refunds'].entries()) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      written.push(Date.now());
      appendFileSync(ws.logFile, JSON.stringify({ level: 'error', pipeline: 'nightly', step, event: 'step_failed', msg: 'Step failed', error: { type: `${step}Error`, message: `${step} broke` } }) + '\n');
    }
    await waitFor('two alerts', () => slack.messages[1], { timeoutMs: 10_000 }, () => agent.stdout().slice(-1500));
    for (const [i, step] of ['load_orders', 'load_refunds'].entries()) {
      const message = slack.messages.find((m) => m.raw.includes(step));
      expect(message, step).toBeDefined();
      const latencyMs = message!.at - written[i]!;
      console.log(`e2e: Gemini hanging, ${step} alert in ${latencyMs} ms`);
      // The 3 s budget plus Slack's one-message-per-second pacing, not 3 s per failure before it.
      expect(latencyMs).toBeLessThan(5_000);
    }
  });

  it('an alert whose diagnosis a SIGKILL interrupted is sent after the restart', async () => {
    const { gemini, slack, ws, env, agent: first } = await withGemini('hang');
    running.push(runPipeline(ws.logFile));
    await waitFor('the Gemini call that hangs', () => gemini.requests.length > 0, { timeoutMs: 10_000 });
    first.kill('SIGKILL');
    await first.exited;
    expect(slack.messages).toHaveLength(0);

    gemini.mode = 'ok';
    const second = startSentinel(['run', '--config', ws.configFile], { env });
    running.push(second);
    const message = await waitFor('the interrupted alert', () => slack.messages[0], { timeoutMs: 10_000 }, () => second.stdout().slice(-1500));
    expect(message.raw).toContain('transform_data');
    expect(message.raw).toContain(gemini.modelVersion);
  });
});
