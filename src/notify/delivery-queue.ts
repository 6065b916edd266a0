// The delivery queue of one destination: its outbox, its rate limit, its retries. The same for every
// destination: it knows a destination only through `post` and the DeliveryResult it returns.
//
// One worker per destination sends the head of the queue and nothing else, so alerts arrive in the
// order they were queued and none is sent twice within a run. The head stays the head until the
// destination says ok (file removed) or says no for good (file moved to dead/): at-least-once
// across crashes.
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { DeliveryResult, Destination } from './destination.js';
import type { Outbox, OutboxRecord } from './outbox.js';

export interface DeliveryQueueOptions {
  destination: Destination;
  outbox: Outbox;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  /** Alerts waiting beyond this push the oldest waiting one to dead/ (counted as dropped). */
  maxPending: number;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  random: () => number;
}

interface Entry {
  name: string;
  record: OutboxRecord;
  /** The outbox write; the entry is not sent before it settled (durable first, then sent). */
  written: Promise<void>;
  /** The write failed: this alert lives in memory only. */
  memoryOnly?: boolean;
  attempts: number;
}

export interface DeliveryQueue {
  readonly name: string;
  /** Queues pending records found in the outbox (after a crash), ahead of anything new. */
  load(): Promise<void>;
  /** Queues records another process put in the outbox (`sentinel outbox retry`) behind what waits; returns how many. */
  adopt(): Promise<number>;
  /** Resolves once the record is in the outbox (or the write failed and it is kept in memory only). */
  enqueue(record: OutboxRecord): Promise<void>;
  start(): void;
  /** Resolves when the queue is empty. */
  idle(): Promise<void>;
  /** Stops sending; waits for an attempt in flight up to `graceMs`. What is left stays in the outbox. */
  stop(graceMs: number): Promise<void>;
  pending(): number;
}

/** Keys remembered as delivered in this run, so a duplicate send is recognised and skipped. */
const DELIVERED_MEMORY = 10_000;

