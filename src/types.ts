// The values that flow between stages: source → parse → detect → incident → diagnose → notify
// (docs/architecture.md, "The values between stages"). A stage knows the value it takes and the
// value it gives, never the stages around it.

export type Severity = 'critical' | 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning', 'info'];

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unknown';

/** Where a record came from: the configured source, the file, the byte offset of its first byte. */
export interface Origin {
  source: string;
  file: string;
  /** Byte offset of the record's first byte in the file. */
  offset: number;
  /** Byte offset just after the record's last line (its newline included): what a checkpoint may store. */
  endOffset: number;
  /** 1-based line number when the reader knows it (it does when it read the file from byte 0). */
  line?: number;
}

/**
 * One record as the source stage hands it on: one line, or several lines joined because they
 * form one multi-line record (a stack trace under the line that introduced it).
 */
export interface RawRecord {
  text: string;
  origin: Origin;
  /** Epoch ms at which the agent read the last byte of the record (detection latency starts here). */
  readAt: number;
  /**
   * The tailer's buffer search that already passed over this record's bytes without a possible hit
   * (a one-line `{…}` record it would have skipped, were it not context): the record screen built
   * with this very search rules the record out without looking again (docs/adr/0011).
   */
  screenedBy?: ((bytes: Uint8Array, from: number, limit: number) => number) | undefined;
}

export interface StackFrame {
  file: string;
  line?: number;
  column?: number;
  function?: string;
  /** The source line, when the trace or the file on disk shows it. */
  code?: string;
  /** False for library / framework / runtime frames (site-packages, node_modules, the JDK…). */
  inUserCode?: boolean;
}

export interface ErrorInfo {
  type: string;
  message: string;
  stack: StackFrame[];
  /** The stack exactly as logged (redacted before it leaves the box). */
  rawStack?: string;
}

export interface LogEvent {
  /** Epoch ms: the record's own timestamp when it has one, else `readAt`. */
  ts: number;
  readAt: number;
  level: Level;
  message: string;
  /** Parsed keys (JSON or logfmt); empty for plain text. */
  fields: Record<string, unknown>;
  error?: ErrorInfo;
  raw: string;
  format: 'json' | 'logfmt' | 'text';
  origin: Origin;
}

/** What a rule carries along with its match, downstream to incident, brain and alert. */
export interface RuleInfo {
  id: string;
  severity: Severity;
  labels: Record<string, string>;
  description?: string;
  /** A short title written for the alert (built-in rules); the description is for maintainers. */
  title?: string;
  hint?: string;
  runbook?: string;
  /** The built-in pack it came from, if any. */
  pack?: string;
  /** A pack rule's specificity (PackRule.priority): of two rules matching one failure, the higher names it. */
  priority?: number;
  /** A framework's summary of a failure logged just above it: joins that failure's incident (src/incident/failure-episodes.ts). */
  summarises?: boolean;
  /** A header whose details follow on the next lines: the record just below it joins its incident. */
  introduces?: boolean;
  cooldownSecs?: number;
  /** Open an incident only once `count` matches arrive within `window_secs` (per fingerprint, or per `group_by` field values). */
  threshold?: { count: number; window_secs: number; group_by?: string[] };
  /** The rule's fingerprint template, when it has one (default: rule + normalised message). */
  fingerprint?: string;
}

export interface Match {
  rule: RuleInfo;
  severity: Severity;
  labels: Record<string, string>;
  event: LogEvent;
  /** Stable key that folds repeats of one failure into one incident. */
  fingerprint: string;
}

