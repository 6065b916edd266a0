// The generic webhook through the shared delivery machinery, against a loopback receiver: the body,
// the signature, the idempotency key, retries, Retry-After, dead letters, routing, redaction, and
// that neither the URL nor the secret ever reaches a log line.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookDestinationConfig } from '../../src/config/config-types.js';
import type { Notifier } from '../../src/notify/notifier.js';
import { sendTestAlert } from '../../src/notify/notify-test.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createRedactor } from '../../src/redact/redactor.js';
import { startWebhookReceiver, verify, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { alert, diagnosis, incident, logEvent } from './alerts.js';
import { build, capturingLogger, counter, listJson, notifyConfig, tempDir, waitFor } from './helpers.js';

const SECRET = 'whsec-test-4f1c2a9e';

let receiver: WebhookReceiver;
let state: { dir: string; cleanup: () => Promise<void> };
const notifiers: Notifier[] = [];

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  state = await tempDir();
});
afterEach(async () => {
  for (const n of notifiers.splice(0)) await n.stop(100);
  await receiver.close();
  await state.cleanup();
});

function hook(over: Partial<WebhookDestinationConfig> = {}): WebhookDestinationConfig {
  return { name: 'ops', url: receiver.url('/hook/T0K3N-in-path'), secret: SECRET, rate_per_sec: 50, ...over };
}

function start(webhooks: WebhookDestinationConfig[], logger = capturingLogger().logger): ReturnType<typeof build> {
  const built = build({ config: notifyConfig([], { webhooks }), stateDir: state.dir, logger });
  notifiers.push(built.notifier);
  return built;
}

const statuses = (): string => receiver.requests.map((r) => r.status).join(',');