export function createDeliveryQueue(o: DeliveryQueueOptions): DeliveryQueue {
  const dest = o.destination;
  const name = dest.name;
  const log = o.logger.child({ notifier: name });
  const minIntervalMs = 1000 / Math.max(0.001, dest.ratePerSec > 0 ? dest.ratePerSec : 1);
  const codes = dest.errorCodes ?? { permanent: 'SENTINEL_ERR_DELIVERY_PERMANENT', transient: 'SENTINEL_ERR_DELIVERY_TRANSIENT' };
  const queue: Entry[] = [];
  const names = new Set<string>();
  const pendingKeys = new Set<string>();
  const delivered = new Set<string>();
  const idleWaiters: Array<() => void> = [];
  const loggedPermanent = new Set<string>();
  let nextAt = 0;
  let stopped = false;
  let started = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let failingSince: number | null = null;
  let writeFailureLogged = false;

  const depth = o.metrics.outboxDepth.labels({ notifier: name });
  const memoryOnly = o.metrics.outboxMemoryOnly.labels({ notifier: name });
  const sent = (outcome: string): void => o.metrics.alertsSent.labels({ notifier: name, outcome }).inc();
  const retried = (reason: string): void => o.metrics.alertRetries.labels({ notifier: name, reason }).inc();

  function settleIdle(): void {
    if (queue.length > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  function poke(): void {
    const w = wake;
    wake = null;
    w?.();
  }

  /** Sleeps until `ms` passed, new work arrived or stop() was called. */
  function pause(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(done, ms);
      timer?.unref();
      function done(): void {
        if (timer) clearTimeout(timer);
        if (wake === done) wake = null;
        resolve();
      }
      wake = done;
    });
  }

  function push(name: string, record: OutboxRecord, written: Promise<void>): Entry {
    const entry: Entry = { name, record, written, attempts: 0 };
    queue.push(entry);
    names.add(name);
    pendingKeys.add(record.key);
    depth.set(queue.length);
    return entry;
  }

  function shift(entry: Entry): void {
    queue.shift();
    names.delete(entry.name);
    pendingKeys.delete(entry.record.key);
    depth.set(queue.length);
    if (entry.memoryOnly) memoryOnly.dec();
    settleIdle();
  }

  function remember(key: string): void {
    delivered.add(key);
    if (delivered.size > DELIVERED_MEMORY) delivered.delete(delivered.values().next().value as string);
  }

  /** Exponential back-off with jitter: half fixed, half random, so a fleet does not retry in step. */
  function backoff(attempt: number): number {
    const ceiling = Math.min(o.maxRetryDelayMs, o.retryBaseDelayMs * 2 ** Math.min(attempt - 1, 30));
    return ceiling / 2 + o.random() * (ceiling / 2);
  }

  async function attempt(entry: Entry): Promise<DeliveryResult> {
    try {
      return await dest.post(entry.record);
    } catch (err) {
      return { outcome: 'transient', reason: 'network', detail: String(err) };
    }
  }

  async function handle(entry: Entry, result: DeliveryResult, startedAt: number): Promise<void> {
    const { record } = entry;
    switch (result.outcome) {
      case 'ok': {
        await dest.delivered?.(record, result).catch((err: unknown) => log.warn({ err }, 'Could not record a delivery.'));
        await o.outbox.remove(entry.name).catch((err: unknown) => {
          // Left on disk it would be sent again after a restart: a duplicate, never a loss.
          log.warn({ err, file: entry.name }, 'Could not remove a delivered alert from the outbox.');
        });
        shift(entry);
        remember(record.key);
        sent('ok');
        o.metrics.alertDeliveryDuration.labels({ notifier: name }).observe(Math.max(0, o.now() - record.enqueuedAt) / 1000);
        if (failingSince !== null) {
          log.info({ key: record.key, attempts: entry.attempts + 1, failingMs: Math.round(performance.now() - failingSince) }, `${dest.label} delivery recovered.`);
          failingSince = null;
        }
        // Counted from the answer, not the request: Slack counts arrivals, and a slow first
        // request (a new connection) must not let the next one arrive early.
        nextAt = Math.max(startedAt, performance.now()) + minIntervalMs;
        return;
      }
      case 'rate_limited':
        sent('rate_limited');
        retried('rate_limited');
        entry.attempts++;
        if (failingSince === null) {
          failingSince = performance.now();
          log.warn({ code: codes.transient, retryAfterMs: result.retryAfterMs, pending: queue.length }, `${dest.label} rate limited the destination; waiting as asked.`);
        }
        nextAt = performance.now() + Math.max(result.retryAfterMs, minIntervalMs);
        return;
      case 'transient': {
        sent('retry');
        retried(result.reason);
        entry.attempts++;
        const delay = backoff(entry.attempts);
        if (failingSince === null) {
          failingSince = performance.now();
          log.warn({ code: codes.transient, reason: result.reason, detail: result.detail, pending: queue.length }, `${dest.label} unreachable; the alert stays in the outbox and is retried.`);
        } else {
          log.debug({ reason: result.reason, detail: result.detail, attempt: entry.attempts, delayMs: Math.round(delay) }, `${dest.label} still unreachable.`);
        }
        nextAt = performance.now() + delay;
        return;
      }
      case 'permanent': {
        sent('permanent_error');
        // Logged at error once per reason: a revoked webhook must not print a line per alert.
        const first = !loggedPermanent.has(result.reason);
        loggedPermanent.add(result.reason);
        log[first ? 'error' : 'debug'](
          { code: codes.permanent, reason: result.reason, detail: result.detail, key: record.key },
          `${dest.label} refused the alert permanently; moved to the dead-letter folder.`,
        );
        await o.outbox.bury(entry.name, record, result.reason, o.now()).catch((err: unknown) => {
          log.warn({ err, file: entry.name }, 'Could not move a refused alert to dead/.');
        });
        shift(entry);
        remember(record.key);
        failingSince = null;
        nextAt = startedAt + minIntervalMs;
        return;
      }
    }
  }

  async function run(): Promise<void> {
    while (!stopped) {
      const entry = queue[0];
      if (!entry) {
        await pause(null);
        continue;
      }
      const wait = nextAt - performance.now();
      if (wait > 0) {
        await pause(wait);
        continue;
      }
      await entry.written;
      if (stopped) break;
      const startedAt = performance.now();
      await handle(entry, await attempt(entry), startedAt);
    }
  }

  return {
    name,
    async load() {
      await dest.load?.((file) => log.error({ code: 'SENTINEL_ERR_STATE_CORRUPT', file }, `${dest.label} state damaged; kept for inspection.`));
      const files = await o.outbox.load((file, err) => {
        log.error({ code: 'SENTINEL_ERR_STATE_CORRUPT', file, err }, 'Damaged outbox file kept for inspection; what could be read of its alert is sent again.');
      });
      for (const { name, record } of files) if (!names.has(name)) push(name, record, Promise.resolve());
      if (files.length > 0) log.info({ pending: files.length }, 'Pending alerts found in the outbox; delivering them first.');
    },
    async adopt() {
      let adopted = 0;
      for (const name of await o.outbox.pendingNames()) {
        if (names.has(name)) continue;
        // Gone by now (delivered and removed after the listing) or not a record: nothing to adopt.
        const record = await o.outbox.read(name);
        if (!record || names.has(name) || pendingKeys.has(record.key)) continue;
        push(name, record, Promise.resolve());
        adopted++;
      }
      if (adopted > 0) {
        log.info({ adopted }, 'Alerts put back in the outbox from outside queued.');
        poke();
      }
      return adopted;
    },
    enqueue(record) {
      if (pendingKeys.has(record.key) || delivered.has(record.key)) {
        log.debug({ key: record.key }, 'Alert already queued or delivered in this run; skipped.');
        o.metrics.dropped.labels({ stage: 'notify', reason: 'duplicate' }).inc();
        return Promise.resolve();
      }
      if (queue.length >= o.maxPending) {
        // Bounded: the oldest waiting alert (never the one in flight) makes room for the new one.
        const victim = queue.splice(1, 1)[0];
        if (victim) {
          if (victim.memoryOnly) memoryOnly.dec();
          names.delete(victim.name);
          pendingKeys.delete(victim.record.key);
          sent('dropped');
          o.metrics.dropped.labels({ stage: 'notify', reason: 'outbox_full' }).inc();
          log.warn({ key: victim.record.key, maxPending: o.maxPending }, 'Outbox full; the oldest waiting alert was moved to dead/.');
          void victim.written.then(() => o.outbox.bury(victim.name, victim.record, 'outbox_full', o.now())).catch(() => undefined);
        }
      }
      const name = o.outbox.nextName(record.key, o.now());
      const entry = push(name, record, Promise.resolve());
      // Set before the worker can look at it (same tick): the entry is not sent before its write settled.
      entry.written = o.outbox.write(name, record).then(
        () => {
          if (writeFailureLogged) log.info({}, 'The outbox can be written again.');
          writeFailureLogged = false;
        },
        (err: unknown) => {
          // Kept in memory (bounded by maxPending) and still sent; only a crash before delivery would lose it.
          o.metrics.stateWriteErrors.inc({ kind: 'outbox' });
          if (!writeFailureLogged) log.error({ code: 'SENTINEL_ERR_STATE_DIR', err }, 'Could not write the outbox; alerts are kept in memory only.');
          writeFailureLogged = true;
          if (queue.includes(entry)) {
            entry.memoryOnly = true;
            memoryOnly.inc();
          }
        },
      );
      poke();
      return entry.written;
    },
    start() {
      if (started || stopped) return;
      started = true;
      loop = run().catch((err: unknown) => log.error({ err }, 'Delivery loop failed.'));
    },
    idle() {
      if (queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async stop(graceMs) {
      if (stopped) return;
      stopped = true;
      poke();
      if (!loop) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([loop, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    },
    pending: () => queue.length,
  };
}
