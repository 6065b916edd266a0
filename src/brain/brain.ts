// The brain facade: one `diagnose` for the agent, whatever answers behind it. Its promises: it
// never throws, it answers within `brain.timeout_ms` (the built-in analyser takes over after
// that), and one incident costs at most one LLM call (a bounded cache keyed by fingerprint and a
// hash of the content diagnosed (cache-key.ts), and concurrent asks for one key share one call).
// Every answer says whether it came from the cache (`cached`).
import { performance } from 'node:perf_hooks';
import type { BrainConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { createRedactor } from '../redact/redactor.js';
import type { Diagnosis, DiagnoseRequest } from '../types.js';
import { createBuiltinEngine, unknownDiagnosis, type AnalyseFn } from './builtin-engine.js';
import type { BuiltinEngine, DiagnosisEngine } from './engine.js';
import { EngineError, FALLBACK_REASONS, type FallbackReason } from './engine-error.js';
import { chooseLlmEngine, type EngineChoice } from './engine-registry.js';
import { createLlmAudit } from './llm-audit.js';
import { createRemoteEngine } from './remote-engine.js';
import { diagnosisCacheKey } from './cache-key.js';
import type { LlmLimits } from './llm-limits.js';

export type { DiagnosisEngine } from './engine.js';

export interface BrainOptions {
  config: BrainConfig;
  metrics: Metrics;
  logger: Logger;
  now?: () => number;
  fetch?: typeof fetch;
  /** The built-in analyser; injectable for tests. Default: src/brain/analyser. */
  analyse?: AnalyseFn;
  /**
   * Let the built-in analyser read a failing line from the file a stack frame names, on this
   * machine. Right for the embedded brain beside the pipeline (default true); a shared brain
   * service must turn it off: there the path comes from the network, and reading it would let
   * any caller read files on the brain's host line by line.
   */
  readSourceFiles?: boolean;
  /** Second, defensive redaction of what goes to an LLM. Default: the built-in secret patterns. */
  redact?: (text: string) => string;
  /** Which engine answers (engine-registry.ts). Default `auto`: the first configured LLM engine. */
  engine?: EngineChoice;
  /** The state directory for the audit trail of LLM requests (llm-audit.ts); none: no trail. */
  auditDir?: string;
  /** Diagnoses kept by fingerprint (LRU); 0 turns the cache off. Default 1000. */
  cacheSize?: number;
  /** How long an engine's answer stays cached. Default 6 h. */
  cacheTtlMs?: number;
  /** How long a fallback answer stays cached, so an outage is not re-tried per repeat but recovers. Default 5 min. */
  fallbackCacheTtlMs?: number;
  /** Diagnoses waiting on an LLM or a remote brain at once; past it the built-in engine answers. Default 256. */
  maxInFlight?: number;
  /**
   * A fleet's shared state (src/fleet): the diagnosis cache and single flight shared by every
   * replica, and the LLM call budget and 429 cool-off. Absent: this process's own.
   */
  shared?: { diagnoses: SharedDiagnoses; limits: LlmLimits };
}

/**
 * A diagnosis cache shared by several brains, with one flight per key. Every method answers
 * `undefined` when the shared store is unreachable: the brain then carries on alone.
 */
export interface SharedDiagnoses {
  get(key: string): Promise<Diagnosis | undefined>;
  /** True: this brain asks the engine for `key` and must `put` the answer; false: another one does. */
  claim(key: string, ms: number): Promise<boolean | undefined>;
  put(key: string, diagnosis: Diagnosis, ttlMs: number): Promise<void>;
  /** Another brain's answer for `key`, polled until `deadline` (epoch ms); undefined when none came. */
  wait(key: string, deadline: number, now: () => number): Promise<Diagnosis | undefined>;
}

export interface Brain {
  /**
   * `budgetMs`: what is left of this diagnosis's time budget when the caller has already spent some
   * of it (the agent waiting for the lines after a failure); never more than `brain.timeout_ms`.
   */
  diagnose(req: DiagnoseRequest, budgetMs?: number): Promise<Diagnosis>;
  close(): Promise<void>;
}

/**
 * embedded: the first configured LLM engine of the registry, else builtin. url=http…: the remote brain
 * over HTTP. Always: cache by fingerprint (bounded LRU), hard budget config.timeout_ms after which
 * the built-in diagnosis is returned (with fallbackReason), never throws.
 */
export function createBrain(options: BrainOptions): Brain {
  const { config, metrics, logger } = options;
  const now = options.now ?? Date.now;
  const builtin = createBuiltinEngine({
    ...(options.analyse ? { analyse: options.analyse } : {}),
    readSourceFiles: options.readSourceFiles ?? true,
    onError: (err) => logger.error({ err }, 'The built-in analyser threw; answering "unknown".'),
  });
  const primary = choosePrimary(options, builtin);
  const cache = createDiagnosisCache({
    size: options.cacheSize ?? 1000,
    now,
    onEvict: () => metrics.dropped.inc({ stage: 'diagnose', reason: 'cache_evicted' }),
  });
  const ttl = options.cacheTtlMs ?? 6 * 3600_000;
  const fallbackTtl = options.fallbackCacheTtlMs ?? 5 * 60_000;
  const maxInFlight = options.maxInFlight ?? 256;
  const keyRedactor = options.redact ? undefined : createRedactor();
  const redactForKey = options.redact ?? ((text: string) => (keyRedactor ? keyRedactor.redact(text) : text));
  const inFlight = new Map<string, Promise<Diagnosis>>();
  const controllers = new Set<AbortController>();
  let closed = false;
  for (const reason of FALLBACK_REASONS) metrics.diagnosisFallbacks.labels({ reason });

  const answerBuiltin = async (req: DiagnoseRequest, fallbackReason?: FallbackReason): Promise<Diagnosis> => {
    const d = await builtin.diagnose(req);
    metrics.diagnosisDuration.observe({ engine: 'builtin' }, d.latencyMs / 1000);
    if (fallbackReason === undefined) return d;
    metrics.diagnosisFallbacks.inc({ reason: fallbackReason });
    return { ...d, fallbackReason };
  };

  const askPrimary = async (engine: DiagnosisEngine, req: DiagnoseRequest, budgetMs: number): Promise<Diagnosis> => {
    const controller = new AbortController();
    controllers.add(controller);
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new EngineError('timeout', engine.errorCode ?? 'SENTINEL_ERR_INTERNAL', `no answer within ${budgetMs} ms`));
      }, budgetMs);
      timer.unref();
    });
    try {
      const d = await Promise.race([engine.diagnose(req, controller.signal), deadline]);
      metrics.diagnosisDuration.observe({ engine: engine.name }, (performance.now() - started) / 1000);
      return d;
    } catch (err) {
      metrics.diagnosisDuration.observe({ engine: engine.name }, (performance.now() - started) / 1000);
      if (!(err instanceof EngineError)) logger.error({ err, engine: engine.name }, 'Diagnosis engine failed unexpectedly; the built-in analyser answers.');
      return await answerBuiltin(req, err instanceof EngineError ? err.reason : 'error');
    } finally {
      clearTimeout(timer);
      controllers.delete(controller);
    }
  };

  const diagnoseUncached = async (req: DiagnoseRequest, budgetMs: number): Promise<Diagnosis> => {
    if (primary === builtin) return answerBuiltin(req);
    if (inFlight.size >= maxInFlight) return answerBuiltin(req, 'overload');
    return askPrimary(primary, req, budgetMs);
  };

  const shared = primary.cacheScope ? options.shared?.diagnoses : undefined;
  /** Time kept back from a wait for another replica's answer, for the built-in one if none comes. */
  const FALLBACK_RESERVE_MS = 100;

  /** Through the fleet's cache and single flight; `cached`: another replica's answer was used. */
  const diagnoseShared = async (store: SharedDiagnoses, key: string, req: DiagnoseRequest, budgetMs: number): Promise<{ d: Diagnosis; cached: boolean }> => {
    const startedAt = now();
    const stored = await store.get(key);
    if (stored) return { d: stored, cached: true };
    if ((await store.claim(key, budgetMs)) === false) {
      const answer = await store.wait(key, startedAt + budgetMs - FALLBACK_RESERVE_MS, now);
      if (answer) return { d: answer, cached: true };
      // The claimer did not answer in time (slow, or gone): this request must not wait longer.
      return { d: await answerBuiltin(req, 'timeout'), cached: false };
    }
    const d = await diagnoseUncached(req, Math.max(0, budgetMs - (now() - startedAt)));
    if (!closed) await store.put(key, d, d.fallbackReason === undefined ? ttl : fallbackTtl);
    return { d, cached: false };
  };

  return {
    async diagnose(req, budgetMs = config.timeout_ms) {
      try {
        if (closed) return { ...(await answerBuiltin(req)), cached: false };
        const key = primary.cacheScope ? `${primary.cacheScope}\n${diagnosisCacheKey(req, redactForKey)}` : diagnosisCacheKey(req, redactForKey);
        const hit = cache.get(key);
        const pending = hit ? undefined : inFlight.get(key);
        if (hit || pending) metrics.diagnosisCacheHits.inc();
        if (hit) return { ...hit, cached: true };
        if (pending) return { ...(await pending), cached: true };
        const budget = Math.max(0, Math.min(config.timeout_ms, budgetMs));
        let fromFleet = false;
        const p = (shared ? diagnoseShared(shared, key, req, budget) : diagnoseUncached(req, budget).then((d) => ({ d, cached: false }))).then(({ d, cached }) => {
          fromFleet = cached;
          (cached ? metrics.diagnosisCacheHits : metrics.diagnosisCacheMisses).inc();
          if (!closed) cache.set(key, d, d.fallbackReason === undefined ? ttl : fallbackTtl);
          return d;
        });
        if (primary === builtin) return { ...(await p), cached: false };
        inFlight.set(key, p);
        try {
          const d = await p;
          return { ...d, cached: fromFleet };
        } finally {
          inFlight.delete(key);
        }
      } catch (err) {
        // Last line of the never-throws promise: even a bug above must not lose the alert.
        logger.error({ err }, 'Brain failed; answering "unknown".');
        return unknownDiagnosis(req);
      }
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const c of controllers) c.abort();
      cache.clear();
      return Promise.resolve();
    },
  };
}

