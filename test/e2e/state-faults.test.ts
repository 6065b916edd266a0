// Issue 11, findings 1, 3 and 7, through the real agent process and a loopback Slack: a state
// directory that cannot be written (here: replaced by a plain file, so every write fails as on a
// full disk, even for root) silences nothing and poisons nothing; SIGTERM ends the process within
// 5 s whatever is failing; damaged state files are reported once with their path, kept, and what
// they held is sent again.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import type { RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { createWorkspace, metricSum, scrape, startReadyAgent, type Workspace } from '../helpers/agent-workspace.js';
import { stepFailedLine } from '../helpers/step-failed-line.js';

const running: RunningProcess[] = [];
const servers: FakeSlack[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});


function startAgent(ws: Workspace, slack: FakeSlack): Promise<{ agent: RunningProcess; port: number }> {
  return startReadyAgent(ws.configFile, { SLACK_WEBHOOK_URL: slack.webhookUrl() }, running);
}

/** Every write under state_dir fails (ENOTDIR), as on a full disk; `restore` ends the episode. */
function breakStateDir(ws: Workspace): { restore(): void } {
  renameSync(ws.stateDir, `${ws.stateDir}.away`);
  writeFileSync(ws.stateDir, 'not a directory');
  return {
    restore() {
      rmSync(ws.stateDir);
      renameSync(`${ws.stateDir}.away`, ws.stateDir);
    },
  };
}

const inSlack = (slack: FakeSlack, step: string): boolean => slack.messages.some((m) => (m.text ?? '').includes(step));

async function readiness(port: number): Promise<{ status: number; body: { checks: Array<{ name: string; ok: boolean }> } }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: Array<{ name: string; ok: boolean }> } };
}

describe('state that cannot be written', () => {
  it('keeps alerting through a disk-full episode, says so in /readyz, and alerts within 2 s once it ends', async () => {
    const slack = await startFakeSlack();
    servers.push(slack);
    const ws = createWorkspace('  url: embedded', 'incidents:\n  storm: { window_secs: 1, max_individual_alerts: 10 }');
    const { agent, port } = await startAgent(ws, slack);

    appendFileSync(ws.logFile, stepFailedLine('extract_orders'));
    await waitFor('the first alert', () => inSlack(slack, 'extract_orders'), { timeoutMs: 10_000 });
    // Delivered and removed from the outbox before the episode starts (a removal that fails would be re-sent after a restart).
    await waitFor('the outbox to drain', async () => metricSum(await scrape(port), 'sentinel_outbox_depth') === 0);

    const episode = breakStateDir(ws);
    appendFileSync(ws.logFile, stepFailedLine('load_customers'));
    // Alerts go out from memory while nothing can be written.
    await waitFor('the alert during the episode', () => inSlack(slack, 'load_customers'), { timeoutMs: 10_000 }, () => agent.stdout().slice(-2000));
    const during = await waitFor('readyz to report the state', async () => {
      const r = await readiness(port);
      return r.status === 503 ? r : undefined;
    });
    expect(during.body.checks.find((c) => c.name === 'state')?.ok).toBe(false);
    expect(metricSum(await scrape(port), 'sentinel_state_write_errors_total', 'kind="incidents"')).toBeGreaterThan(0);
    expect(agent.stdout()).toMatch(/SENTINEL_ERR_STATE_DIR/);

    episode.restore();
    // The next failure after the episode: alerted within 2 s of its line.
    const written = Date.now();
    appendFileSync(ws.logFile, stepFailedLine('publish_report'));
    await waitFor('the alert after the episode', () => inSlack(slack, 'publish_report'), { timeoutMs: 2_000, intervalMs: 20 }, () => agent.stdout().slice(-2000));
    console.log(`disk-full episode over: next failure in Slack after ${Date.now() - written} ms`);
    await waitFor('readyz to be ready again', async () => (await readiness(port)).status === 200, { timeoutMs: 5_000 });

    // Nothing poisoned: the incident state on disk now holds all three, and a restart alerts none again.
    const before = slack.messages.length;
    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    const second = await startAgent(ws, slack);
    appendFileSync(ws.logFile, stepFailedLine('refresh_dashboards'));
    await waitFor('an alert after the restart', () => inSlack(slack, 'refresh_dashboards'), { timeoutMs: 10_000 });
    expect(slack.messages.slice(before).map((m) => (m.text ?? "").slice(0, 120))).toEqual([expect.stringContaining("refresh_dashboards")]);
    second.agent.kill('SIGTERM');
    expect((await second.agent.exited).code).toBe(0);
  });

  it('ends within 5 s of SIGTERM while Slack hangs and state cannot be written', async () => {
    const slack = await startFakeSlack();
    servers.push(slack);
    const ws = createWorkspace();
    const { agent } = await startAgent(ws, slack);
    slack.setMode({ mode: 'down', how: 'hang' });
    breakStateDir(ws);
    appendFileSync(ws.logFile, stepFailedLine('extract_orders'));
    await waitFor('a delivery attempt', () => slack.requests.length > 0, { timeoutMs: 10_000 });
    const signalled = Date.now();
    agent.kill('SIGTERM');
    const exit = await agent.exited;
    const tookMs = Date.now() - signalled;
    console.log(`SIGTERM with Slack hanging and state_dir unwritable: exit ${exit.code} after ${tookMs} ms`);
    expect(exit.code).toBe(0);
    expect(tookMs).toBeLessThan(5_000);
  });
});