export const CATEGORIES = [
  'code_bug',
  'data_quality',
  'schema_drift',
  'missing_input',
  'dependency_or_import',
  'configuration',
  'auth_or_permission',
  'network_or_service_unavailable',
  'timeout',
  'resource_exhaustion',
  'rate_limit',
  'database_error',
  'unknown',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * Every engine that can write a Diagnosis, with the name an alert shows for it: the one list of
 * engine names (the Diagnosis schema, metric labels, Slack text and the CLI's --engine read it).
 * How an LLM engine is built lives in src/brain/engine-registry.ts.
 */
export const ENGINE_LABELS = {
  builtin: 'the built-in analyser',
  gemini: 'Gemini',
  openai: 'an OpenAI-compatible model',
} as const;
export type EngineName = keyof typeof ENGINE_LABELS;
export const ENGINE_NAMES = Object.keys(ENGINE_LABELS) as EngineName[];

export interface Location {
  file: string;
  line: number | null;
  function: string | null;
  code: string | null;
}

export interface Diagnosis {
  category: Category;
  /** One line. */
  summary: string;
  rootCause: string;
  /** Log lines that support the diagnosis. */
  evidence: string[];
  location: Location | null;
  /** Concrete steps; a patch only where the engine is sure. */
  fix: string[];
  retryable: boolean;
  /** 0..1 */
  confidence: number;
  engine: EngineName;
  model: string | null;
  latencyMs: number;
  tokens?: { input: number; output: number };
  /** Why an LLM answer was replaced by the built-in one (timeout, api_error, invalid_output, budget). */
  fallbackReason?: string;
  /** True when the brain answered from its cache (an earlier request with the same fingerprint and content). */
  cached?: boolean;
}

/** What the brain is asked: everything already redacted by the agent. */
export interface DiagnoseRequest {
  fingerprint: string;
  rule: string;
  severity: Severity;
  title: string;
  pipeline?: string;
  step?: string;
  /** The failing record's text (message plus stack), redacted. */
  text: string;
  error?: ErrorInfo;
  /** A few surrounding log lines, redacted, oldest first. */
  context: string[];
  /**
   * Lines logged after the failing record (redacted, oldest first), when the caller has them: a
   * finished file does (`sentinel diagnose`), a live tail does not. The cause is often printed
   * below the line that first reports the failure (a wrapper's cause, a driver stacktrace).
   */
  after?: string[];
  hint?: string;
  runbook?: string;
}

export type IncidentStatus = 'open' | 'resolved';

export interface Incident {
  id: string;
  fingerprint: string;
  rule: RuleInfo;
  severity: Severity;
  title: string;
  pipeline?: string;
  step?: string;
  runId?: string;
  /** The try number, when the log names it (Airflow's `attempt=N.log`, "Starting attempt N of M"). */
  attempt?: number;
  source: string;
  file: string;
  firstSeen: number;
  lastSeen: number;
  count: number;
  status: IncidentStatus;
  resolvedAt?: number;
  /** Why it resolved, in words for the resolved alert ("attempt 2 of load succeeded", "no new occurrence for 30 min"). */
  resolvedBecause?: string;
  /** First and most recent sample events (bounded). */
  samples: LogEvent[];
  diagnosis?: Diagnosis;
  /** In a fleet (fleet.redis_url), what the whole fleet saw of this failure when the alert was made. */
  fleet?: FleetSighting;
}

/** The fleet-wide view of one incident an alert carries. */
export interface FleetSighting {
  /** Occurrences across the fleet. */
  count: number;
  /** Members (pods, hosts) that saw it. */
  memberCount: number;
  /** Their names, the first to see it first (bounded). */
  members: string[];
  /** False when the fleet state was unreachable and this agent alerted on its own (others may too). */
  shared: boolean;
}

export type AlertKind = 'opened' | 'repeated' | 'resolved' | 'digest';

/** A message to deliver, built from incidents; what the outbox stores. */
export interface Alert {
  /** Idempotency key: the same alert replayed after a crash carries the same key. */
  key: string;
  kind: AlertKind;
  severity: Severity;
  createdAt: number;
  incident?: Incident;
  /** For digests: the incidents batched into one message. */
  incidents?: Incident[];
}
