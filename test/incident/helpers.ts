// Builders for the incident tests: matches as the detector hands them on, a fake clock, a config.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { IncidentsConfig } from '../../src/config/config-types.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { createIncidentTracker, type IncidentTracker, type IncidentUpdate } from '../../src/incident/incident-tracker.js';
import type { LogEvent, Match, RuleInfo, Severity } from '../../src/types.js';

export function incidentsConfig(over: Partial<IncidentsConfig> = {}): IncidentsConfig {
  return {
    resolve_after_secs: 600,
    cooldown_secs: 300,
    storm: { window_secs: 30, max_individual_alerts: 1 },
    lines_after: { max_lines: 0, quiet_ms: 0, max_wait_ms: 0 },
    max_tracked: 10_000,
    ...over,
  };
}

export interface FakeClock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(ms) {
      t = ms;
    },
  };
}

export interface EventOptions {
  message?: string;
  fields?: Record<string, unknown>;
  file?: string;
  ts?: number;
  error?: { type: string; message: string };
  /** Byte offset in the file; by default each event is a record far from every other (no shared failure episode). */
  offset?: number;
}

/** Default offsets: further apart than EPISODE_GAP_BYTES, so unrelated test events never join one failure. */
let nextOffset = 0;
const FAR_APART = 1_000_000;

export function event(opts: EventOptions = {}): LogEvent {
  const message = opts.message ?? 'Step failed';
  const e: LogEvent = {
    ts: opts.ts ?? 1_700_000_000_000,
    readAt: opts.ts ?? 1_700_000_000_000,
    level: 'error',
    message,
    fields: opts.fields ?? {},
    raw: message,
    format: Object.keys(opts.fields ?? {}).length > 0 ? 'json' : 'text',
    origin: { source: 'etl', file: opts.file ?? '/var/log/etl/a.log', offset: opts.offset ?? (nextOffset += FAR_APART), endOffset: 0 },
  };
  e.origin.endOffset = e.origin.offset + message.length + 1;
  if (opts.error) e.error = { ...opts.error, stack: [] };
  return e;
}

export function rule(over: Partial<RuleInfo> = {}): RuleInfo {
  return { id: 'step-failed', severity: 'error', labels: {}, ...over };
}

export function match(fingerprint: string, opts: EventOptions & { rule?: RuleInfo; severity?: Severity } = {}): Match {
  const r = opts.rule ?? rule();
  return { rule: r, severity: opts.severity ?? r.severity, labels: r.labels, event: event(opts), fingerprint };
}

export interface Harness {
  tracker: IncidentTracker;
  clock: FakeClock;
  metrics: Metrics;
}

export function harness(config: IncidentsConfig = incidentsConfig(), stateDir: string | null = null, clock = fakeClock()): Harness {
  const metrics = createMetrics({ defaultMetrics: false });
  const tracker = createIncidentTracker({ config, stateDir, metrics, logger: silentLogger(), now: clock.now });
  return { tracker, clock, metrics };
}

/** A metric's value as the registry reports it (sums over series when labels are not given). */
export async function metricValue(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = metrics.registry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  const { values } = await m.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}

export function kinds(updates: IncidentUpdate[]): string[] {
  return updates.map((u) => u.kind);
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sentinel-incident-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