describe('damaged state files', () => {
  it('reports each once with its path, keeps it, re-sends what it held, and still starts', async () => {
    const slack = await startFakeSlack();
    servers.push(slack);
    const ws = createWorkspace();
    mkdirSync(join(ws.stateDir, 'outbox', 'slack'), { recursive: true });
    const files = {
      checkpoints: join(ws.stateDir, 'checkpoints-etl.json'),
      incidents: join(ws.stateDir, 'incidents.json'),
      journal: join(ws.stateDir, 'announcing.json'),
      outbox: join(ws.stateDir, 'outbox', 'slack', '000001700000000-000000-inc-1_opened_1.json'),
    };    const reportedAs = { ...files, outbox: join(ws.stateDir, 'outbox', 'slack', 'dead', '000001700000000-000000-inc-1_opened_1.corrupt') };
    writeFileSync(files.checkpoints, '{"version":1,"files":[{"path":');
    writeFileSync(files.incidents, '\u0000\u0000\u0000');
    writeFileSync(files.journal, '{"version":1,"pending":[{"id":"x"');
    writeFileSync(files.outbox, '{"v":1,"key":"inc-1:opened:1","kind":"opened","severity":"critical","message":{"text":"[CRITICAL] Step transform_sales failed: KeyError \'region\'');
    const { agent } = await startAgent(ws, slack);

    // The torn outbox entry is sent again as far as it can be read, naming where the damaged file is kept.
    const salvaged = await waitFor('the salvaged alert', () => slack.messages.find((m) => (m.text ?? '').includes('transform_sales')), { timeoutMs: 10_000 });
    expect(salvaged.text).toMatch(/damaged outbox file/);
    // A new failure is alerted as usual.
    appendFileSync(ws.logFile, stepFailedLine('load_customers'));
    await waitFor('a new alert', () => inSlack(slack, 'load_customers'), { timeoutMs: 10_000 });

    const log = agent.stdout();
    for (const [kind, file] of Object.entries(reportedAs)) {
      const reports = log.split('\n').filter((l) => l.includes('SENTINEL_ERR_STATE_CORRUPT') && l.includes(file.replace(/\.json$/, '')));
      expect(reports, `${kind} reported once`).toHaveLength(1);
    }
    expect(existsSync(`${files.checkpoints}.corrupt`)).toBe(true);
    expect(existsSync(`${files.incidents}.corrupt`)).toBe(true);
    expect(existsSync(`${files.journal}.corrupt`)).toBe(true);
    expect(readdirSync(join(ws.stateDir, 'outbox', 'slack', 'dead'))).toContain('000001700000000-000000-inc-1_opened_1.corrupt');
    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  });
});
