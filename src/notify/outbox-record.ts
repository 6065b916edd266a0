// One alert as the outbox keeps it on disk. Its own module so the outbox and the salvage of a
// damaged file can both name it without importing each other.
import type { AlertKind, Severity } from '../types.js';
import type { SlackMessage } from './slack-message.js';

export interface OutboxRecord {
  v: 1;
  key: string;
  kind: AlertKind;
  severity: Severity;
  createdAt: number;
  /** Epoch ms when it was queued: delivery latency starts here. */
  enqueuedAt: number;
  /** The incident's fingerprint: bot mode threads repeats and resolutions under its first message. */
  fingerprint?: string;
  message: SlackMessage;
}
