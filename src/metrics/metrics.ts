// Every metric Sentinel exports is defined here, once. Stages receive the `Metrics` object and move
// counters; they never create metrics of their own. Labels come from small closed sets: never a
// path, a message or a fingerprint.
import { ENGINE_NAMES, type Severity } from '../types.js';
import perfHooks, { type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { VERSION } from '../version.js';

/** Buckets that reach past 10 s: LLM calls and Slack deliveries can be that slow. */
const SLOW_CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];
const FAST_PATH_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const PARSE_ERROR_REASONS = ['invalid_json', 'too_deep', 'invalid_utf8', 'line_too_long', 'binary'] as const;
export const READ_ERROR_REASONS = ['eacces', 'enoent', 'eio', 'other'] as const;
export type ReadErrorReason = (typeof READ_ERROR_REASONS)[number];
export const ALERT_OUTCOMES = ['ok', 'retry', 'rate_limited', 'permanent_error', 'dropped'] as const;
/** Every engine, and `remote` for the time an agent waits on a shared brain. */
export const DIAGNOSIS_ENGINES = [...ENGINE_NAMES, 'remote'] as const;
/**
 * Why a match raised no alert of its own: `duplicate`, folded into an open incident (its count, and
 * its next update, carry it); `threshold`, its rule's threshold not yet crossed; `storm`, held for a
 * storm digest; `silenced`, an operator's silence (`sentinel silence`) covers it.
 */
