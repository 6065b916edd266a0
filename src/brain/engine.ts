// The contract between the brain and whatever answers behind it (README, "Extending Sentinel").
// Engines import it from here, never from the brain.ts facade, so the facade depends on
// the engines and not the other way round.
import type { BrainConfig } from '../config/config-types.js';
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Diagnosis, DiagnoseRequest, EngineName } from '../types.js';
import type { LlmAudit } from './llm-audit.js';
import type { LlmLimits } from './llm-limits.js';

export interface DiagnosisEngine {
  /** `remote` is the client of a shared brain, which answers with the engine that diagnosed. */
  readonly name: EngineName | 'remote';
  /** The code logged when this engine fails or runs out of time. */
  readonly errorCode?: ErrorCode;
  /**
   * What besides the request decides the answer (engine and model): part of the brain's cache key,
   * so a changed model is asked afresh instead of being served another model's answers.
   */
  readonly cacheScope?: string;
  /**
   * Resolves with a Diagnosis, or rejects with an EngineError (engine-error.ts) whose reason the
   * brain counts before the built-in analyser answers. Must stop work when `signal` aborts.
   */
  diagnose(req: DiagnoseRequest, signal: AbortSignal): Promise<Diagnosis>;
}

/** The offline analyser as an engine (builtin-engine.ts): every other engine's fallback. */
export interface BuiltinEngine extends DiagnosisEngine {
  readonly name: 'builtin';
  /** Never rejects and needs no signal: the analyser is CPU-only and takes milliseconds (its first call also loads it). */
  diagnose(req: DiagnoseRequest, signal?: AbortSignal): Promise<Diagnosis>;
}

/** What the brain hands every engine factory in the registry. */
export interface EngineContext {
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  /** The built-in engine: an LLM engine's hint and everyone's fallback. */
  builtin: BuiltinEngine;
  /** The brain's budget for one diagnosis; an engine's own per-call cap is at most this. */
  timeoutMs: number;
  /** Second, defensive redaction of everything sent off the machine. */
  redact: (text: string) => string;
  /** Where each request that leaves the machine is recorded; absent when the audit is off. */
  audit?: LlmAudit;
  /** The daily call budget and the 429 cool-off; absent: this process's own (a fleet passes shared ones). */
  limits?: LlmLimits;
  fetch?: typeof fetch;
}

/** An LLM engine as src/brain/engine-registry.ts lists it. */
export interface EngineRegistration {
  name: Exclude<EngineName, 'builtin'>;
  /** True when the config asks for this engine (its key or endpoint is set). */
  isConfigured(brain: BrainConfig): boolean;
  /** What to set to turn it on, for the error of a command that requires it. */
  requirement: string;
  create(brain: BrainConfig, context: EngineContext): DiagnosisEngine;
}
