// Incidents as Alertmanager alerts (API v2 `PostableAlert`). Pure: no I/O, no clock.
//
// Labels identify an alert: Alertmanager deduplicates alerts with identical labels, so they hold
// only what is the same for one failure on every agent of a fleet (rule, severity, fingerprint,
// pipeline, step, the rule's own labels) and never a pod, host, file or run id; those go into the
// annotations, which Alertmanager replaces with the most recently received ones.
import type { Redactor } from '../../redact/redactor.js';
import type { Alert, Incident } from '../../types.js';
import { summaryOf } from '../digest-message.js';

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** Set when posted: now + the validity window while firing; the resolution time once resolved. */
  endsAt?: string;
}

/** What the outbox keeps for one Sentinel alert: its Alertmanager alerts, firing or resolved. */
export interface AlertmanagerPayload {
  alertmanager: 1;
  firing: boolean;
  alerts: AlertmanagerAlert[];
  /** Resolutions: when the incident ended (ISO 8601). */
  endedAt?: string;
}

const MAX_ANNOTATION_CHARS = 4000;
const MAX_LABEL_CHARS = 200;

/** Alertmanager label names are `[a-zA-Z_][a-zA-Z0-9_]*`; a rule label like `team-name` becomes `team_name`. */
export function labelName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

/** `member` names the agent in annotations (fleet.member, or the hostname). */
export function toAlertmanagerAlert(i: Incident, redactor: Redactor, member: string): AlertmanagerAlert {
  const safe = (s: string, max = MAX_ANNOTATION_CHARS): string => cut(redactor.redact(String(s)).replace(/\s+$/, ''), max);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(i.rule.labels)) labels[labelName(k)] = safe(v, MAX_LABEL_CHARS);
  // Ours last: a rule label named `severity` must not change how the alert is identified.
  Object.assign(labels, { alertname: i.rule.id, severity: i.severity, fingerprint: i.fingerprint });
  if (i.pipeline) labels.pipeline = safe(i.pipeline, MAX_LABEL_CHARS);
  if (i.step) labels.step = safe(i.step, MAX_LABEL_CHARS);

  const d = i.diagnosis;
  const annotations: Record<string, string> = { summary: safe(summaryOf(i)), title: safe(i.title), count: String(i.count), agent: safe(member, MAX_LABEL_CHARS), file: safe(i.file), incident_id: i.id };
  if (i.runId) annotations.run_id = safe(i.runId);
  if (d) {
    annotations.description = safe(d.rootCause);
    annotations.root_cause = safe(d.rootCause);
    annotations.category = d.category;
    if (d.fix.length > 0) annotations.fix = safe(d.fix.map((step, n) => `${n + 1}. ${step}`).join('\n'));
    if (d.location) {
      const l = d.location;
      annotations.location = safe(`${l.file}${l.line != null ? `:${l.line}` : ''}${l.function ? ` in ${l.function}` : ''}`);
    }
    annotations.engine = d.engine;
  }
  if (i.rule.runbook) annotations.runbook_url = i.rule.runbook;
  return { labels, annotations, startsAt: iso(i.firstSeen) };
}

function incidentsOf(alert: Alert): Incident[] {
  if (alert.incident) return [alert.incident];
  return alert.incidents ?? [];
}

export function buildAlertmanagerPayload(alert: Alert, redactor: Redactor, member: string): AlertmanagerPayload {
  const alerts = incidentsOf(alert).map((i) => toAlertmanagerAlert(i, redactor, member));
  if (alert.kind !== 'resolved') return { alertmanager: 1, firing: true, alerts };
  return { alertmanager: 1, firing: false, alerts, endedAt: iso(alert.incident?.resolvedAt ?? alert.createdAt) };
}

export function isAlertmanagerPayload(payload: unknown): payload is AlertmanagerPayload {
  const p = payload as Partial<AlertmanagerPayload> | null;
  return p?.alertmanager === 1 && typeof p.firing === 'boolean' && Array.isArray(p.alerts);
}
