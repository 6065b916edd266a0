// `sentinel outbox retry` through the real CLI beside the real agent and the loopback Slack: an alert
// Slack refused for good lands in dead/; once the destination is fixed, the command puts it back in
// the queue and the running agent delivers it.
import { appendFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPort, createWorkspace, type Workspace } from '../helpers/agent-workspace.js';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';

async function sentinel(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startSentinel(args);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

const jsonFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
};

describe('sentinel outbox retry', () => {
  let ws: Workspace;
  let slack: FakeSlack;
  let agent: RunningProcess;

  beforeAll(async () => {
    slack = await startFakeSlack({ mode: 'permanent-error', status: 404, error: 'channel_not_found' });
    ws = createWorkspace('  url: embedded', ['rules:', '  - id: step-failed', '    match: { regex: "Step failed" }', '    severity: critical'].join('\n'));
    appendFileSync(ws.logFile, '');
    agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    await agentPort(agent);
  });

  afterAll(async () => {
    agent?.kill('SIGTERM');
    await agent?.exited;
    await slack?.close();
    if (ws) rmSync(ws.dir, { recursive: true, force: true });
  });

  it('puts a refused alert back in the queue, where the running agent delivers it', async () => {
    const outbox = join(ws.stateDir, 'outbox', 'slack');
    appendFileSync(ws.logFile, `${JSON.stringify({ level: 'error', pipeline: 'etl', step: 'load_orders', msg: 'Step failed: load_orders' })}\n`);
    await waitFor('the refused alert in dead/', () => jsonFiles(join(outbox, 'dead')).length === 1, { timeoutMs: 15_000 }, () => agent.stdout().slice(-2000));
    expect(slack.messages).toHaveLength(0);

    // The webhook is fixed; the dead letter goes back and out.
    slack.setMode({ mode: 'ok' });
    const retry = await sentinel(['outbox', 'retry', '--config', ws.configFile]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain('slack: 1 dead letter back in the queue (had failed with channel_not_found ×1).');
    expect(jsonFiles(join(outbox, 'dead'))).toEqual([]);
    await waitFor('the retried alert in Slack', () => slack.messages.length === 1, { timeoutMs: 10_000 }, () => agent.stdout().slice(-2000));
    expect(slack.messages[0]?.raw).toContain('load_orders');
    await waitFor('the delivered alert gone from the outbox', () => jsonFiles(outbox).length === 0, { timeoutMs: 5_000 });

    const nothing = await sentinel(['outbox', 'retry', '--config', ws.configFile]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toMatch(/^No dead letters to retry in /);
    expect(slack.messages).toHaveLength(1);
  });

  it('says what it takes when the action is missing or unknown', async () => {
    const missing = await sentinel(['outbox', '--config', ws.configFile]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Usage: sentinel outbox retry [--config FILE]');
    const unknown = await sentinel(['outbox', 'flush', '--config', ws.configFile]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown outbox action "flush"');
  });
});
