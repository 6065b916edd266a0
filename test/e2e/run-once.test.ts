// `sentinel run --once` and `--dry-run` through the real CLI with the loopback Slack: --once reads
// what is there (new files from the beginning, known ones from their checkpoints), alerts, waits
// for Slack to take the alerts and exits 0; --dry-run prints alerts, posts nothing, writes no state.
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type Workspace } from '../helpers/agent-workspace.js';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startSentinel } from '../helpers/sentinel-process.js';

const RULES = ['rules:', '  - id: step-failed', '    match: { regex: "Step failed" }', '    severity: critical'].join('\n');

const failure = (step: string): string => `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', pipeline: 'etl', step, msg: `Step failed: ${step}` })}\n`;
const fine = (i: number): string => `${JSON.stringify({ level: 'info', pipeline: 'etl', msg: `batch ${i} loaded` })}\n`;

describe('sentinel run --once / --dry-run', () => {
  let ws: Workspace;
  let slack: FakeSlack;

  const run = async (...flags: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> => {
    const started = Date.now();
    const p = startSentinel(['run', '--config', ws.configFile, ...flags], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    const { code } = await p.exited;
    return { code, stdout: p.stdout(), stderr: p.stderr(), ms: Date.now() - started };
  };
  const slackText = (): string => slack.messages.map((m) => m.raw).join('\n');

  beforeAll(async () => {
    slack = await startFakeSlack();
    // start_at: end in the config: --once still reads a file it has never seen from its beginning.
    ws = createWorkspace('  url: embedded', RULES);
  });

  afterAll(async () => {
    await slack?.close();
    if (ws) rmSync(ws.dir, { recursive: true, force: true });
  });

  it('--once alerts on what is there, waits out a Slack hiccup, exits 0, and resumes from its checkpoint', async () => {
    appendFileSync(ws.logFile, fine(1) + failure('load_orders') + fine(2));
    slack.setMode({ mode: 'down', times: 2 });
    const first = await run('--once');
    expect(first.code, first.stderr + first.stdout.slice(-2000)).toBe(0);
    // Delivered before the exit, through two refusals.
    expect(slack.messages).toHaveLength(1);
    expect(slackText()).toContain('load_orders');
    expect(slack.requests.length).toBe(3);
    expect(readdirSync(join(ws.stateDir, 'outbox', 'slack')).filter((n) => n.endsWith('.json'))).toEqual([]);
    console.log(`run --once: 3 records, 1 alert through 2 Slack refusals, exit 0 after ${first.ms} ms`);

    // Nothing new: nothing sent again.
    const again = await run('--once');
    expect(again.code, again.stderr).toBe(0);
    expect(slack.messages).toHaveLength(1);

    // Something new: only that.
    appendFileSync(ws.logFile, failure('load_refunds'));
    const third = await run('--once');
    expect(third.code, third.stderr).toBe(0);
    expect(slack.messages).toHaveLength(2);
    expect(slack.messages[1]?.raw).toContain('load_refunds');
    expect(slack.messages[1]?.raw).not.toContain('load_orders');
  });

  it('--dry-run prints the alert, posts nothing and leaves state_dir as it was', async () => {
    const checkpointFiles = readdirSync(ws.stateDir).filter((n) => n.startsWith('checkpoints-'));
    expect(checkpointFiles.length).toBeGreaterThan(0);
    const before = Object.fromEntries(checkpointFiles.map((n) => [n, readFileSync(join(ws.stateDir, n), 'utf8')]));
    const incidentsBefore = readFileSync(join(ws.stateDir, 'incidents.json'), 'utf8');
    const posted = slack.requests.length;

    appendFileSync(ws.logFile, failure('publish_report'));
    const dry = await run('--once', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    // The alert on stdout, as the console notifier renders it; the logs on stderr.
    expect(dry.stdout).toContain('CRITICAL');
    expect(dry.stdout).toContain('publish_report');
    expect(dry.stdout).not.toContain('load_orders');
    expect(dry.stdout).not.toMatch(/"level":\d+/);
    expect(dry.stderr).toContain('Dry run');
    expect(slack.requests.length).toBe(posted);
    for (const [name, content] of Object.entries(before)) expect(readFileSync(join(ws.stateDir, name), 'utf8'), name).toBe(content);
    expect(readFileSync(join(ws.stateDir, 'incidents.json'), 'utf8')).toBe(incidentsBefore);
    // Its private copy of the state is gone.
    const copy = /"copy":"([^"]+)"/.exec(dry.stderr)?.[1];
    expect(copy, dry.stderr.slice(0, 2000)).toBeDefined();
    expect(existsSync(copy ?? '')).toBe(false);

    // The real run still sees the failure the dry run printed.
    const real = await run('--once');
    expect(real.code, real.stderr).toBe(0);
    expect(slack.messages.at(-1)?.raw).toContain('publish_report');
  });

  it('rejects --once with an argument it does not take', async () => {
    const bad = await run('--once', 'extra.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('SENTINEL_ERR_USAGE: unexpected argument: extra.yaml');
  });
});
