import { describe, expect, it } from 'vitest';
import type { SlackDestinationConfig } from '../../src/config/config-types.js';
import type { Notifier } from '../../src/notify/notifier.js';
import { alert, incident } from './alerts.js';
import { build, counter, notifyConfig, useNotifyHarness, waitFor } from './helpers.js';

const h = useNotifyHarness();

function botDest(): SlackDestinationConfig {
  return { name: 'oncall-bot', bot_token: 'xoxb-test-token-0000', channel: 'C0ONCALL', api_url: h.slack.apiUrl, rate_per_sec: 50 };
}

function start(): Notifier {
  return h.track(build({ config: notifyConfig([botDest()]), stateDir: h.state.dir })).notifier;
}

describe('notifier: bot-token mode (chat.postMessage)', () => {
  it('posts the first alert of an incident, threads repeats and the resolution under it, across a restart', async () => {
    const n1 = start();
    await n1.start();
    const a = incident({ fingerprint: 'fp-a', id: 'inc-a' });
    const b = incident({ fingerprint: 'fp-b', id: 'inc-b', title: 'Step load_data failed' });
    await n1.send(alert({ kind: 'opened', incident: a }));
    await n1.send(alert({ kind: 'repeated', incident: { ...a, count: 5 } }));
    await n1.send(alert({ kind: 'opened', incident: b }));
    await n1.drain(5000);
    expect(h.slack.messages.map((m) => m.api)).toEqual(['chat.postMessage', 'chat.postMessage', 'chat.postMessage']);
    const [openA, repeatA, openB] = h.slack.messages;
    expect(openA!.channel).toBe('C0ONCALL');
    expect(openA!.thread_ts).toBeUndefined();
    expect(repeatA!.thread_ts).toBe(openA!.ts);
    expect(openB!.thread_ts).toBeUndefined();
    // The idempotency key also travels as message metadata.
    expect(openA!.metadata).toMatchObject({ event_type: 'sentinel_alert' });
    expect(openA!.payload.link_names).toBeUndefined();
    await n1.stop(1000);

    // The thread map lives in state_dir: after a restart the resolution still lands in A's thread.
    const n2 = start();
    await n2.start();
    await n2.send(alert({ kind: 'resolved', incident: { ...a, status: 'resolved', resolvedAt: a.lastSeen + 60_000 } }));
    await n2.drain(5000);
    const resolved = h.slack.messages[3]!;
    expect(resolved.thread_ts).toBe(openA!.ts);
    expect(resolved.reply_broadcast).toBe(true);
    expect(resolved.text).toContain('RESOLVED');

    // The same failure again after its resolution: a new incident, a new thread.
    await n2.send(alert({ kind: 'opened', incident: { ...a, id: 'inc-a2' } }));
    await n2.send(alert({ kind: 'repeated', incident: { ...a, id: 'inc-a2', count: 2 } }));
    await n2.drain(5000);
    const [reopened, again] = h.slack.messages.slice(4);
    expect(reopened!.thread_ts).toBeUndefined();
    expect(again!.thread_ts).toBe(reopened!.ts);
  });

  it('honours a Web API 429 Retry-After and does not retry a platform error', async () => {
    h.slack.setMode({ mode: 'rate-limited', retryAfterSecs: 1, times: 1 });
    const { notifier, metrics } = h.track(build({ config: notifyConfig([botDest()]), stateDir: h.state.dir }));
    await notifier.start();
    await notifier.send(alert());
    await waitFor(() => h.slack.messages.length === 1, () => JSON.stringify(h.slack.requests.map((r) => [r.api, r.status])));
    expect(h.slack.requests[1]!.at - h.slack.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(await counter(metrics, 'alertsSent', { notifier: 'oncall-bot', outcome: 'rate_limited' })).toBe(1);

    h.slack.setMode({ mode: 'permanent-error', error: 'channel_not_found' });
    const before = h.slack.requests.length;
    await notifier.send(alert());
    await notifier.drain(5000);
    expect(h.slack.requests.length - before).toBe(1);
    expect(await counter(metrics, 'alertsSent', { notifier: 'oncall-bot', outcome: 'permanent_error' })).toBe(1);
  });
});
