// The notify stage: routes each alert to the destinations that want it. Immediate ones (the
// console) are written at once; every other destination gets its own durable delivery queue
// (outbox, rate limit, retries, dead letters), whatever it is: see destination.ts.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { NotifyConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import { initNotifierSeries, type Metrics } from '../metrics/metrics.js';
import type { Redactor } from '../redact/redactor.js';
import type { Alert } from '../types.js';
import { createDeliveryQueue, type DeliveryQueue } from './delivery-queue.js';
import { destinationDir, type Destination, type DestinationContext, type OutboxRecord } from './destination.js';
import { buildDestinations } from './destination-registry.js';
import { createOutbox } from './outbox.js';

export { destinationDir };

export interface NotifierOptions {
  config: NotifyConfig;
  stateDir: string;
  metrics: Metrics;
  logger: Logger;
  redactor: Redactor;
  now?: () => number;
  /** Where console alerts go; default process.stdout. */
  consoleOut?: NodeJS.WritableStream;
  fetch?: typeof fetch;
  /** First retry delay for transient failures (doubles up to `config.max_retry_delay_ms`). Default 500. */
  retryBaseDelayMs?: number;
  /** Per-request timeout. Default 10 000. */
  requestTimeoutMs?: number;
  /** Most alerts waiting per destination. Default 1000. */
  maxPendingPerDestination?: number;
  /** Jitter source, for tests. */
  random?: () => number;
  /** This agent's name in what destinations show (Alertmanager annotations); default the hostname. */
  member?: string;
}

export interface Notifier {
  /** Loads the outboxes from stateDir and starts delivering anything pending (after a crash). */
  start(): Promise<void>;
  /** Durable once resolved: written to the outbox before it is sent. Never throws on a destination's failures. */
  send(alert: Alert): Promise<void>;
  /** Resolves when every queued alert has been delivered or permanently failed, or after `deadlineMs` milliseconds. */
  drain(deadlineMs: number): Promise<void>;
  /** Idempotent: drains for up to `deadlineMs`, keeps the rest in the outbox for the next start. */
  stop(deadlineMs?: number): Promise<void>;
  pending(): number;
  /** Queues alerts put back into an outbox from outside (`sentinel outbox retry`); a stat per destination when nothing changed. */
  adopt(): Promise<void>;
}

/** The outbox records of an alert for one destination: one, or one per part of a digest too long for one message. */
export function toOutboxRecords(dest: Destination, alert: Alert, now: number): OutboxRecord[] {
  return dest.render(alert).map(({ key, payload }) => ({
    v: 1,
    key,
    kind: alert.kind,
    severity: alert.severity,
    createdAt: alert.createdAt,
    enqueuedAt: now,
    ...(alert.incident ? { fingerprint: alert.incident.fingerprint } : {}),
    message: payload,
  }));
}

