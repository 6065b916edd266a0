// The client of a shared brain service (`brain.url: http://…`). What the service answers is
// validated like any input from the network; every failure is an EngineError so the agent's
// brain falls back to its own built-in analyser and the alert still goes out.
import type { Logger } from '../log.js';
import type { Diagnosis, DiagnoseRequest } from '../types.js';
import type { DiagnosisEngine } from './engine.js';
import { createOnceLogger, EngineError, isAbortError, reasonForStatus, type FallbackReason } from './engine-error.js';
import { lazyValidator } from './lazy-validator.js';
import { diagnosisSchema } from './schemas.js';

export interface RemoteEngineOptions {
  /** Base URL of the brain service, e.g. http://brain:8787 */
  url: string;
  authToken?: string;
  logger: Logger;
  fetch?: typeof fetch;
}

export function createRemoteEngine(options: RemoteEngineOptions): DiagnosisEngine {
  const endpoint = `${options.url.replace(/\/+$/, '')}/diagnose`;
  const doFetch = options.fetch ?? fetch;
  const validator = lazyValidator<Diagnosis>(diagnosisSchema);
  const once = createOnceLogger();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.authToken) headers.authorization = `Bearer ${options.authToken}`;

  const fail = (reason: FallbackReason, message: string, extra: { cause?: unknown; status?: number } = {}): EngineError => {
    if (once.shouldLog(reason)) {
      options.logger.warn(
        { code: 'SENTINEL_ERR_BRAIN_UNAVAILABLE', reason, status: extra.status, url: endpoint },
        `Remote brain failed (${reason}): ${message}. The built-in analyser answers; logged once until the brain recovers.`,
      );
    }
    return new EngineError(reason, 'SENTINEL_ERR_BRAIN_UNAVAILABLE', message, extra);
  };

  return {
    name: 'remote',
    errorCode: 'SENTINEL_ERR_BRAIN_UNAVAILABLE',
    async diagnose(req: DiagnoseRequest, signal: AbortSignal): Promise<Diagnosis> {
      let res: Response;
      let body: string;
      try {
        res = await doFetch(endpoint, { method: 'POST', headers, body: JSON.stringify(req), signal });
        body = await res.text();
      } catch (err) {
        if (signal.aborted || isAbortError(err)) throw fail('timeout', 'no answer within the time budget', { cause: err });
        const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
        throw fail('network', `${err instanceof Error ? err.message : String(err)}${cause}`, { cause: err });
      }
      if (!res.ok) {
        const status = res.status;
        throw fail(reasonForStatus(status), `HTTP ${status}: ${body.slice(0, 200)}`, { status });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch (err) {
        throw fail('invalid_output', `the answer is not JSON (${body.length} bytes)`, { cause: err });
      }
      const validate = await validator();
      if (!validate(parsed)) {
        const e = validate.errors?.[0];
        throw fail('invalid_output', `the answer is not a Diagnosis: ${e?.instancePath || '/'} ${e?.message ?? ''}`);
      }
      if (once.recovered()) options.logger.info({ url: endpoint }, 'Remote brain answers again.');
      return parsed;
    },
  };
}