describe('generic webhook', () => {
  it('POSTs the documented body with an idempotency key and a valid signature', async () => {
    const { notifier, metrics } = start([hook()]);
    await notifier.start();
    const a = alert();
    await notifier.send(a);
    await notifier.drain(5000);
    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0]!;
    expect(req.path).toBe('/hook/T0K3N-in-path');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['idempotency-key']).toBe(a.key);
    expect(req.headers['x-sentinel-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verify(req, SECRET)).toBe(true);
    expect(verify(req, 'another-secret')).toBe(false);
    // A replayed request with a stale timestamp is refused by the receiver's check.
    expect(verify(req, SECRET, Date.now() + 10 * 60_000)).toBe(false);
    // Tampering with one byte of the body breaks the signature.
    expect(verify({ ...req, raw: req.raw.replace('"critical"', '"info"') }, SECRET)).toBe(false);

    const body = JSON.parse(req.raw) as { text: string };
    expect(body).toMatchObject({
      version: 1,
      idempotencyKey: a.key,
      status: 'opened',
      severity: 'critical',
      fingerprint: 'fp-transform-div0',
      labels: { team: 'data' },
      incident: { id: 'inc-1', rule: { id: 'step-failed' }, pipeline: 'aio_pipeline', step: 'transform_data', count: 3, status: 'open' },
      diagnosis: { category: 'code_bug', location: { file: 'pipeline/steps/transform.ts', line: 57 }, retryable: false, engine: 'builtin' },
      sender: { name: 'pipeline-sentinel' },
    });
    expect(body.text).toContain('Step transform_data failed');
    expect(await counter(metrics, 'alertsSent', { notifier: 'ops', outcome: 'ok' })).toBe(1);
    expect(await listJson(join(state.dir, 'outbox', 'ops'))).toEqual([]);
  });

  it('sends no signature headers without a secret', async () => {
    const { notifier } = start([hook({ secret: undefined })]);
    await notifier.start();
    await notifier.send(alert());
    await notifier.drain(5000);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers['x-sentinel-signature']).toBeUndefined();
    expect(receiver.requests[0]!.headers['x-sentinel-timestamp']).toBeUndefined();
  });

  it('maps re-alerts, resolutions and digests to their status', async () => {
    const { notifier } = start([hook()]);
    await notifier.start();
    await notifier.send(alert({ kind: 'repeated' }));
    await notifier.send(alert({ kind: 'resolved', incident: incident({ status: 'resolved', resolvedAt: Date.UTC(2026, 10, 25, 10) }) }));
    await notifier.send(alert({ kind: 'digest', incident: undefined, incidents: [incident({ id: 'inc-a' }), incident({ id: 'inc-b', fingerprint: 'fp-b' })] }));
    await notifier.drain(5000);
    const bodies = receiver.accepted();
    expect(bodies.map((b) => b.status)).toEqual(['re-alert', 'resolved', 'digest']);
    expect(bodies[1]).toMatchObject({ incident: { status: 'resolved', resolvedAt: '2026-11-25T10:00:00.000Z' } });
    expect(bodies[2]).toMatchObject({ fingerprint: null, incident: null, omitted: 0 });
    expect((bodies[2]!.incidents as Array<{ id: string; diagnosis: unknown }>).map((i) => i.id)).toEqual(['inc-a', 'inc-b']);
  });

  it('500 then 200: retried with back-off and delivered once, under the same idempotency key', async () => {
    receiver.answer(500, 502, 200);
    const { notifier, metrics } = start([hook()]);
    await notifier.start();
    const a = alert();
    await notifier.send(a);
    await waitFor(() => receiver.accepted().length === 1, statuses);
    await notifier.drain(5000);
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 502, 200]);
    expect(new Set(receiver.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set([a.key]));
    expect(receiver.requests.every((r) => verify(r, SECRET))).toBe(true);
    expect(await counter(metrics, 'alertRetries', { notifier: 'ops', reason: 'server_error' })).toBe(2);
    expect(await counter(metrics, 'alertsSent', { notifier: 'ops', outcome: 'ok' })).toBe(1);
  });

  it('honours Retry-After on 429', async () => {
    receiver.answer({ status: 429, retryAfter: '1' });
    const { notifier } = start([hook()]);
    await notifier.start();
    await notifier.send(alert());
    await waitFor(() => receiver.accepted().length === 1, statuses);
    const [first, second] = receiver.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it.each([410, 400])('%i: a permanent failure, not retried, moved to dead/ with the reason', async (status) => {
    receiver.answer({ status, body: status === 410 ? 'hook_gone' : 'bad_body' });
    const cap = capturingLogger();
    const { notifier, metrics } = start([hook()], cap.logger);
    await notifier.start();
    const a = alert();
    await notifier.send(a);
    await notifier.drain(5000);
    expect(receiver.requests).toHaveLength(1);
    expect(await listJson(join(state.dir, 'outbox', 'ops'))).toEqual([]);
    const dead = await listJson(join(state.dir, 'outbox', 'ops', 'dead'));
    expect(dead).toHaveLength(1);
    const letter = JSON.parse(await readFile(join(state.dir, 'outbox', 'ops', 'dead', dead[0]!), 'utf8')) as { key: string; dead: { reason: string } };
    expect(letter.key).toBe(a.key);
    expect(letter.dead.reason).toBe(status === 410 ? 'hook_gone' : 'bad_body');
    expect(await counter(metrics, 'alertsSent', { notifier: 'ops', outcome: 'permanent_error' })).toBe(1);
    expect(cap.lines().filter((l) => l.code === 'SENTINEL_ERR_DELIVERY_PERMANENT')).toHaveLength(1);
  });

  it('does not follow a redirect (the signed body would go to a host nobody configured)', async () => {
    receiver.answer({ status: 307, location: 'http://127.0.0.1:1/elsewhere' });
    const { notifier } = start([hook()]);
    await notifier.start();
    await notifier.send(alert());
    await notifier.drain(5000);
    expect(receiver.requests).toHaveLength(1);
    expect(await listJson(join(state.dir, 'outbox', 'ops', 'dead'))).toHaveLength(1);
  });

  it('routes by severities and labels', async () => {
    const { notifier, metrics } = start([hook({ severities: ['critical'] }), hook({ name: 'data-team', labels: { team: 'data' } }), hook({ name: 'web-team', labels: { team: 'web' } })]);
    await notifier.start();
    await notifier.send(alert({ severity: 'critical' }));
    await notifier.send(alert({ severity: 'warning' }));
    await notifier.drain(5000);
    expect(await counter(metrics, 'alertsSent', { notifier: 'ops', outcome: 'ok' })).toBe(1);
    expect(await counter(metrics, 'alertsSent', { notifier: 'data-team', outcome: 'ok' })).toBe(2);
    expect(await counter(metrics, 'alertsSent', { notifier: 'web-team', outcome: 'ok' })).toBe(0);
    expect(receiver.requests).toHaveLength(3);
  });

  it('never sends a secret from a log, nor logs the URL or the signing secret', async () => {
    receiver.answer(500, 404);
    const cap = capturingLogger();
    const { notifier } = start([hook()], cap.logger);
    await notifier.start();
    const line = 'connect postgresql://etl:S3cr3tPw@db/w failed password=hunter2 key=AKIAIOSFODNN7EXAMPLE';
    await notifier.send(
      alert({ incident: incident({ title: `DB down ${line}`, samples: [logEvent(line)], diagnosis: diagnosis({ summary: line, rootCause: line, evidence: [line], fix: [line] }) }) }),
    );
    await notifier.drain(5000);
    const everything = receiver.requests.map((r) => r.raw).join('\n') + (await readFile(join(state.dir, 'outbox', 'ops', 'dead', (await listJson(join(state.dir, 'outbox', 'ops', 'dead')))[0]!), 'utf8'));
    for (const secret of ['S3cr3tPw', 'hunter2', 'AKIAIOSFODNN7EXAMPLE']) expect(everything).not.toContain(secret);
    const logs = JSON.stringify(cap.lines());
    expect(cap.lines().length).toBeGreaterThan(0);
    expect(logs).not.toContain('T0K3N-in-path');
    expect(logs).not.toContain(SECRET);
  });

  it('keeps a damaged webhook outbox file in dead/ and sends what could be read of it', async () => {
    const dir = join(state.dir, 'outbox', 'ops');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '000000000000001-000000-torn.json'), '{"v":1,"key":"inc-9:opened:1","severity":"error","message":{"version":1,"text":"[ERROR] Step load_orders failed: KeyError');
    const { notifier } = start([hook()]);
    await notifier.start();
    await notifier.drain(5000);
    const [body] = receiver.accepted();
    expect(body).toMatchObject({ idempotencyKey: 'salvaged:inc-9:opened:1', severity: 'error', incident: null });
    expect(body!.text).toContain('Step load_orders failed: KeyError');
    expect(verify(receiver.requests[0]!, SECRET)).toBe(true);
  });

  it('sentinel notify-test posts the sample alert and names the host, never the path or the secret', async () => {
    receiver.answer(200, { status: 404, body: 'no_such_hook' });
    const options = { config: notifyConfig([], { webhooks: [hook()] }), stateDir: state.dir, metrics: createMetrics({ defaultMetrics: false }), logger: capturingLogger().logger, redactor: createRedactor() };
    const [ok] = await sendTestAlert(options);
    expect(ok).toEqual({ destination: 'ops', ok: true, detail: `POST to ${new URL(receiver.url()).origin}, signed: Webhook said 200` });
    expect(verify(receiver.requests[0]!, SECRET)).toBe(true);
    const [refused] = await sendTestAlert(options);
    expect(refused!.ok).toBe(false);
    expect(refused!.detail).toContain('refused: 404 no_such_hook');
    expect(JSON.stringify([ok, refused])).not.toContain('T0K3N');
  });
});
