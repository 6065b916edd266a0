// Why an engine other than the built-in one did not answer. A closed set: it is the
// `reason` label of sentinel_diagnosis_fallbacks_total and the Diagnosis' `fallbackReason`.
import type { ErrorCode } from '../errors.js';

export const FALLBACK_REASONS = [
  'timeout',
  'rate_limited',
  'unavailable',
  'invalid_key',
  'bad_request',
  'network',
  'invalid_output',
  'budget',
  /** Too many diagnoses already waiting on the engine. */
  'overload',
  'error',
] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** Thrown by an engine (an LLM, remote) so the brain can fall back with a classified reason. */
export class EngineError extends Error {
  readonly reason: FallbackReason;
  readonly code: ErrorCode;
  /** HTTP status when the failure came with one. */
  readonly status: number | undefined;
  constructor(reason: FallbackReason, code: ErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.reason = reason;
    this.code = code;
    this.status = options?.status;
  }
}

/** What an HTTP error status means for a fallback, the same for every engine that speaks HTTP. */
export function reasonForStatus(status: number): FallbackReason {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status === 401 || status === 403) return 'invalid_key';
  return 'bad_request';
}

/** True for the errors `fetch` and the SDK raise when a signal or their own timeout ends a call. */
export function isAbortError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return true;
  return err.cause instanceof Error && (err.cause.name === 'AbortError' || err.cause.name === 'TimeoutError');
}

/**
 * Logs each failure kind once, not once per call: the first failure of a kind is a warning, the
 * next ones are silent until a success shows the engine recovered, so an outage is two lines.
 */
export function createOnceLogger(): { shouldLog(reason: FallbackReason): boolean; recovered(): boolean } {
  const seen = new Set<FallbackReason>();
  return {
    shouldLog(reason) {
      if (seen.has(reason)) return false;
      seen.add(reason);
      return true;
    },
    recovered() {
      if (seen.size === 0) return false;
      seen.clear();
      return true;
    },
  };
}
