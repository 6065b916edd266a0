// The notify stage: routes each alert to the destinations that want it, prints it on the console
// when asked, and hands Slack deliveries to one durable delivery queue per destination.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { NotifyConfig, SlackDestinationConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import { initNotifierSeries, type Metrics } from '../metrics/metrics.js';
import type { Redactor } from '../redact/redactor.js';
import type { Alert, Incident } from '../types.js';
import { createDeliveryQueue, type DeliveryQueue } from './delivery-queue.js';
import { createOutbox, type OutboxRecord } from './outbox.js';
import { buildSlackMessages, partKey, renderConsole } from './slack-message.js';
import { createSlackTransport } from './slack-transport.js';
import { createThreadStore } from './thread-store.js';

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
}

export interface Notifier {
  /** Loads the outboxes from stateDir and starts delivering anything pending (after a crash). */
  start(): Promise<void>;
  /** Durable once resolved: written to the outbox before it is sent. Never throws on Slack failures. */
  send(alert: Alert): Promise<void>;
  /** Resolves when every queued alert has been delivered or permanently failed, or after `deadlineMs` milliseconds. */
  drain(deadlineMs: number): Promise<void>;
  /** Idempotent: drains for up to `deadlineMs`, keeps the rest in the outbox for the next start. */
  stop(deadlineMs?: number): Promise<void>;
  pending(): number;
  /** Queues alerts put back into an outbox from outside (`sentinel outbox retry`); a stat per destination when nothing changed. */
  adopt(): Promise<void>;
}

const CONSOLE = 'console';

/** Destination names become directory names and metric labels: keep them tame. */
export function destinationDir(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_') || '_';
}

function incidentsOf(alert: Alert): Incident[] {
  if (alert.incident) return [alert.incident];
  return alert.incidents ?? [];
}

/** Severity list (all when absent) and labels (all must be present on the rule) both have to hold. */
export function routes(dest: SlackDestinationConfig, alert: Alert): boolean {
  if (dest.severities && dest.severities.length > 0 && !dest.severities.includes(alert.severity)) return false;
  const wanted = Object.entries(dest.labels ?? {});
  if (wanted.length === 0) return true;
  // A digest goes where any of its incidents would go.
  return incidentsOf(alert).some((i) => wanted.every(([k, v]) => i.rule.labels[k] === v));
}

/** The outbox records of an alert: one, or one per part of a digest too long for one message. */
export function toOutboxRecords(alert: Alert, redactor: Redactor, now: number): OutboxRecord[] {
  return buildSlackMessages(alert, redactor).map((message, n) => ({
    v: 1,
    key: partKey(alert.key, n + 1),
    kind: alert.kind,
    severity: alert.severity,
    createdAt: alert.createdAt,
    enqueuedAt: now,
    ...(alert.incident ? { fingerprint: alert.incident.fingerprint } : {}),
    message,
  }));
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { config, metrics, logger, redactor } = options;
  const now = options.now ?? Date.now;
  const log = logger.child({ stage: 'notify' });
  const consoleOut = options.consoleOut ?? process.stdout;
  const destinations = config.slack;
  const queues = new Map<string, DeliveryQueue>();
  /** Each outbox folder's modification time when last looked at by adopt(). */
  const looked = new Map<string, { dir: string; mtimeMs: number }>();

  for (const dest of destinations) {
    if (queues.has(dest.name)) throw new Error(`notify.slack: destination name "${dest.name}" is used twice`);
    initNotifierSeries(metrics, dest.name);
    const dir = join(options.stateDir, 'outbox', destinationDir(dest.name));
    looked.set(dest.name, { dir, mtimeMs: 0 });
    const transport = createSlackTransport(dest, { ...(options.fetch ? { fetch: options.fetch } : {}), timeoutMs: options.requestTimeoutMs ?? 10_000, logger: log });
    queues.set(
      dest.name,
      createDeliveryQueue({
        name: dest.name,
        outbox: createOutbox(dir),
        transport,
        ...(transport.mode === 'bot' ? { threads: createThreadStore(join(options.stateDir, 'slack-threads', `${destinationDir(dest.name)}.json`)) } : {}),
        ratePerSec: dest.rate_per_sec > 0 ? dest.rate_per_sec : 1,
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
  if (config.console) initNotifierSeries(metrics, CONSOLE);

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

  function printConsole(alert: Alert): void {
    try {
      consoleOut.write(renderConsole(alert, redactor));
      metrics.alertsSent.labels({ notifier: CONSOLE, outcome: 'ok' }).inc();
    } catch (err) {
      log.warn({ err }, 'Could not print the alert to the console.');
    }
  }

  return {
    start() {
      return (startPromise ??= startAll());
    },
    async send(alert) {
      if (config.console) printConsole(alert);
      const targets = destinations.filter((d) => routes(d, alert));
      if (targets.length === 0) {
        if (!config.console) {
          metrics.dropped.labels({ stage: 'notify', reason: 'no_route' }).inc();
          log.debug({ key: alert.key, severity: alert.severity }, 'No destination takes this alert.');
        }
        return;
      }
      let records: OutboxRecord[];
      try {
        records = toOutboxRecords(alert, redactor, now());
      } catch (err) {
        metrics.dropped.labels({ stage: 'notify', reason: 'unrenderable' }).inc();
        log.error({ err, key: alert.key }, 'Could not build the Slack message for an alert.');
        return;
      }
      const writes: Promise<void>[] = [];
      for (const d of targets) {
        const queue = queues.get(d.name);
        if (queue) for (const record of records) writes.push(queue.enqueue(record));
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
