// The Alertmanager destination against a real `prometheus-alertmanager` on loopback: what it holds
// after an incident opens (labels, annotations, endsAt ahead), that open incidents are re-sent and
// stay firing (across a restart too), that a resolution ends the alert and its receiver hears of
// it, and that a dead peer in the list holds nothing up.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertmanagerConfig } from '../../src/config/config-types.js';
import { toAlertmanagerAlert, labelName } from '../../src/notify/destinations/alertmanager-alerts.js';
import { combinePeerResults } from '../../src/notify/destinations/alertmanager.js';
import type { Notifier } from '../../src/notify/notifier.js';
import { createRedactor } from '../../src/redact/redactor.js';
import { startAlertmanagers, type AlertmanagerCluster, type GettableAlert } from '../helpers/alertmanager.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { alert, incident } from './alerts.js';
import { waitFor } from '../helpers/wait.js';
import { build, listJson, notifyConfig, tempDir } from './helpers.js';

let receiver: WebhookReceiver;
let am: AlertmanagerCluster;
let state: { dir: string; cleanup: () => Promise<void> };
const notifiers: Notifier[] = [];

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  am = await startAlertmanagers(1, receiver.url('/alertmanager'));
  state = await tempDir();
});
afterEach(async () => {
  for (const n of notifiers.splice(0)) await n.stop(100);
  await am.stop();
  await receiver.close();
  await state.cleanup();
});

function start(over: Partial<AlertmanagerConfig> = {}, member = 'etl-pod-7'): Notifier {
  const alertmanager: AlertmanagerConfig = { name: 'alertmanager', urls: am.urls, resend_interval_secs: 60, ...over };
  const { notifier } = build({ config: notifyConfig([], { alertmanager }), stateDir: state.dir, member });
  notifiers.push(notifier);
  return notifier;
}

let lastSeen = '';
/** The alerts Alertmanager holds; the last answer is what a failed wait reports. */
async function held(): Promise<GettableAlert[]> {
  const alerts = await am.peers[0]!.alerts();
  lastSeen = JSON.stringify(alerts).slice(0, 1500);
  return alerts;
}
const seen = (): string => lastSeen;

describe('Alertmanager destination', () => {
  it('an opened incident is one active alert: identifying labels, the diagnosis in annotations, endsAt four intervals ahead', async () => {
    const notifier = start();
    await notifier.start();
    const sentAt = Date.now();
    await notifier.send(alert({ incident: incident({ rule: { id: 'step-failed', severity: 'critical', labels: { team: 'data', 'cost-center': 'etl' }, runbook: 'https://runbooks.example.com/etl' } }) }));
    await notifier.drain(5000);
    const [a] = await waitFor('the alert in Alertmanager', async () => ((await held()).length === 1 ? held() : undefined), {}, seen);
    expect(a!.labels).toEqual({ alertname: 'step-failed', severity: 'critical', fingerprint: 'fp-transform-div0', pipeline: 'aio_pipeline', step: 'transform_data', team: 'data', cost_center: 'etl' });
    expect(a!.annotations).toMatchObject({
      summary: 'transform_data divides by a row count that is zero for an empty batch.',
      root_cause: expect.stringContaining('throws RangeError'),
      fix: expect.stringMatching(/^1\. Guard the empty batch/),
      location: 'pipeline/steps/transform.ts:57 in averageAmount',
      runbook_url: 'https://runbooks.example.com/etl',
      agent: 'etl-pod-7',
      run_id: 'run-20261125-0914',
      count: '3',
    });
    expect(a!.status.state).toBe('active');
    const endsIn = Date.parse(a!.endsAt) - sentAt;
    expect(endsIn).toBeGreaterThan(3 * 60_000);
    expect(endsIn).toBeLessThan(4 * 60_000 + 30_000);
    await waitFor('the firing notification', () => receiver.accepted().some((b) => b.status === 'firing'), {}, () => JSON.stringify(receiver.accepted()));
  });

  it('re-sends open incidents every interval, also after a restart, and a resolution ends the alert', async () => {
    const first = start({ resend_interval_secs: 1 });
    await first.start();
    const inc = incident();
    await first.send(alert({ incident: inc }));
    await first.drain(5000);
    const updated = async (): Promise<number> => Date.parse((await held())[0]?.updatedAt ?? '0');
    const t0 = await waitFor('the alert in Alertmanager', async () => (await updated()) || undefined, {}, seen);
    await waitFor('a re-send (updatedAt moves)', async () => (await updated()) > t0, { timeoutMs: 5_000 }, seen);

    await first.stop(1000);
    const second = start({ resend_interval_secs: 1 });
    await second.start();
    const t1 = await updated();
    await waitFor('a re-send by the restarted agent', async () => (await updated()) > t1, { timeoutMs: 5_000 }, seen);

    await second.send(alert({ kind: 'resolved', incident: { ...inc, status: 'resolved', resolvedAt: Date.now() } }));
    await second.drain(5000);
    await waitFor('no active alert left', async () => (await held()).length === 0, { timeoutMs: 5_000 }, seen);
    await waitFor('the resolved notification', () => receiver.accepted().some((b) => b.status === 'resolved'), { timeoutMs: 10_000 }, () => JSON.stringify(receiver.accepted().map((b) => b.status)));
    // Resolved means no longer re-sent: the firing set the resend loop reads is empty, on disk too.
    expect(JSON.parse(await readFile(join(state.dir, 'alertmanager', 'alertmanager-firing.json'), 'utf8'))).toEqual({});
  });

  it('a dead peer listed first holds nothing up: delivered through the live one', async () => {
    const notifier = start({ urls: ['http://127.0.0.1:1', ...am.urls] });
    await notifier.start();
    await notifier.send(alert());
    await notifier.drain(5000);
    expect(await listJson(join(state.dir, 'outbox', 'alertmanager'))).toEqual([]);
    await waitFor('the alert in the live Alertmanager', async () => (await held()).length === 1, {}, seen);
  });
});

describe('Alertmanager alerts (pure)', () => {
  it('are labelled the same by every agent; who saw it goes into annotations', () => {
    const r = createRedactor();
    const a = toAlertmanagerAlert(incident({ runId: 'run-a', file: '/pod-a/etl.log' }), r, 'pod-a');
    const b = toAlertmanagerAlert(incident({ runId: 'run-b', file: '/pod-b/etl.log' }), r, 'pod-b');
    expect(a.labels).toEqual(b.labels);
    expect([a.annotations.agent, b.annotations.agent]).toEqual(['pod-a', 'pod-b']);
    expect(labelName('9-lives.x')).toBe('_9_lives_x');
  });

  it('combine the peers: delivered if any took it, else the gentlest retry', () => {
    const ok = { outcome: 'ok', detail: '200' } as const;
    const down = { outcome: 'transient', reason: 'network', detail: 'ECONNREFUSED' } as const;
    const gone = { outcome: 'permanent', reason: '400', detail: '400 bad' } as const;
    expect(combinePeerResults([down, ok])).toMatchObject({ outcome: 'ok', detail: '1/2 peers accepted; ECONNREFUSED' });
    expect(combinePeerResults([down, gone])).toMatchObject({ outcome: 'transient' });
    expect(combinePeerResults([gone, gone])).toMatchObject({ outcome: 'permanent' });
    expect(combinePeerResults([{ outcome: 'rate_limited', retryAfterMs: 3000, detail: '429' }, down])).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 3000 });
  });
});
