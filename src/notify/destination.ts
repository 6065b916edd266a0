// The contract of a destination: where alerts go (Slack, a generic webhook, the console, …).
//
// A destination only knows its own wire: it renders an alert into its payload, posts one payload,
// and says what the answer means. Everything else is shared machinery around every destination
// (src/notify/notifier.ts and delivery-queue.ts), the way Vector wraps retry and rate limits around
// each sink and OpenTelemetry's batch processor wraps each exporter: the durable outbox (written
// before the first attempt, removed after the destination said yes), ordered delivery, the rate
// limit, exponential back-off with jitter, Retry-After, idempotency keys, dead letters, metrics.
// docs/adr/0012-destinations-behind-one-interface.md says why, README "A new destination" how.
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Redactor } from '../redact/redactor.js';
import type { Alert, AlertKind, Severity } from '../types.js';

/** What one attempt came to; the delivery queue decides what happens next from this alone. */
export type DeliveryResult =
  | { outcome: 'ok'; ts?: string; channel?: string; detail: string }
  /** The destination asked us to wait (429, or 503 with Retry-After): the queue waits that long, no back-off. */
  | { outcome: 'rate_limited'; retryAfterMs: number; detail: string }
  /** Worth retrying with back-off: 5xx, 408, a dead server, a timeout. */
  | { outcome: 'transient'; reason: 'server_error' | 'network' | 'timeout'; detail: string }
  /** No retry will fix it (bad URL, revoked token, 4xx): moved to the dead-letter folder. */
  | { outcome: 'permanent'; reason: string; detail: string };

/** One rendered message: its idempotency key and the destination's payload for it. */
export interface Rendered<P = unknown> {
  key: string;
  payload: P;
}

/**
 * What the outbox stores and the queue hands to `post`: the rendered payload (redacted when it was
 * built, so no secret from a log is written to the state directory) plus what the machinery needs.
 */
export interface OutboxRecord<P = unknown> {
  v: 1;
  /** The idempotency key: a replay after a crash carries the same key. */
  key: string;
  kind: AlertKind;
  severity: Severity;
  createdAt: number;
  /** Epoch ms when it was queued: delivery latency starts here. */
  enqueuedAt: number;
  /** The incident's fingerprint, when the alert is about one incident (Slack bot threads use it). */
  fingerprint?: string;
  /** The destination's payload (field name kept from version 0.1's Slack-only outbox files). */
  message: P;
}

/** What could be read of a damaged outbox file; a destination turns it into a payload that says so. */
export interface SalvageNotice {
  key: string;
  severity: Severity;
  /** One paragraph for people: what was recovered and where the damaged file is kept. */
  text: string;
}

export interface Destination<P = unknown> {
  /** Unique across all destinations: the outbox folder (`state_dir/outbox/<name>`) and the `notifier` metric label. */
  readonly name: string;
  /** Who is speaking in log lines: `Slack`, `Webhook`, … */
  readonly label: string;
  /** How it sends, for `sentinel notify-test` (never the URL or a secret). */
  readonly describe: string;
  /** Alerts per second it takes; the queue spaces attempts by 1/rate. */
  readonly ratePerSec: number;
  /**
   * Immediate destinations (the console) are written to as the alert is sent, with no outbox and no
   * retries: there is nothing to wait for and nothing to lose.
   */
  readonly immediate?: boolean;
  /** Log codes for its failures; default SENTINEL_ERR_DELIVERY_PERMANENT / _TRANSIENT. */
  readonly errorCodes?: { permanent: ErrorCode; transient: ErrorCode };
  /** Routing: whether this destination takes the alert (severities, labels). */
  wants(alert: Alert): boolean;
  /**
   * The payloads for an alert, each with its own idempotency key (usually one; a long digest may
   * need several). Pure: every string from a log or a model is redacted here. May throw on an alert
   * it cannot render; that alert is counted as dropped for this destination only.
   */
  render(alert: Alert): Rendered<P>[];
  /** One attempt; classifies every answer and error (a throw counts as a transient network error). */
  post(record: OutboxRecord<P>): Promise<DeliveryResult>;
  /** A payload read back from the outbox after a restart: is it one this destination can send? */
  isPayload(payload: unknown): payload is P;
  /** The payload that reports a damaged outbox file (see outbox-salvage.ts). */
  salvage(notice: SalvageNotice): P;
  /** Before the first delivery: load what the destination keeps in state_dir (Slack bot threads). */
  load?(onCorrupt: (file: string) => void): Promise<void>;
  /** After a delivery was accepted (Slack bot mode remembers the thread). Failures are its own to log. */
  delivered?(record: OutboxRecord<P>, result: Extract<DeliveryResult, { outcome: 'ok' }>): Promise<void>;
  /** On stop, after the queue stopped: end timers of its own (Alertmanager's resend loop). */
  close?(): Promise<void>;
}

/** What a destination factory may use; nothing here reads the environment or the clock of the process. */
export interface DestinationContext {
  stateDir: string;
  metrics: Metrics;
  logger: Logger;
  redactor: Redactor;
  fetch?: typeof fetch;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Where the console destination writes. */
  consoleOut: NodeJS.WritableStream;
  now: () => number;
  /** This agent's name where a destination shows it (Alertmanager annotations); default the hostname. */
  member?: string;
}

/** Destination names become directory names and metric labels: keep them tame. */
export function destinationDir(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_') || '_';
}

function incidentsOf(alert: Alert): NonNullable<Alert['incidents']> {
  if (alert.incident) return [alert.incident];
  return alert.incidents ?? [];
}

/** The routing every destination offers: `severities` (all when absent) and `labels` (all must be on the rule) both have to hold. */
export function routes(filter: { severities?: readonly Severity[]; labels?: Readonly<Record<string, string>> }, alert: Alert): boolean {
  if (filter.severities && filter.severities.length > 0 && !filter.severities.includes(alert.severity)) return false;
  const wanted = Object.entries(filter.labels ?? {});
  if (wanted.length === 0) return true;
  // A digest goes where any of its incidents would go.
  return incidentsOf(alert).some((i) => wanted.every(([k, v]) => i.rule.labels[k] === v));
}
