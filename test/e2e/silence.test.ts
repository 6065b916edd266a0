// `sentinel silence` through the real CLI, honoured by the real agent on the same state_dir, with
// the loopback Slack: a silenced rule opens incidents that are tracked and counted but not posted,
// other rules still alert, and lifting the silence lets the next failure through.
import { appendFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPort, createWorkspace, metricValue, scrape, type Workspace } from '../helpers/agent-workspace.js';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';

const RULES = [
  'rules:',
  '  - id: step-failed',
  '    match: { regex: "Step failed" }',
  '    severity: critical',
  '  - id: disk-full',
  '    match: { regex: "No space left" }',
  '    severity: error',
].join('\n');

async function sentinel(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startSentinel(args);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

const line = (msg: string, step: string): string => `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', pipeline: 'etl', step, msg })}\n`;

describe('sentinel silence', () => {
  let ws: Workspace;
  let slack: FakeSlack;
  let agent: RunningProcess;
  let port = 0;

  beforeAll(async () => {
    slack = await startFakeSlack();
    ws = createWorkspace('  url: embedded', RULES);
    appendFileSync(ws.logFile, '');
    agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    port = await agentPort(agent);
  });

  afterAll(async () => {
    agent?.kill('SIGTERM');
    await agent?.exited;
    await slack?.close();
    if (ws) rmSync(ws.dir, { recursive: true, force: true });
  });

  it('holds back a silenced rule while others alert, lists what it holds, and lets go when removed', async () => {
    const added = await sentinel(['silence', '--rule', 'step-failed', '--for', '2h', '--reason', 'warehouse migration', '--config', ws.configFile]);
    expect(added.code, added.stderr).toBe(0);
    const id = /^(sil-[0-9a-f]{8}): rule step-failed silenced for 2h, until /m.exec(added.stdout)?.[1];
    expect(id, added.stdout).toBeDefined();

    // The agent reads silences once a tick: give it the tick before the failure comes.
    await agent.waitForOutput(/Silence in force/, 5_000);
    appendFileSync(ws.logFile, line('Step failed: load_orders', 'load_orders'));
    appendFileSync(ws.logFile, line('No space left on device', 'export'));

    // The unsilenced rule alerts; the silenced one opened its incident and was counted, not posted.
    await waitFor('the disk-full alert', () => slack.messages.length >= 1, { timeoutMs: 15_000 }, () => agent.stdout().slice(-2000));
    const text = await waitFor(
      'the silenced incident counted',
      async () => {
        const body = await scrape(port);
        return metricValue(body, 'sentinel_incidents_suppressed_total{reason="silenced"}') === 1 ? body : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(metricValue(text, 'sentinel_incidents_opened_total{rule="step-failed",severity="critical"}')).toBe(1);
    expect(slack.messages.map((m) => m.text ?? '').join('\n')).not.toMatch(/Step failed|load_orders/);
    expect(slack.messages).toHaveLength(1);

    // --list names the silence and the incident it is holding back, once incident state is saved.
    const listed = await waitFor(
      'the silenced incident in --list',
      async () => {
        const out = await sentinel(['silence', '--list', '--format', 'json', '--config', ws.configFile]);
        const rows = out.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { id: string; rule: string; reason: string; incidents: { rule: string; status: string; count: number }[] });
        return rows[0]?.incidents.length === 1 ? rows : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id, rule: 'step-failed', reason: 'warehouse migration', incidents: [{ rule: 'step-failed', status: 'open', count: 1 }] });
    const textList = await sentinel(['silence', '--list', '--config', ws.configFile]);
    expect(textList.stdout).toMatch(new RegExp(`^${id}  rule step-failed  until \\S+ \\((1h59m(\\d+s)?|2h) left\\) · warehouse migration$`, 'm'));

    // Lifted: the next failure of that rule (another step, another incident) alerts.
    const removed = await sentinel(['silence', '--remove', id ?? '', '--config', ws.configFile]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(readdirSync(join(ws.stateDir, 'silences'))).toEqual([]);
    await agent.waitForOutput(new RegExp(`"silence":"${id}"[^\\n]*Silence lifted`), 5_000);
    appendFileSync(ws.logFile, line('Step failed: load_refunds', 'load_refunds'));
    await waitFor('the step-failed alert after the silence was lifted', () => slack.messages.some((m) => /load_refunds/.test(m.raw)), { timeoutMs: 15_000 }, () =>
      agent.stdout().slice(-2000),
    );
  });

  it('ends by itself, and says what is wrong with a bad command line', async () => {
    const short = await sentinel(['silence', '--fingerprint', '0123456789abcdef', '--for', '1s', '--config', ws.configFile]);
    expect(short.code, short.stderr).toBe(0);
    await waitFor('the 1 s silence to end', async () => (await sentinel(['silence', '--list', '--config', ws.configFile])).stdout.startsWith('No silence'), {
      timeoutMs: 10_000,
      intervalMs: 250,
    });
    // --list tidies ended silences away.
    expect(existsSync(join(ws.stateDir, 'silences')) ? readdirSync(join(ws.stateDir, 'silences')) : []).toEqual([]);

    const typo = await sentinel(['silence', '--rule', 'step-faild', '--for', '2h', '--config', ws.configFile]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('SENTINEL_ERR_USAGE: no rule "step-faild"');
    expect(typo.stderr).toContain('did you mean "step-failed"?');
    const endless = await sentinel(['silence', '--rule', 'step-failed', '--config', ws.configFile]);
    expect(endless.code).toBe(2);
    expect(endless.stderr).toContain('--for DURATION is required');
    const badDuration = await sentinel(['silence', '--rule', 'step-failed', '--for', 'soon', '--config', ws.configFile]);
    expect(badDuration.code).toBe(2);
    expect(badDuration.stderr).toContain('(got "soon")');
    const both = await sentinel(['silence', '--list', '--remove', 'sil-00000000', '--config', ws.configFile]);
    expect(both.code).toBe(2);
    const unknown = await sentinel(['silence', '--remove', 'sil-00000000', '--config', ws.configFile]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^sentinel: SENTINEL_ERR_SILENCE_NOT_FOUND: no silence "sil-00000000"/);
    for (const r of [typo, endless, badDuration, both, unknown]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
