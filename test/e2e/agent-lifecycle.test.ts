// The agent as a process: crash and restart, graceful and forced stop, hot reload, hostile input.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { runPipeline, startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { agentPort, createWorkspace, metricSum, scrape } from '../helpers/agent-workspace.js';
import { stepFailedLine } from '../helpers/step-failed-line.js';

const running: RunningProcess[] = [];
const servers: FakeSlack[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});


describe('agent lifecycle', () => {
  it('delivers alerts that were pending when it was SIGKILLed, after a restart', async () => {
    const slack = await startFakeSlack({ mode: 'down' });
    servers.push(slack);
    const ws = createWorkspace();
    const env = { SLACK_WEBHOOK_URL: slack.webhookUrl() };
    const first = startSentinel(['run', '--config', ws.configFile], { env });
    running.push(first);
    const port = await agentPort(first);

    running.push(runPipeline(ws.logFile));
    // Slack is down: the agent tried and queued the alert in its outbox.
    await waitFor('a refused delivery attempt', () => slack.requests.length > 0, { timeoutMs: 10_000 });
    const scraped = await scrape(port);
    expect(metricSum(scraped, 'sentinel_outbox_depth')).toBe(1);
    first.kill('SIGKILL');
    await first.exited;

    slack.setMode({ mode: 'ok' });
    const second = startSentinel(['run', '--config', ws.configFile], { env });
    running.push(second);
    await agentPort(second);
    const message = await waitFor('the pending alert after restart', () => slack.messages[0], { timeoutMs: 10_000 }, () => second.stdout().slice(-1500));
    expect(message.raw).toMatch(/Division by zero/);

    // The restart neither re-reads the failure into a second incident nor sends the alert twice.
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(slack.messages).toHaveLength(1);
  });

  it('stops gracefully on SIGTERM (exit 0) and at once on a second signal', async () => {
    const slack = await startFakeSlack({ mode: 'down', how: 'hang' });
    servers.push(slack);
    const ws = createWorkspace();
    const agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    running.push(agent);
    await agentPort(agent);
    running.push(runPipeline(ws.logFile));
    await waitFor('a delivery attempt that hangs', () => slack.requests.length > 0, { timeoutMs: 10_000 });

    const graceful = startSentinel(['run', '--config', createWorkspace().configFile], { env: {} });
    running.push(graceful);
    await agentPort(graceful);
    graceful.kill('SIGTERM');
    expect((await graceful.exited).code).toBe(0);
    await graceful.waitForOutput(/Sentinel agent stopped/);

    // With Slack hanging, the drain would wait for its deadline; a second signal does not.
    const started = Date.now();
    agent.kill('SIGTERM');
    await agent.waitForOutput(/Stopping: flushing/);
    agent.kill('SIGTERM');
    const exit = await agent.exited;
    expect(exit.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reloads valid rule changes and keeps the old rules when the new file is broken', async () => {
    const slack = await startFakeSlack();
    servers.push(slack);
    const ws = createWorkspace('  url: embedded', 'packs:\n  generic: false\n  python: false');
    const agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    running.push(agent);
    const port = await agentPort(agent);
    const file = join(ws.logDir, 'custom.log');
    writeFileSync(file, '');

    ws.writeConfig('packs:\n  generic: false\n  python: false\nrules:\n  - id: disk-full\n    match: { regex: "No space left on device" }\n    severity: critical');
    await waitFor('a successful reload', async () => metricSum(await scrape(port), 'sentinel_config_reloads_total', 'outcome="success"') >= 1);
    appendFileSync(file, 'ERROR write failed: [Errno 28] No space left on device\n');
    const message = await waitFor('an alert from the reloaded rule', () => slack.messages[0], { timeoutMs: 10_000 });
    expect(message.raw).toContain('disk-full');

    // A broken edit: the error names the place, the old rules stay in force.
    writeFileSync(ws.configFile, 'rules:\n  - id: oops\n    severity: catastrophic\n    match: { regex: "x" }\n');
    await waitFor('a failed reload', async () => metricSum(await scrape(port), 'sentinel_config_reloads_total', 'outcome="failure"') >= 1);
    await agent.waitForOutput(/sentinel\.yaml:3:\d+/);
    appendFileSync(file, 'ERROR compaction failed: No space left on device on /data\n');
    await waitFor('the old rule to still match', async () => metricSum(await scrape(port), 'sentinel_rule_matches_total', 'rule="disk-full"') >= 2);
  });

  it('survives hostile input in one file and still alerts for a failure in another', async () => {
    const slack = await startFakeSlack();
    servers.push(slack);
    const ws = createWorkspace();
    const agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    running.push(agent);
    const port = await agentPort(agent);
    const hostile = join(ws.logDir, 'hostile.log');
    writeFileSync(hostile, '');
    appendFileSync(hostile, '{"level":"error","msg":"cut in the mid\n'); // malformed JSON
    appendFileSync(hostile, Buffer.from([0x45, 0x52, 0x52, 0xff, 0xfe, 0xc3, 0x28, 0x0a])); // invalid UTF-8
    appendFileSync(hostile, 'x'.repeat(10 * 1024 * 1024) + '\n'); // a 10 MB line
    appendFileSync(hostile, Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) % 256))); // binary garbage
    appendFileSync(join(ws.logDir, 'etl.log'), stepFailedLine('load_orders', 'orders.csv has 0 rows'));

    const message = await waitFor('the alert from the healthy file', () => slack.messages[0], { timeoutMs: 10_000 }, () => agent.stdout().slice(-1500));
    expect(message.raw).toContain('load_orders');
    const metrics = await scrape(port);
    expect(metricSum(metrics, 'sentinel_parse_errors_total', 'reason="invalid_json"')).toBeGreaterThanOrEqual(1);
    expect(metricSum(metrics, 'sentinel_lines_truncated_total')).toBeGreaterThanOrEqual(1);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);
    expect(agent.child.exitCode).toBeNull();
  });
});