/** The context destination factories get: no process.env, no globals beyond what the options name. */
export function destinationContext(options: NotifierOptions): DestinationContext {
  return {
    stateDir: options.stateDir,
    metrics: options.metrics,
    logger: options.logger.child({ stage: 'notify' }),
    redactor: options.redactor,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    timeoutMs: options.requestTimeoutMs ?? 10_000,
    consoleOut: options.consoleOut ?? process.stdout,
    now: options.now ?? Date.now,
    ...(options.member ? { member: options.member } : {}),
  };
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { config, metrics } = options;
  const now = options.now ?? Date.now;
  const log = options.logger.child({ stage: 'notify' });
  const destinations = buildDestinations(config, destinationContext(options));
  const immediate = destinations.filter((d) => d.immediate);
  const queued = destinations.filter((d) => !d.immediate);
  const queues = new Map<string, DeliveryQueue>();
  /** Each outbox folder's modification time when last looked at by adopt(). */
  const looked = new Map<string, { dir: string; mtimeMs: number }>();

  for (const dest of destinations) initNotifierSeries(metrics, dest.name);
  for (const dest of queued) {
    const dir = join(options.stateDir, 'outbox', destinationDir(dest.name));
    looked.set(dest.name, { dir, mtimeMs: 0 });
    queues.set(
      dest.name,
      createDeliveryQueue({
        destination: dest,
        outbox: createOutbox(dir, dest),
        retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
        maxRetryDelayMs: config.max_retry_delay_ms,
        maxPending: options.maxPendingPerDestination ?? 1000,
        metrics,
        logger: log,
        now,
        random: options.random ?? Math.random,
      }),
    );
  }

  let startPromise: Promise<void> | null = null;
  let stopPromise: Promise<void> | null = null;

  async function startAll(): Promise<void> {
    for (const queue of queues.values()) {
      await queue.load();
      queue.start();
    }
  }

  async function drain(deadlineMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // Not unref'd on purpose: a caller awaiting drain (notify-test, the demo, shutdown) must not
    // see the process exit under it while a back-off timer is all that is left.
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs))));
    await Promise.race([Promise.all([...queues.values()].map((q) => q.idle())), deadline]);
    clearTimeout(timer);
  }

  /** Rendered per destination: one that cannot render an alert drops it for itself only. */
  function recordsFor(dest: Destination, alert: Alert): OutboxRecord[] {
    try {
      return toOutboxRecords(dest, alert, now());
    } catch (err) {
      metrics.dropped.labels({ stage: 'notify', reason: 'unrenderable' }).inc();
      log.error({ err, key: alert.key, notifier: dest.name }, 'Could not render an alert for a destination.');
      return [];
    }
  }

  async function writeNow(dest: Destination, alert: Alert): Promise<void> {
    for (const record of recordsFor(dest, alert)) {
      const result = await dest.post(record).catch((err: unknown) => ({ outcome: 'permanent' as const, reason: 'threw', detail: String(err) }));
      metrics.alertsSent.labels({ notifier: dest.name, outcome: result.outcome === 'ok' ? 'ok' : 'permanent_error' }).inc();
      if (result.outcome !== 'ok') log.warn({ notifier: dest.name, detail: result.detail }, `${dest.label}: could not write the alert.`);
    }
  }

  return {
    start() {
      return (startPromise ??= startAll());
    },
    async send(alert) {
      const atOnce = immediate.filter((d) => d.wants(alert));
      const later = queued.filter((d) => d.wants(alert));
      for (const dest of atOnce) await writeNow(dest, alert);
      if (atOnce.length === 0 && later.length === 0) {
        metrics.dropped.labels({ stage: 'notify', reason: 'no_route' }).inc();
        log.debug({ key: alert.key, severity: alert.severity }, 'No destination takes this alert.');
        return;
      }
      const writes: Promise<void>[] = [];
      for (const dest of later) {
        const queue = queues.get(dest.name);
        if (queue) for (const record of recordsFor(dest, alert)) writes.push(queue.enqueue(record));
      }
      await Promise.all(writes);
    },
    drain,
    stop(deadlineMs = 5000) {
      return (stopPromise ??= (async () => {
        const started = Date.now();
        if (startPromise) await startPromise.catch(() => undefined);
        await drain(deadlineMs);
        const left = Math.max(0, deadlineMs - (Date.now() - started));
        await Promise.all([...queues.values()].map((q) => q.stop(left)));
        for (const d of destinations) await d.close?.().catch((err: unknown) => log.warn({ err, notifier: d.name }, 'Could not close a destination.'));
        const pending = [...queues.values()].reduce((n, q) => n + q.pending(), 0);
        if (pending > 0) log.warn({ pending }, 'Stopped with alerts still in the outbox; they are sent on the next start.');
      })());
    },
    pending() {
      return [...queues.values()].reduce((n, q) => n + q.pending(), 0);
    },
    async adopt() {
      if (!startPromise || stopPromise) return;
      await startPromise;
      for (const [name, queue] of queues) {
        const seen = looked.get(name);
        const mtimeMs = seen ? await stat(seen.dir).then((st) => st.mtimeMs, () => 0) : 0;
        if (!seen || mtimeMs === seen.mtimeMs) continue;
        seen.mtimeMs = mtimeMs;
        await queue.adopt().catch((err: unknown) => log.warn({ err, notifier: name }, 'Could not look for alerts put back in the outbox.'));
      }
    },
  };
}