function choosePrimary(options: BrainOptions, builtin: BuiltinEngine): DiagnosisEngine {
  const { config, metrics, logger } = options;
  if (config.url && config.url !== 'embedded') {
    return createRemoteEngine({
      url: config.url,
      logger,
      ...(config.auth_token ? { authToken: config.auth_token } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }
  const llm = chooseLlmEngine(config, options.engine);
  if (!llm) return builtin;
  const redactor = options.redact ? undefined : createRedactor();
  const audit = options.auditDir ? createLlmAudit({ dir: options.auditDir, maxBytes: config.audit_max_bytes, logger, metrics, ...(options.now ? { now: options.now } : {}) }) : undefined;
  return llm.create(config, {
    ...(audit ? { audit } : {}),
    metrics,
    logger,
    now: options.now ?? Date.now,
    builtin,
    timeoutMs: config.timeout_ms,
    redact: options.redact ?? ((text) => (redactor ? redactor.redact(text) : text)),
    ...(options.shared ? { limits: options.shared.limits } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

interface DiagnosisCache {
  get(key: string): Diagnosis | undefined;
  set(key: string, d: Diagnosis, ttlMs: number): void;
  clear(): void;
}

/** A Map kept in recency order: a hit moves to the back, the front is the least recently used. */
function createDiagnosisCache(opts: { size: number; now: () => number; onEvict: () => void }): DiagnosisCache {
  const entries = new Map<string, { d: Diagnosis; expires: number }>();
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      entries.delete(key);
      if (e.expires <= opts.now()) return undefined;
      entries.set(key, e);
      return e.d;
    },
    set(key, d, ttlMs) {
      if (opts.size <= 0) return;
      entries.delete(key);
      entries.set(key, { d, expires: opts.now() + ttlMs });
      while (entries.size > opts.size) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
        opts.onEvict();
      }
    },
    clear() {
      entries.clear();
    },
  };
}
