import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FakeSlack } from '../helpers/fake-slack.js';
import { alert, diagnosis, incident, logEvent } from './alerts.js';
import { build, capturingLogger, counter, listJson, metricText, notifyConfig, useNotifyHarness, waitFor, webhookDest } from './helpers.js';

const h = useNotifyHarness();

const keysOf = (f: FakeSlack): string[] => f.messages.map((m) => /sentinel alert ([^)\s]+)\)/.exec(m.text ?? '')?.[1] ?? '?');
const seen = (): string => `${h.slack.requests.length} requests (${h.slack.requests.map((r) => r.status).join(',')}), ${h.slack.messages.length} messages ${JSON.stringify(keysOf(h.slack))}`;

describe('notifier: webhook delivery', () => {
  it('posts text and blocks through the webhook, empties the outbox and counts the delivery', async () => {
    const { notifier, metrics } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir }));
    await notifier.start();
    const a = alert();
    await notifier.send(a);
    await notifier.drain(5000);
    expect(h.slack.messages).toHaveLength(1);
    const m = h.slack.messages[0]!;
    expect(m.text).toContain(a.key);
    expect(m.blocks?.length).toBeGreaterThan(3);
    expect(m.payload.link_names).toBeUndefined();
    expect(m.payload.parse).toBeUndefined();
    expect(await listJson(join(h.state.dir, 'outbox', 'oncall'))).toEqual([]);
    expect(await counter(metrics, 'alertsSent', { notifier: 'oncall', outcome: 'ok' })).toBe(1);
    expect(await metricText(metrics, 'sentinel_alert_delivery_duration_seconds')).toContain('sentinel_alert_delivery_duration_seconds_count{notifier="oncall"} 1');
    expect(await metricText(metrics, 'sentinel_outbox_depth')).toContain('sentinel_outbox_depth{notifier="oncall"} 0');
    // Series exist from the start, zero included.
    expect(await metricText(metrics, 'sentinel_alerts_sent_total')).toContain('sentinel_alerts_sent_total{notifier="oncall",outcome="permanent_error"} 0');
  });

  it('is durable once send() resolves: the alert is in the outbox before Slack sees it', async () => {
    h.slack.setMode({ mode: 'down' });
    const { notifier } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir }));
    await notifier.start();
    const a = alert();
    await notifier.send(a);
    const files = await listJson(join(h.state.dir, 'outbox', 'oncall'));
    expect(files).toHaveLength(1);
    const stored = JSON.parse(await readFile(join(h.state.dir, 'outbox', 'oncall', files[0]!), 'utf8')) as { key: string };
    expect(stored.key).toBe(a.key);
    expect(notifier.pending()).toBe(1);
  });

  it('never sends a secret from a log or a diagnosis to Slack, nor writes it to the outbox', async () => {
    h.slack.setMode({ mode: 'down' });
    const { notifier } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir }));
    await notifier.start();
    const secrets = ['S3cr3tPw', 'hunter2', 'AKIAIOSFODNN7EXAMPLE', 'xoxb-1234567890-abcdefghij', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig'];
    const line = `connect postgresql://etl:S3cr3tPw@db/w failed password=hunter2 key=AKIAIOSFODNN7EXAMPLE slack=xoxb-1234567890-abcdefghij jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig`;
    await notifier.send(
      alert({
        incident: incident({
          title: `DB down ${line}`,
          samples: [logEvent(line)],
          diagnosis: diagnosis({ summary: line, rootCause: line, evidence: [line], fix: [line] }),
        }),
      }),
    );
    const files = await listJson(join(h.state.dir, 'outbox', 'oncall'));
    const stored = await readFile(join(h.state.dir, 'outbox', 'oncall', files[0]!), 'utf8');
    for (const s of secrets) expect(stored).not.toContain(s);
    h.slack.setMode({ mode: 'ok' });
    await notifier.drain(5000);
    expect(h.slack.messages).toHaveLength(1);
    for (const r of h.slack.requests) for (const s of secrets) expect(r.raw).not.toContain(s);
  });

  it('honours Retry-After on 429', async () => {
    h.slack.setMode({ mode: 'rate-limited', retryAfterSecs: 1, times: 1 });
    const { notifier, metrics } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir }));
    await notifier.start();
    await notifier.send(alert());
    await waitFor(() => h.slack.messages.length === 1, seen);
    expect(h.slack.requests.map((r) => r.status)).toEqual([429, 200]);
    const gap = h.slack.requests[1]!.at - h.slack.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(await counter(metrics, 'alertsSent', { notifier: 'oncall', outcome: 'rate_limited' })).toBe(1);
    expect(await counter(metrics, 'alertRetries', { notifier: 'oncall', reason: 'rate_limited' })).toBe(1);
  });

  it('keeps to rate_per_sec, queueing beyond it', async () => {
    const { notifier } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl(), { rate_per_sec: 5 })]), stateDir: h.state.dir }));
    await notifier.start();
    for (let n = 0; n < 4; n++) await notifier.send(alert());
    await notifier.drain(5000);
    const at = h.slack.requests.map((r) => r.at);
    expect(at).toHaveLength(4);
    for (let n = 1; n < at.length; n++) expect(at[n]! - at[n - 1]!).toBeGreaterThanOrEqual(180);
  });

  it('Slack down for a few seconds then back: every alert delivered, in order, none twice', async () => {
    h.slack.setMode({ mode: 'down', status: 503 });
    const { notifier, metrics } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir }));
    await notifier.start();
    const sent: string[] = [];
    for (let n = 0; n < 6; n++) {
      const a = alert();
      sent.push(a.key);
      await notifier.send(a);
    }
    const outageStart = Date.now();
    // Half the outage (1.5 s) answers 503, the other half drops the connection (a network error).
    await waitFor(() => Date.now() - outageStart >= 1500 && h.slack.requests.length >= 4, seen);
    h.slack.setMode({ mode: 'down', how: 'reset' });
    await waitFor(() => Date.now() - outageStart >= 3000 && h.slack.requests.filter((r) => r.status === 0).length >= 3, seen);
    expect(h.slack.messages).toHaveLength(0);
    h.slack.setMode({ mode: 'ok' });
    await notifier.drain(15_000);
    expect(keysOf(h.slack)).toEqual(sent);
    expect(notifier.pending()).toBe(0);
    expect(await counter(metrics, 'alertsSent', { notifier: 'oncall', outcome: 'retry' })).toBeGreaterThanOrEqual(4);
    expect(await counter(metrics, 'alertRetries', { notifier: 'oncall', reason: 'server_error' })).toBeGreaterThanOrEqual(1);
    expect(await counter(metrics, 'alertRetries', { notifier: 'oncall', reason: 'network' })).toBeGreaterThanOrEqual(1);
    // Back-off is capped: with a 300 ms cap no two attempts are more than ~0.3 s (+ request time) apart.
    const at = h.slack.requests.map((r) => r.at);
    for (let n = 1; n < at.length; n++) expect(at[n]! - at[n - 1]!).toBeLessThan(1500);
  });

  it('a Slack that never answers times out and is retried', async () => {
    h.slack.setMode({ mode: 'down', how: 'hang', times: 1 });
    const { notifier, metrics } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir, requestTimeoutMs: 300 }));
    await notifier.start();
    await notifier.send(alert());
    await notifier.drain(5000);
    expect(h.slack.messages).toHaveLength(1);
    expect(await counter(metrics, 'alertRetries', { notifier: 'oncall', reason: 'timeout' })).toBe(1);
  });

  it('restart with alerts pending in the outbox: all delivered in order, then new ones', async () => {
    h.slack.setMode({ mode: 'down' });
    const first = build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir });
    await first.notifier.start();
    const sent: string[] = [];
    for (let n = 0; n < 5; n++) {
      const a = alert();
      sent.push(a.key);
      await first.notifier.send(a);
    }
    await first.notifier.stop(200);
    await first.notifier.stop(200); // idempotent
    expect(await listJson(join(h.state.dir, 'outbox', 'oncall'))).toHaveLength(5);
    expect(h.slack.messages).toHaveLength(0);

    h.slack.setMode({ mode: 'ok' });
    const second = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir }));
    await second.notifier.start();
    const later = alert();
    await second.notifier.send(later);
    await second.notifier.drain(10_000);
    expect(keysOf(h.slack)).toEqual([...sent, later.key]);
    expect(await listJson(join(h.state.dir, 'outbox', 'oncall'))).toEqual([]);
  });

  it('permanent error: not retried, logged once with the reason, counted, moved to dead/', async () => {
    h.slack.setMode({ mode: 'permanent-error', status: 404, error: 'channel_not_found' });
    const { logger, lines } = capturingLogger();
    const { notifier, metrics } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir, logger }));
    await notifier.start();
    await notifier.send(alert());
    await notifier.send(alert());
    await notifier.drain(5000);
    expect(h.slack.requests).toHaveLength(2);
    expect(await counter(metrics, 'alertsSent', { notifier: 'oncall', outcome: 'permanent_error' })).toBe(2);
    expect(await counter(metrics, 'alertRetries', { notifier: 'oncall' })).toBe(0);
    expect(await listJson(join(h.state.dir, 'outbox', 'oncall'))).toEqual([]);
    const dead = await listJson(join(h.state.dir, 'outbox', 'oncall', 'dead'));
    expect(dead).toHaveLength(2);
    expect(await readFile(join(h.state.dir, 'outbox', 'oncall', 'dead', dead[0]!), 'utf8')).toContain('channel_not_found');
    const errors = lines().filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: 'channel_not_found', code: 'SENTINEL_ERR_SLACK_PERMANENT' });
    // Slack's other permanent answers are not retried either.
    for (const [status, error] of [[400, 'invalid_payload'], [403, 'invalid_token'], [410, 'channel_is_archived'], [404, 'no_service']] as const) {
      h.slack.setMode({ mode: 'permanent-error', status, error });
      const before = h.slack.requests.length;
      await notifier.send(alert());
      await notifier.drain(5000);
      expect(h.slack.requests.length - before).toBe(1);
    }
  });

  it('keeps the outbox bounded: the oldest waiting alert goes to dead/, counted as dropped', async () => {
    h.slack.setMode({ mode: 'down' });
    const { notifier, metrics } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir, maxPendingPerDestination: 3 }));
    await notifier.start();
    const keys: string[] = [];
    for (let n = 0; n < 5; n++) {
      const a = alert();
      keys.push(a.key);
      await notifier.send(a);
    }
    expect(notifier.pending()).toBe(3);
    expect(await counter(metrics, 'alertsSent', { notifier: 'oncall', outcome: 'dropped' })).toBe(2);
    expect(await counter(metrics, 'dropped', { stage: 'notify', reason: 'outbox_full' })).toBe(2);
    await waitFor(async () => (await listJson(join(h.state.dir, 'outbox', 'oncall', 'dead'))).length === 2, () => 'dead letters');
    h.slack.setMode({ mode: 'ok' });
    await notifier.drain(5000);
    // The head (in flight when the queue overflowed) and the two newest survive, in order.
    expect(keysOf(h.slack)).toEqual([keys[0], keys[3], keys[4]]);
  });

  it('keeps an unreadable outbox file in dead/, re-sends what can be read of it, and delivers the rest', async () => {
    const dir = join(h.state.dir, 'outbox', 'oncall');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '000000000000001-000000-broken.json'), '{"v":1,"key":"inc-1:opened:1","severity":"critical","message":{"text":"[CRITICAL] Step load_orders failed: KeyError');
    await writeFile(join(dir, '000000000000002-000000-garbage.json'), '\u0000\u0001not json at all');
    const { notifier } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir }));
    await notifier.start();
    const a = alert();
    await notifier.send(a);
    await notifier.drain(5000);
    expect(keysOf(h.slack)).toEqual(['salvaged:inc-1:opened:1', expect.stringMatching(/^salvaged:.*garbage/), a.key]);
    const [torn, garbage] = h.slack.messages.map((m) => m.text ?? '');
    expect(torn).toContain('Step load_orders failed: KeyError');
    expect(torn).toContain(join(dir, 'dead', '000000000000001-000000-broken.corrupt'));
    expect(garbage).toMatch(/could not be read: `.*000000000000002-000000-garbage.corrupt`/);
    expect((await readdir(join(dir, 'dead'))).sort()).toEqual(['000000000000001-000000-broken.corrupt', '000000000000002-000000-garbage.corrupt']);
  });

  it('sends an alert key only once per run', async () => {
    const { notifier, metrics } = h.track(build({ config: notifyConfig([webhookDest('oncall', h.slack.webhookUrl())]), stateDir: h.state.dir }));
    await notifier.start();
    const a = alert();
    await notifier.send(a);
    await notifier.send(a);
    await notifier.drain(5000);
    await notifier.send(a);
    await notifier.drain(5000);
    expect(h.slack.messages).toHaveLength(1);
    expect(await counter(metrics, 'dropped', { stage: 'notify', reason: 'duplicate' })).toBe(2);
  });
});

