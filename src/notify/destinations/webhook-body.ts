// The JSON body the generic webhook POSTs (documented in README "Generic webhooks" and
// docs/webhook-body.example.json; test/notify/webhook-body.test.ts keeps the example in step).
// Pure: no I/O, no clock. Every string from a log or a model is redacted; nothing is escaped for any
// markup, since a receiver that renders text (chat, HTML) must escape for its own medium anyway.
// Every list and string is bounded so one huge stack trace cannot make a body no receiver accepts.
import type { Redactor } from '../../redact/redactor.js';
import type { Alert, AlertKind, Diagnosis, Incident } from '../../types.js';
import { VERSION } from '../../version.js';
import { summaryOf } from '../digest-message.js';

export const WEBHOOK_BODY_VERSION = 1;

/** What the receiver is told happened; `re-alert` is an open incident still failing after its cooldown. */
export type WebhookStatus = 'opened' | 're-alert' | 'resolved' | 'digest';

const STATUS: Record<AlertKind, WebhookStatus> = { opened: 'opened', repeated: 're-alert', resolved: 'resolved', digest: 'digest' };

const LIMITS = { text: 4000, line: 2000, evidence: 10, fix: 20, samples: 3, digestIncidents: 200 } as const;

export interface WebhookIncident {
  id: string;
  fingerprint: string;
  rule: { id: string; labels: Record<string, string>; runbook: string | null; hint: string | null };
  severity: string;
  title: string;
  pipeline: string | null;
  step: string | null;
  runId: string | null;
  source: string;
  file: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
  status: 'open' | 'resolved';
  resolvedAt: string | null;
  /** The first and latest failing records, redacted. */
  samples: string[];
}

export interface WebhookDiagnosis {
  category: string;
  summary: string;
  rootCause: string;
  evidence: string[];
  location: { file: string; line: number | null; function: string | null; code: string | null } | null;
  fix: string[];
  retryable: boolean;
  confidence: number;
  engine: string;
  model: string | null;
  fallbackReason: string | null;
}

export interface WebhookBody {
  version: typeof WEBHOOK_BODY_VERSION;
  /** Also sent as the `Idempotency-Key` header: a replay after a crash carries the same key. */
  idempotencyKey: string;
  status: WebhookStatus;
  severity: string;
  /** When the alert was made (ISO 8601), not when this attempt was sent. */
  createdAt: string;
  /** One plain line for people and for receivers that only show text. */
  text: string;
  /** The incident's fingerprint; null for a digest (each of its incidents carries its own). */
  fingerprint: string | null;
  /** The rule's labels (`team`, `service`…), for the receiver's routing. */
  labels: Record<string, string>;
  incident: WebhookIncident | null;
  diagnosis: WebhookDiagnosis | null;
  /** Digest only: every incident of the storm with its diagnosis (bounded; `omitted` counts the rest). */
  incidents?: Array<WebhookIncident & { diagnosis: WebhookDiagnosis | null }>;
  omitted?: number;
  sender: { name: 'pipeline-sentinel'; version: string };
}

function iso(ms: number | undefined): string | null {
  return ms !== undefined && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function buildWebhookBody(alert: Alert, redactor: Redactor): WebhookBody {
  const safe = (s: string, max: number = LIMITS.line): string => cut(redactor.redact(String(s)), max);
  const orNull = (s: string | undefined): string | null => (s === undefined ? null : safe(s));

  const incidentOf = (i: Incident): WebhookIncident => ({
    id: i.id,
    fingerprint: i.fingerprint,
    rule: { id: i.rule.id, labels: { ...i.rule.labels }, runbook: i.rule.runbook ?? null, hint: orNull(i.rule.hint) },
    severity: i.severity,
    title: safe(i.title),
    pipeline: orNull(i.pipeline),
    step: orNull(i.step),
    runId: orNull(i.runId),
    source: i.source,
    file: safe(i.file),
    firstSeen: iso(i.firstSeen) ?? '',
    lastSeen: iso(i.lastSeen) ?? '',
    count: i.count,
    status: i.status,
    resolvedAt: iso(i.resolvedAt),
    samples: i.samples.slice(0, LIMITS.samples).map((s) => safe(s.raw)),
  });

  const diagnosisOf = (d: Diagnosis | undefined): WebhookDiagnosis | null =>
    d
      ? {
          category: d.category,
          summary: safe(d.summary),
          rootCause: safe(d.rootCause, LIMITS.text),
          evidence: d.evidence.slice(0, LIMITS.evidence).map((l) => safe(l)),
          location: d.location
            ? { file: safe(d.location.file), line: d.location.line, function: orNull(d.location.function ?? undefined), code: orNull(d.location.code ?? undefined) }
            : null,
          fix: d.fix.slice(0, LIMITS.fix).map((s) => safe(s, LIMITS.text)),
          retryable: d.retryable,
          confidence: d.confidence,
          engine: d.engine,
          model: d.model,
          fallbackReason: d.fallbackReason ?? null,
        }
      : null;

  const i = alert.incident;
  const listed = alert.kind === 'digest' ? (alert.incidents ?? []) : [];
  const shown = listed.slice(0, LIMITS.digestIncidents);
  const sev = alert.severity.toUpperCase();
  const text =
    alert.kind === 'digest'
      ? `[${sev}] Incident storm: ${listed.length} incidents`
      : i
        ? `[${alert.kind === 'resolved' ? 'RESOLVED' : sev}] ${i.title}${i.pipeline || i.step ? ` in ${[i.pipeline, i.step].filter(Boolean).join('/')}` : ''}: ${summaryOf(i)}`
        : `[${sev}] Pipeline Sentinel alert`;

  return {
    version: WEBHOOK_BODY_VERSION,
    idempotencyKey: alert.key,
    status: STATUS[alert.kind],
    severity: alert.severity,
    createdAt: iso(alert.createdAt) ?? '',
    text: safe(text.replace(/\s+/g, ' '), LIMITS.text),
    fingerprint: i?.fingerprint ?? null,
    labels: { ...(i?.rule.labels ?? {}) },
    incident: i ? incidentOf(i) : null,
    diagnosis: i ? diagnosisOf(i.diagnosis) : null,
    ...(alert.kind === 'digest'
      ? { incidents: shown.map((x) => ({ ...incidentOf(x), diagnosis: diagnosisOf(x.diagnosis) })), omitted: listed.length - shown.length }
      : {}),
    sender: { name: 'pipeline-sentinel', version: VERSION },
  };
}

/** A body read back from the outbox: enough of its shape to be worth sending. */
export function isWebhookBody(payload: unknown): payload is WebhookBody {
  const b = payload as Partial<WebhookBody> | null;
  return b?.version === WEBHOOK_BODY_VERSION && typeof b.idempotencyKey === 'string' && typeof b.status === 'string' && typeof b.text === 'string';
}
