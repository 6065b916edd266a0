// The generic webhook through a real agent process and a loopback receiver: a failing pipeline
// line becomes a signed POST; 500 then 200 is retried and delivered once; 410 lands in dead/; a
// severity filter holds; an agent SIGKILLed while the POST is in flight delivers it after restart.
import { appendFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, metricValue, scrape, startReadyAgent, workspaceBaseYaml, type Workspace } from '../helpers/agent-workspace.js';
import type { RunningProcess } from '../helpers/sentinel-process.js';
import { stepFailedLine } from '../helpers/step-failed-line.js';
import { waitFor } from '../helpers/wait.js';
import { startWebhookReceiver, verify, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'e2e-signing-secret-77c1';
const PATH_TOKEN = '/hooks/PATHTOKEN9f3e';

const running: RunningProcess[] = [];
let receiver: WebhookReceiver;
let ws: Workspace;

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  ws = createWorkspace();
  // Two webhooks: `ops` takes everything, `warnings` only warnings (a step failure is critical).
  writeFileSync(
    ws.configFile,
    [
      ...workspaceBaseYaml(ws),
      'rules:',
      '  - id: step-failed',
      '    match: { regex: "failed" }',
      '    severity: critical',
      '    labels: { team: data }',
      'notify:',
      '  webhooks:',
      '    - { name: ops, url: "${HOOK_URL}", secret: "${HOOK_SECRET}" }',
      '    - { name: warnings, url: "${HOOK_URL}", severities: [warning] }',
      '  max_retry_delay_ms: 300',
      'brain: { url: embedded }',
      '',
    ].join('\n'),
  );
  writeFileSync(ws.logFile, '');
});

afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  await receiver.close();
  rmSync(ws.dir, { recursive: true, force: true });
});
afterAll(() => {
  for (const p of running) p.kill('SIGKILL');
});

const env = (): NodeJS.ProcessEnv => ({ HOOK_URL: receiver.url(PATH_TOKEN), HOOK_SECRET: SECRET });
const jsonFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
};
const seen = (): string => receiver.requests.map((r) => `${r.status} ${r.raw.slice(0, 80)}`).join(' | ');

describe('generic webhook through the agent', () => {
  it('a failure becomes one signed POST with incident, diagnosis and labels; the warnings-only hook gets nothing', async () => {
    const { agent, port } = await startReadyAgent(ws.configFile, env(), running);
    appendFileSync(ws.logFile, stepFailedLine('load_orders'));
    const [body] = await waitFor('the alert at the receiver', () => (receiver.accepted().length > 0 ? receiver.accepted() : undefined), { timeoutMs: 15_000 }, seen);
    const req = receiver.requests[0]!;
    expect(verify(req, SECRET)).toBe(true);
    expect(body).toMatchObject({ version: 1, status: 'opened', severity: 'critical', labels: { team: 'data' }, incident: { step: 'load_orders', count: 1 } });
    expect((body!.diagnosis as { rootCause: string }).rootCause.length).toBeGreaterThan(0);
    expect(req.headers['idempotency-key']).toBe(body!.idempotencyKey);

    // The receiver answered before the agent read the answer: wait for the agent to count it.
    const metrics = await waitFor('the delivery counted', async () => {
      const text = await scrape(port);
      return metricValue(text, 'sentinel_alerts_sent_total{notifier="ops",outcome="ok"}') === 1 ? text : undefined;
    });
    expect(metricValue(metrics, 'sentinel_alerts_sent_total{notifier="warnings",outcome="ok"}')).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    expect(jsonFiles(join(ws.stateDir, 'outbox', 'warnings'))).toEqual([]);

    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    const logs = agent.stdout() + agent.stderr();
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain('PATHTOKEN9f3e');
  }, 30_000);

  it('500 then 200: retried and delivered once', async () => {
    receiver.answer(500, 200);
    await startReadyAgent(ws.configFile, env(), running);
    appendFileSync(ws.logFile, stepFailedLine('transform_orders'));
    await waitFor('the retried alert accepted', () => receiver.accepted().length === 1, { timeoutMs: 15_000 }, seen);
    await waitFor('the outbox empty', () => jsonFiles(join(ws.stateDir, 'outbox', 'ops')).length === 0, { timeoutMs: 5_000 });
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(receiver.requests[0]!.headers['idempotency-key']).toBe(receiver.requests[1]!.headers['idempotency-key']);
  }, 30_000);

  it('410: a dead letter, not retried', async () => {
    receiver.answer({ status: 410, body: 'hook_removed' });
    const { agent } = await startReadyAgent(ws.configFile, env(), running);
    appendFileSync(ws.logFile, stepFailedLine('publish_orders'));
    const dead = join(ws.stateDir, 'outbox', 'ops', 'dead');
    await waitFor('the refused alert in dead/', () => jsonFiles(dead).length === 1, { timeoutMs: 15_000 }, seen);
    expect(receiver.requests.map((r) => r.status)).toEqual([410]);
    expect(agent.stdout()).toContain('SENTINEL_ERR_DELIVERY_PERMANENT');
  }, 30_000);

  it('SIGKILL while the POST is in flight: the alert is still in the outbox and is delivered after restart', async () => {
    receiver.hold();
    const first = await startReadyAgent(ws.configFile, env(), running);
    appendFileSync(ws.logFile, stepFailedLine('export_orders'));
    await waitFor('the POST in flight', () => receiver.requests.length === 1, { timeoutMs: 15_000 }, seen);
    const outbox = join(ws.stateDir, 'outbox', 'ops');
    expect(jsonFiles(outbox)).toHaveLength(1);
    first.agent.kill('SIGKILL');
    await first.agent.exited;
    await waitFor('the receiver to see the sender gone', () => receiver.requests[0]!.status === -1, { timeoutMs: 5_000 }, seen);
    receiver.release();
    expect(receiver.accepted()).toEqual([]);

    await startReadyAgent(ws.configFile, env(), running);
    await waitFor('the alert delivered after restart', () => receiver.accepted().length === 1, { timeoutMs: 15_000 }, seen);
    await waitFor('the outbox empty', () => jsonFiles(outbox).length === 0, { timeoutMs: 5_000 });
    const [killed, delivered] = receiver.requests;
    expect(delivered!.headers['idempotency-key']).toBe(killed!.headers['idempotency-key']);
    expect(verify(delivered!, SECRET)).toBe(true);
    expect(receiver.accepted()[0]).toMatchObject({ status: 'opened', incident: { step: 'export_orders' } });
  }, 40_000);
});