describe('notifier: routing and console', () => {
  it('routes by severity and labels, each destination its own outbox', async () => {
    const config = notifyConfig([
      webhookDest('data-oncall', h.slack.webhookUrl('/services/T/B/crit'), { severities: ['critical'] }),
      webhookDest('data-alerts', h.slack.webhookUrl('/services/T/B/warn'), { severities: ['warning', 'error'] }),
      webhookDest('payments', h.slack.webhookUrl('/services/T/B/pay'), { labels: { team: 'payments' } }),
    ]);
    const { notifier } = h.track(build({ config, stateDir: h.state.dir }));
    await notifier.start();
    const crit = alert({ severity: 'critical' });
    const warn = alert({ severity: 'warning' });
    const pay = alert({ incident: incident({ severity: 'critical', rule: { id: 'pay', severity: 'critical', labels: { team: 'payments' } } }) });
    await notifier.send(crit);
    await notifier.send(warn);
    await notifier.send(pay);
    await notifier.drain(5000);
    const byPath = (p: string): string[] => h.slack.messages.filter((m) => m.path === p).map((m) => /sentinel alert ([^)\s]+)\)/.exec(m.text ?? '')?.[1] ?? '?');
    expect(byPath('/services/T/B/crit')).toEqual([crit.key, pay.key]);
    expect(byPath('/services/T/B/warn')).toEqual([warn.key]);
    expect(byPath('/services/T/B/pay')).toEqual([pay.key]);
  });

  it('prints the alert on the console when notify.console is on', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const { notifier, metrics } = h.track(build({ config: notifyConfig([], { console: true }), stateDir: h.state.dir, consoleOut: out }));
    await notifier.start();
    await notifier.send(alert());
    expect(text).toContain('CRITICAL · Step transform_data failed');
    expect(text).toContain('Root cause:');
    expect(await counter(metrics, 'alertsSent', { notifier: 'console', outcome: 'ok' })).toBe(1);
  });
});
