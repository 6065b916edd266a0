// Alertmanager as a destination: `notify.alertmanager: {urls: [...]}`. Like Prometheus, every
// alert goes to every listed peer (`POST <url>/api/v2/alerts`): an HA cluster deduplicates the
// notifications by gossip, but each peer must hold the alert itself.
//
// Delivery goes through the shared outbox and queue; an attempt counts as delivered once one peer
// accepted it, so one dead peer never holds up the queue. The resend loop then brings every peer
// up to date: open incidents are re-sent every `resend_interval_secs` with `endsAt` four intervals
// ahead (Prometheus's rule), so Alertmanager keeps them firing while the agent lives and resolves
// them on its own if the agent dies; a resolution is sent with `endsAt` = when it resolved. The
// open set is kept in state_dir so a restarted agent goes on re-sending.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AlertmanagerConfig, NotifyConfig } from '../../config/config-types.js';
import { destinationDir, routes, type DeliveryResult, type Destination, type DestinationContext } from '../destination.js';
import { createFingerprintStore } from '../fingerprint-store.js';
import { classifyFetchError, classifyHttp } from '../http-outcome.js';
import { buildAlertmanagerPayload, isAlertmanagerPayload, type AlertmanagerAlert, type AlertmanagerPayload } from './alertmanager-alerts.js';

/** Alerts kept firing at most. */
const MAX_ACTIVE = 10_000;
/** Alertmanager validity per send, in resend intervals (Prometheus uses 4). */
const VALIDITY_INTERVALS = 4;

function alertsUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/v2/alerts`;
}

/** One answer for the queue from every peer's: delivered when any peer took it. */
export function combinePeerResults(results: DeliveryResult[]): DeliveryResult {
  const ok = results.find((r) => r.outcome === 'ok');
  const failed = results.filter((r) => r.outcome !== 'ok');
  if (ok) return { outcome: 'ok', detail: `${results.length - failed.length}/${results.length} peers accepted${failed.length ? `; ${failed.map((f) => f.detail).join('; ')}` : ''}` };
  const limited = results.filter((r): r is Extract<DeliveryResult, { outcome: 'rate_limited' }> => r.outcome === 'rate_limited');
  if (limited.length > 0) return { outcome: 'rate_limited', retryAfterMs: Math.min(...limited.map((r) => r.retryAfterMs)), detail: limited.map((r) => r.detail).join('; ') };
  const transient = results.find((r) => r.outcome === 'transient');
  if (transient) return { ...transient, detail: results.map((r) => r.detail).join('; ') };
  return results[0] ?? { outcome: 'permanent', reason: 'no_peers', detail: 'notify.alertmanager.urls is empty' };
}

const isAlert = (v: unknown): v is AlertmanagerAlert => typeof (v as Partial<AlertmanagerAlert> | null)?.labels?.fingerprint === 'string';

export function createAlertmanagerDestination(config: AlertmanagerConfig, ctx: DestinationContext): Destination<AlertmanagerPayload> {
  const doFetch = ctx.fetch ?? globalThis.fetch;
  const member = ctx.member ?? hostname();
  const intervalMs = config.resend_interval_secs * 1000;
  // The firing alerts by fingerprint; beyond MAX_ACTIVE the oldest leaves the resend set (and ends on its own).
  const active = createFingerprintStore(join(ctx.stateDir, 'alertmanager', `${destinationDir(config.name)}-firing.json`), isAlert, MAX_ACTIVE);
  const log = ctx.logger.child({ notifier: config.name });
  let timer: NodeJS.Timeout | null = null;
  let resendFailing = false;

  /** Firing alerts carry `endsAt` ahead of now; resolved ones when they ended. Stamped per attempt. */
  function stamped(payload: AlertmanagerPayload): AlertmanagerAlert[] {
    const endsAt = payload.firing ? new Date(ctx.now() + VALIDITY_INTERVALS * intervalMs).toISOString() : (payload.endedAt ?? new Date(ctx.now()).toISOString());
    return payload.alerts.map((a) => ({ ...a, endsAt }));
  }

  async function postToPeer(url: string, body: string): Promise<DeliveryResult> {
    try {
      const res = await doFetch(alertsUrl(url), { method: 'POST', headers: { 'content-type': 'application/json' }, body, redirect: 'manual', signal: AbortSignal.timeout(ctx.timeoutMs) });
      const answer = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
      if (res.status >= 200 && res.status < 300) return { outcome: 'ok', detail: String(res.status) };
      return classifyHttp(res.status, answer, res.headers.get('retry-after'));
    } catch (err) {
      return classifyFetchError(err);
    }
  }

  async function postToAll(alerts: AlertmanagerAlert[]): Promise<DeliveryResult> {
    const body = JSON.stringify(alerts);
    return combinePeerResults(await Promise.all(config.urls.map((url) => postToPeer(url, body))));
  }

  async function resend(): Promise<void> {
    const alerts = active.values();
    if (alerts.length > 0) {
      const result = await postToAll(stamped({ alertmanager: 1, firing: true, alerts }));
      const failing = result.outcome !== 'ok' || result.detail.includes(';');
      // Once per outage: a peer down for an hour must not log a line a minute.
      if (failing && !resendFailing) log.warn({ code: 'SENTINEL_ERR_DELIVERY_TRANSIENT', detail: result.detail, firing: alerts.length }, 'Alertmanager: re-sending open incidents failed on some peers; trying again next interval.');
      if (!failing && resendFailing) log.info({ firing: alerts.length }, 'Alertmanager: every peer takes the open incidents again.');
      resendFailing = failing;
    }
    if (timer) timer.refresh();
  }

  return {
    name: config.name,
    label: 'Alertmanager',
    describe: `POST /api/v2/alerts to ${config.urls.length} peer${config.urls.length === 1 ? '' : 's'}`,
    ratePerSec: 20,
    wants: (alert) => routes(config, alert),
    render: (alert) => [{ key: alert.key, payload: buildAlertmanagerPayload(alert, ctx.redactor, member) }],
    post: (record) => postToAll(stamped(record.message)),
    isPayload: isAlertmanagerPayload,
    // A damaged outbox file names no incident Alertmanager could identify; the log line about it is the report.
    salvage: () => ({ alertmanager: 1, firing: false, alerts: [] }),
    async load(onCorrupt) {
      await active.load(onCorrupt);
      // Not a setInterval: a slow round never overlaps the next; refresh() re-arms after each.
      timer = setTimeout(() => void resend().catch((err: unknown) => log.warn({ err }, 'Alertmanager resend failed.')), intervalMs);
      timer.unref();
      if (active.values().length > 0) void resend().catch(() => undefined);
    },
    async delivered(record) {
      const { firing, alerts } = record.message;
      await active.update(alerts.map((a) => [a.labels.fingerprint ?? '', firing ? a : null] as const)).catch((err: unknown) => {
        ctx.metrics.stateWriteErrors.inc({ kind: 'outbox' });
        log.warn({ err }, 'Could not persist the open Alertmanager alerts; a restart may stop re-sending some.');
      });
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
      return Promise.resolve();
    },
  };
}

export function alertmanagerDestinations(config: NotifyConfig, ctx: DestinationContext): Destination[] {
  return config.alertmanager ? [createAlertmanagerDestination(config.alertmanager, ctx) as Destination] : [];
}