export const SUPPRESSION_REASONS = ['duplicate', 'same_failure', 'threshold', 'storm', 'silenced'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/**
 * prom-client's gauges named `_total` (promtool: "non-counter metrics should not have _total
 * suffix"). They are dropped, not renamed: `sum(nodejs_active_handles)` and its siblings, which stay,
 * give the same number.
 */
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** What the brain service's /metrics exports: its own requests, cache and engines, nothing of the agent's. The `sentinel_brain_*` families are the brain's alone. */
const BRAIN_FAMILIES = new Set([
  'sentinel_build_info',
  'sentinel_brain_requests_total',
  'sentinel_brain_request_duration_seconds',
  'sentinel_diagnosis_cache_hits_total',
  'sentinel_diagnosis_cache_misses_total',
  'sentinel_diagnosis_duration_seconds',
  'sentinel_diagnosis_fallbacks_total',
  'sentinel_llm_calls_total',
  'sentinel_llm_tokens_total',
  'sentinel_dropped_total',
  'sentinel_fleet_errors_total',
]);

/** The event loop's delay sampler behind nodejs_eventloop_lag_*: paused while the agent is idle. */
export interface EventLoopSampling {
  pause(): void;
  resume(): void;
}

export interface Metrics {
  registry: Registry;
  /** Present when the default metrics are on. */
  eventLoopSampling?: EventLoopSampling;
  logLines: Counter<'source'>;
  logBytes: Counter<'source'>;
  parseErrors: Counter<'source' | 'reason'>;
  readErrors: Counter<'source' | 'reason'>;
  linesTruncated: Counter<'source'>;
  filesWatched: Gauge<'source'>;
  filesNotFollowed: Gauge<'source'>;
  rotations: Counter<'source'>;
  truncations: Counter<'source'>;
  tailLagBytes: Gauge<'source'>;
  checkpointAgeSeconds: Gauge;
  ruleMatches: Counter<'rule' | 'severity'>;
  incidentsOpened: Counter<'rule' | 'severity'>;
  incidentsResolved: Counter<'rule' | 'severity'>;
  incidentsSuppressed: Counter<'reason'>;
  incidentsOpen: Gauge;
  fingerprintsEvicted: Counter;
  digestAlerts: Counter;
  detectionLatency: Histogram;
  diagnosisDuration: Histogram<'engine'>;
  diagnosisFallbacks: Counter<'reason'>;
  llmTokens: Counter<'kind'>;
  llmCalls: Counter<'outcome'>;
  alertsSent: Counter<'notifier' | 'outcome'>;
  alertDeliveryDuration: Histogram<'notifier'>;
  alertRetries: Counter<'notifier' | 'reason'>;
  outboxDepth: Gauge<'notifier'>;
  configReloads: Counter<'outcome'>;
  dropped: Counter<'stage' | 'reason'>;
  stateWriteErrors: Counter<'kind'>;
  outboxMemoryOnly: Gauge<'notifier'>;
  buildInfo: Gauge<'version' | 'node'>;
  diagnosisCacheHits: Counter;
  diagnosisCacheMisses: Counter;
  brainRequests: Counter<'route' | 'status'>;
  brainRequestDuration: Histogram<'route' | 'status'>;
  fleetErrors: Counter<'op'>;
}

/** The kinds of state file, as the `kind` label of sentinel_state_write_errors_total. */
export const STATE_FILES = ['incidents', 'checkpoints', 'outbox', 'threads'] as const;
export type StateFileKind = (typeof STATE_FILES)[number];

export interface MetricsOptions {
  registry?: Registry;
  /** prom-client's process and Node.js metrics; on by default. */
  defaultMetrics?: boolean;
  /** Which process serves the registry: the agent exports every family, the brain service only its own. Default agent. */
  scope?: 'agent' | 'brain';
}

/**
 * How often the event loop's delay is sampled for nodejs_eventloop_lag_*. prom-client's 10 ms wakes
 * an idle agent 100 times a second, most of what it spends idle (~8 of ~10 ms of CPU a second);
 * at 100 ms a blocked loop still shows, for a tenth of the wake-ups (docs/benchmarks.md, "Eighth round").
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * The nodejs_eventloop_lag_* figures are summarised at most once per this long. prom-client reads
 * Node's delay histogram at every scrape, and its mean, standard deviation and three percentiles
 * each walk the whole histogram: ~1 ms of a ~1.3 ms scrape, ~4% of a catch-up scraped every 50 ms
 * (docs/benchmarks.md, "Eleventh round"). A shorter window holds under ten samples at
 * EVENT_LOOP_SAMPLE_MS anyway; a scrape in between repeats the last summary, and the next one
 * covers every sample since (the histogram is reset only when summarised).
 */
export const EVENT_LOOP_SUMMARY_MS = 1_000;

/** The gauges prom-client sets from its delay histogram (nodejs_eventloop_lag_seconds is measured apart). */
const EVENT_LOOP_HISTOGRAM_GAUGES = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'].map((g) => `nodejs_eventloop_lag_${g}_seconds`);

/**
 * Lets the collect hook of prom-client's event-loop metrics run at most once per EVENT_LOOP_SUMMARY_MS.
 * A summary of no samples (the sampler paused while idle) reads as no delay, not as the histogram's
 * empty values (a minimum of 2⁶³ ns, a mean of NaN).
 */
function summariseEventLoopLagAtMostOncePer(registry: Registry, ms: number, histogram: IntervalHistogram | undefined): void {
  const lag = registry.getSingleMetric('nodejs_eventloop_lag_seconds') as { collect?: () => unknown } | undefined;
  const collect = lag?.collect;
  if (!lag || !collect) return;
  let last = -Infinity;
  lag.collect = () => {
    const now = performance.now();
    if (now - last < ms) return undefined;
    last = now;
    const sampled = histogram === undefined || histogram.count > 0;
    const result = collect.call(lag);
    if (!sampled) for (const name of EVENT_LOOP_HISTOGRAM_GAUGES) (registry.getSingleMetric(name) as Gauge | undefined)?.set(0);
    return result;
  };
}

/**
 * prom-client makes and enables its delay histogram inside collectDefaultMetrics and keeps it to
 * itself; it is caught here on its way out, so that an idle agent can stop its 10 wake-ups a second
 * (~0.5 ms of CPU a second, a quarter of what an idle agent spent; docs/benchmarks.md, "Thirteenth round").
 */
function withEventLoopHistogram(register: () => void): IntervalHistogram | undefined {
  const original = perfHooks.monitorEventLoopDelay;
  let made: IntervalHistogram | undefined;
  perfHooks.monitorEventLoopDelay = (options) => (made = original(options));
  try {
    register();
  } finally {
    perfHooks.monitorEventLoopDelay = original;
  }
  return made;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = options.registry ?? new Registry();
  let histogram: IntervalHistogram | undefined;
  if (options.defaultMetrics !== false) {
    histogram = withEventLoopHistogram(() => collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS }));
    for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
    summariseEventLoopLagAtMostOncePer(registry, EVENT_LOOP_SUMMARY_MS, histogram);
  }
  const registers = [registry];

  const sampler = histogram;
  const m: Metrics = {
    registry,
    ...(sampler ? { eventLoopSampling: { pause: () => void sampler.disable(), resume: () => void sampler.enable() } } : {}),
    logLines: new Counter({ name: 'sentinel_log_lines_total', help: 'Log lines read, by source.', labelNames: ['source'], registers }),
    logBytes: new Counter({ name: 'sentinel_log_bytes_total', help: 'Log bytes read, by source.', labelNames: ['source'], registers }),
    parseErrors: new Counter({
      name: 'sentinel_parse_errors_total',
      help: 'Records that could not be parsed as their format says, by reason (the record is still matched as text).',
      labelNames: ['source', 'reason'],
      registers,
    }),
    readErrors: new Counter({ name: 'sentinel_read_errors_total', help: 'File read errors, by reason.', labelNames: ['source', 'reason'], registers }),
    linesTruncated: new Counter({
      name: 'sentinel_lines_truncated_total',
      help: 'Lines cut at max_line_bytes.',
      labelNames: ['source'],
      registers,
    }),
    filesWatched: new Gauge({ name: 'sentinel_files_watched', help: 'Files currently followed, by source.', labelNames: ['source'], registers }),
    filesNotFollowed: new Gauge({
      name: 'sentinel_files_not_followed',
      help: 'Files the globs match that are not followed because the source follows max_files already.',
      labelNames: ['source'],
      registers,
    }),
    rotations: new Counter({ name: 'sentinel_file_rotations_total', help: 'Rename rotations seen.', labelNames: ['source'], registers }),
    truncations: new Counter({ name: 'sentinel_file_truncations_total', help: 'Truncations (copytruncate) seen.', labelNames: ['source'], registers }),
    tailLagBytes: new Gauge({
      name: 'sentinel_tail_lag_bytes',
      help: 'Bytes written to watched files but not yet read, by source.',
      labelNames: ['source'],
      registers,
    }),
    checkpointAgeSeconds: new Gauge({
      name: 'sentinel_checkpoint_age_seconds',
      help: 'Seconds since offsets were last written to state_dir.',
      registers,
    }),
    ruleMatches: new Counter({ name: 'sentinel_rule_matches_total', help: 'Records matched, by rule.', labelNames: ['rule', 'severity'], registers }),
    incidentsOpened: new Counter({ name: 'sentinel_incidents_opened_total', help: 'Incidents opened.', labelNames: ['rule', 'severity'], registers }),
    incidentsResolved: new Counter({ name: 'sentinel_incidents_resolved_total', help: 'Incidents resolved.', labelNames: ['rule', 'severity'], registers }),
    incidentsSuppressed: new Counter({
      name: 'sentinel_incidents_suppressed_total',
      help: 'Matches that raised no alert of their own, by reason (duplicate, same_failure, threshold, storm, silenced).',
      labelNames: ['reason'],
      registers,
    }),
    incidentsOpen: new Gauge({ name: 'sentinel_incidents_open', help: 'Incidents currently open.', registers }),
    fingerprintsEvicted: new Counter({
      name: 'sentinel_fingerprints_evicted_total',
      help: 'Tracked fingerprints evicted to keep memory bounded.',
      registers,
    }),
    digestAlerts: new Counter({ name: 'sentinel_digest_alerts_total', help: 'Digest alerts that batched an incident storm.', registers }),
    detectionLatency: new Histogram({
      name: 'sentinel_detection_latency_seconds',
      help: 'Time from a record being read to its incident being known.',
      buckets: FAST_PATH_BUCKETS,
      registers,
    }),
    diagnosisDuration: new Histogram({
      name: 'sentinel_diagnosis_duration_seconds',
      help: 'Time to diagnose an incident, by engine.',
      labelNames: ['engine'],
      buckets: SLOW_CALL_BUCKETS,
      registers,
    }),
    diagnosisFallbacks: new Counter({
      name: 'sentinel_diagnosis_fallbacks_total',
      help: 'Diagnoses answered by the built-in engine because the LLM or remote brain failed, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    llmTokens: new Counter({ name: 'sentinel_llm_tokens_total', help: 'LLM tokens used, by kind (input, output).', labelNames: ['kind'], registers }),
    llmCalls: new Counter({ name: 'sentinel_llm_calls_total', help: 'LLM calls, by outcome.', labelNames: ['outcome'], registers }),
    alertsSent: new Counter({
      name: 'sentinel_alerts_sent_total',
      help: 'Alert delivery attempts, by notifier and outcome.',
      labelNames: ['notifier', 'outcome'],
      registers,
    }),
    alertDeliveryDuration: new Histogram({
      name: 'sentinel_alert_delivery_duration_seconds',
      help: 'Time from an alert being queued to it being accepted by the notifier.',
      labelNames: ['notifier'],
      buckets: SLOW_CALL_BUCKETS,
      registers,
    }),
    alertRetries: new Counter({
      name: 'sentinel_alert_retries_total',
      help: 'Alert delivery retries, by notifier and reason.',
      labelNames: ['notifier', 'reason'],
      registers,
    }),
    outboxDepth: new Gauge({ name: 'sentinel_outbox_depth', help: 'Alerts waiting in the outbox, by notifier.', labelNames: ['notifier'], registers }),
    configReloads: new Counter({ name: 'sentinel_config_reloads_total', help: 'Config reloads, by outcome.', labelNames: ['outcome'], registers }),
    dropped: new Counter({
      name: 'sentinel_dropped_total',
      help: 'Items dropped to keep memory bounded, by stage and reason.',
      labelNames: ['stage', 'reason'],
      registers,
    }),
    stateWriteErrors: new Counter({
      name: 'sentinel_state_write_errors_total',
      help: 'Failed writes to state_dir, by kind of file (retried from the current state).',
      labelNames: ['kind'],
      registers,
    }),
    outboxMemoryOnly: new Gauge({
      name: 'sentinel_outbox_memory_only',
      help: 'Alerts waiting in memory only, because their outbox file could not be written.',
      labelNames: ['notifier'],
      registers,
    }),
    buildInfo: new Gauge({
      name: 'sentinel_build_info',
      help: 'Always 1; the labels say which Sentinel version runs on which Node.js.',
      labelNames: ['version', 'node'],
      registers,
    }),
    diagnosisCacheHits: new Counter({
      name: 'sentinel_diagnosis_cache_hits_total',
      help: 'Diagnoses answered from the cache, or by joining the same fingerprint in flight, without a new engine call.',
      registers,
    }),
    diagnosisCacheMisses: new Counter({
      name: 'sentinel_diagnosis_cache_misses_total',
      help: 'Diagnoses the cache could not answer, each asked of an engine.',
      registers,
    }),
    brainRequests: new Counter({
      name: 'sentinel_brain_requests_total',
      help: 'HTTP requests the brain service answered, by route and status code.',
      labelNames: ['route', 'status'],
      registers,
    }),
    brainRequestDuration: new Histogram({
      name: 'sentinel_brain_request_duration_seconds',
      help: 'Time the brain service took to answer a request, by route and status code.',
      labelNames: ['route', 'status'],
      buckets: SLOW_CALL_BUCKETS,
      registers,
    }),
    fleetErrors: new Counter({
      name: 'sentinel_fleet_errors_total',
      help: 'Fleet (Redis) operations that failed or timed out, by operation; the process decided alone instead.',
      labelNames: ['op'],
      registers,
    }),
  };

  // Series that exist from the start, so dashboards and rate() see zeros rather than gaps.
  // prom-client's labels() alone creates no series: inc(0) on counters, zero() on histograms does.
  for (const engine of DIAGNOSIS_ENGINES) m.diagnosisDuration.zero({ engine });
  for (const kind of ['input', 'output']) m.llmTokens.labels({ kind }).inc(0);
  for (const outcome of ['success', 'failure']) m.configReloads.labels({ outcome }).inc(0);
  for (const reason of SUPPRESSION_REASONS) m.incidentsSuppressed.labels({ reason }).inc(0);
  for (const kind of STATE_FILES) m.stateWriteErrors.labels({ kind }).inc(0);
  m.incidentsOpen.set(0);
  m.checkpointAgeSeconds.set(0);
  m.buildInfo.set({ version: VERSION, node: process.version }, 1);
  m.diagnosisCacheHits.inc(0);
  m.diagnosisCacheMisses.inc(0);
  // One Metrics object serves both processes; each registry leaves out the families the other one moves.
  const brain = options.scope === 'brain';
  for (const { name } of registry.getMetricsAsArray()) {
    const exported = brain ? !name.startsWith('sentinel_') || BRAIN_FAMILIES.has(name) : !name.startsWith('sentinel_brain_');
    if (!exported) registry.removeSingleMetric(name);
  }
  return m;
}

/** Zero the per-rule series once the rules are known. */
export function initRuleSeries(metrics: Metrics, rules: readonly { id: string; severity: Severity }[]): void {
  for (const { id: rule, severity } of rules) {
    metrics.ruleMatches.labels({ rule, severity }).inc(0);
    metrics.incidentsOpened.labels({ rule, severity }).inc(0);
  }
}

/** Zero the per-source series once a source is known, so they exist before the first line. */
export function initSourceSeries(metrics: Metrics, source: string): void {
  for (const c of [metrics.logLines, metrics.logBytes, metrics.linesTruncated, metrics.rotations, metrics.truncations]) c.labels({ source }).inc(0);
  for (const reason of PARSE_ERROR_REASONS) metrics.parseErrors.labels({ source, reason }).inc(0);
  for (const reason of READ_ERROR_REASONS) metrics.readErrors.labels({ source, reason }).inc(0);
  metrics.tailLagBytes.labels({ source }).set(0);
  metrics.filesWatched.labels({ source }).set(0);
  metrics.filesNotFollowed.labels({ source }).set(0);
}

/** Zero the per-notifier series once a notifier is configured. */
export function initNotifierSeries(metrics: Metrics, notifier: string): void {
  // prom-client's Counter.labels() creates no series by itself; inc(0) does.
  for (const outcome of ALERT_OUTCOMES) metrics.alertsSent.labels({ notifier, outcome }).inc(0);
  metrics.outboxDepth.labels({ notifier }).set(0);
  metrics.outboxMemoryOnly.labels({ notifier }).set(0);
}

/**
 * The operations a fleet runs against Redis (src/fleet): the closed label set of
 * sentinel_fleet_errors_total{op}. connect: the connection itself; join … view: agents' incident
 * claims and counts; cache_get … cooloff: brains' diagnosis cache, single flight, budget, 429 pause.
 */
export const FLEET_OPS = ['connect', 'join', 'occurrences', 'announced', 'realert', 'resolve', 'view', 'cache_get', 'cache_set', 'flight', 'budget', 'cooloff'] as const;
export type FleetOp = (typeof FLEET_OPS)[number];

/** Zero the per-operation fleet series once fleet.redis_url is set (without it they stay absent). */
export function initFleetSeries(metrics: Metrics): void {
  for (const op of FLEET_OPS) metrics.fleetErrors.labels({ op }).inc(0);
}
