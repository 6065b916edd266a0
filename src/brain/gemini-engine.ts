// Gemini through the official @google/genai SDK: one structured call per incident, thinking off,
// temperature 0, output constrained by the Diagnosis schema and validated again here (the schema
// steers the model; it does not guarantee the bytes). Every failure becomes an EngineError with a
// closed-set reason; the brain answers with the built-in diagnosis instead.
// The SDK itself is imported on the first call, not at start-up: it costs ~150 ms and ~30 MB, and
// most agents run without a key (docs/adr/0006).
import type { GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { Ajv } from 'ajv';
import type { GeminiConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Diagnosis, DiagnoseRequest, Location } from '../types.js';
import type { DiagnosisEngine } from './brain.js';
import type { BuiltinEngine } from './builtin-engine.js';
import { buildContextPack, cut, SYSTEM_INSTRUCTION } from './context-pack.js';
import { createOnceLogger, EngineError, FALLBACK_REASONS, isAbortError, type FallbackReason } from './engine-error.js';
import { diagnosisFindingSchema } from './schemas.js';

export const DEFAULT_GEMINI_MODEL = 'gemini-flash-lite-latest';
/** A Diagnosis is ~300–600 tokens of JSON; the headroom keeps a verbose answer from being cut. */
const MAX_OUTPUT_TOKENS = 2048;

export interface GeminiEngineOptions {
  config: GeminiConfig;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  /** The built-in engine, whose finding goes into the prompt as a hint. */
  builtin: BuiltinEngine;
  /** Per-call cap; the brain passes min(gemini.timeout_ms, brain.timeout_ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Defensive second redaction of everything that goes into the prompt. */
  redact?: (text: string) => string;
}

type FindingFields = Pick<Diagnosis, 'category' | 'summary' | 'rootCause' | 'evidence' | 'location' | 'fix' | 'retryable' | 'confidence'>;

export function createGeminiEngine(options: GeminiEngineOptions): DiagnosisEngine {
  const { config, metrics, logger, now, builtin } = options;
  if (!config.api_key) throw new Error('createGeminiEngine needs config.api_key');
  const model = config.model || DEFAULT_GEMINI_MODEL;
  const timeout = Math.min(config.timeout_ms, options.timeoutMs ?? config.timeout_ms);
  let client: Promise<GoogleGenAI> | undefined;
  const getClient = (): Promise<GoogleGenAI> =>
    (client ??= import('@google/genai').then(
      ({ GoogleGenAI }) =>
        // No retryOptions: a retry would only eat the brain's time budget; the fallback is the retry.
        new GoogleGenAI({
          apiKey: config.api_key,
          vertexai: false,
          httpOptions: {
            // Left out when unset, so the SDK's own GOOGLE_GEMINI_BASE_URL keeps working.
            ...(config.base_url ? { baseUrl: config.base_url } : {}),
            timeout,
            ...(options.fetch ? { fetch: options.fetch } : {}),
          },
        }),
    ));
  const validate = new Ajv({ allErrors: false, strict: false }).compile<FindingFields>(diagnosisFindingSchema);
  const once = createOnceLogger();
  for (const outcome of ['ok', ...FALLBACK_REASONS.filter((r) => r !== 'budget' && r !== 'overload')]) metrics.llmCalls.labels({ outcome });
  const budget = { day: '', calls: 0, logged: false };

  const fail = (reason: FallbackReason, message: string, extra: { cause?: unknown; status?: number } = {}): EngineError => {
    metrics.llmCalls.inc({ outcome: reason });
    if (once.shouldLog(reason)) {
      logger.warn(
        { code: 'SENTINEL_ERR_GEMINI_FAILED', reason, status: extra.status, model },
        `Gemini call failed (${reason}): ${cut(message, 300)}. The built-in analyser answers; logged once until Gemini recovers.`,
      );
    }
    return new EngineError(reason, 'SENTINEL_ERR_GEMINI_FAILED', message, extra);
  };

  const takeBudget = (): void => {
    const day = new Date(now()).toISOString().slice(0, 10);
    if (day !== budget.day) Object.assign(budget, { day, calls: 0, logged: false });
    if (budget.calls >= config.daily_call_budget) {
      if (!budget.logged) {
        budget.logged = true;
        logger.warn({ budget: config.daily_call_budget, day }, 'Daily Gemini call budget reached; the built-in analyser answers until midnight UTC.');
      }
      throw new EngineError('budget', 'SENTINEL_ERR_GEMINI_FAILED', `daily call budget of ${config.daily_call_budget} reached`);
    }
    budget.calls++;
  };

  return {
    name: 'gemini',
    async diagnose(raw: DiagnoseRequest, signal: AbortSignal): Promise<Diagnosis> {
      takeBudget();
      const started = performance.now();
      const req = options.redact ? redactRequest(raw, options.redact) : raw;
      const hint = builtin.diagnoseSync(req);
      const pack = buildContextPack(req, hint, config.max_input_tokens);

      let response: GenerateContentResponse;
      try {
        const ai = await getClient();
        response = await ai.models.generateContent({
          model,
          contents: [{ role: 'user', parts: [{ text: pack.text }] }],
          config: {
            systemInstruction: SYSTEM_INSTRUCTION,
            temperature: 0,
            responseMimeType: 'application/json',
            responseJsonSchema: diagnosisFindingSchema,
            maxOutputTokens: MAX_OUTPUT_TOKENS,
            thinkingConfig: { thinkingBudget: 0 },
            abortSignal: signal,
          },
        });
      } catch (err) {
        const { reason, status } = classify(err, signal);
        throw fail(reason, errorMessage(err), { cause: err, status });
      }

      const usage = response.usageMetadata;
      const tokens = {
        input: usage?.promptTokenCount ?? 0,
        output: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
      };
      metrics.llmTokens.inc({ kind: 'input' }, tokens.input);
      metrics.llmTokens.inc({ kind: 'output' }, tokens.output);

      const candidate = response.candidates?.[0];
      const text = (candidate?.content?.parts ?? []).map((p) => p.text ?? '').join('');
      if (candidate?.finishReason && candidate.finishReason !== 'STOP') {
        throw fail('invalid_output', `the model stopped with ${candidate.finishReason} (${text.length} characters of output)`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw fail('invalid_output', `the model's output is not JSON (${text.length} characters, starts ${JSON.stringify(text.slice(0, 40))})`);
      }
      if (!validate(parsed)) {
        const e = validate.errors?.[0];
        throw fail('invalid_output', `the model's output does not match the Diagnosis schema: ${e?.instancePath || '/'} ${e?.message ?? ''}`);
      }

      metrics.llmCalls.inc({ outcome: 'ok' });
      if (once.recovered()) logger.info({ model }, 'Gemini calls succeed again.');
      return {
        ...tidy(parsed),
        // Set here, never by the model: what it writes can't claim another engine or model.
        engine: 'gemini',
        model: response.modelVersion ?? model,
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
        tokens,
      };
    },
  };
}

/** Maps what the SDK throws to a fallback reason (REFERENCE.md: ApiError with .status; `fetch failed`). */
export function classifyGeminiError(err: unknown, signal?: AbortSignal): { reason: FallbackReason; status?: number } {
  if (err instanceof EngineError) return { reason: err.reason, status: err.status };
  if (signal?.aborted || isAbortError(err)) return { reason: 'timeout' };
  if (isApiError(err)) {
    const status = err.status;
    if (status === 429) return { reason: 'rate_limited', status };
    if (status >= 500) return { reason: 'unavailable', status };
    if (status === 401 || status === 403) return { reason: 'invalid_key', status };
    // Google answers a bad key with 400 INVALID_ARGUMENT "API key not valid".
    if (status === 400 && /api[ _]?key/i.test(err.message)) return { reason: 'invalid_key', status };
    return { reason: 'bad_request', status };
  }
  if (err instanceof SyntaxError) return { reason: 'invalid_output' };
  if (err instanceof TypeError && /fetch failed|network|ECONN|socket/i.test(`${err.message} ${errorMessage(err.cause)}`)) return { reason: 'network' };
  return { reason: 'error' };
}
const classify = classifyGeminiError;

/** The SDK's ApiError, recognised by shape so that this module need not load the SDK to classify. */
function isApiError(err: unknown): err is Error & { status: number } {
  return err instanceof Error && err.name === 'ApiError' && typeof (err as { status?: unknown }).status === 'number';
}

function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}

function tidy(f: FindingFields): FindingFields {
  const loc: Location | null = f.location && f.location.file.trim() ? { ...f.location, line: f.location.line ?? null } : null;
  return {
    category: f.category,
    summary: cut(f.summary.replace(/\s+/g, ' ').trim(), 300),
    rootCause: cut(f.rootCause.trim(), 2000),
    evidence: f.evidence.slice(0, 10).map((l) => cut(l, 500)),
    location: loc,
    fix: f.fix.slice(0, 6).map((s) => cut(s.trim(), 1000)),
    retryable: f.retryable,
    confidence: Math.min(1, Math.max(0, f.confidence)),
  };
}

function redactRequest(req: DiagnoseRequest, redact: (s: string) => string): DiagnoseRequest {
  return {
    ...req,
    title: redact(req.title),
    text: redact(req.text),
    context: req.context.map(redact),
    ...(req.error
      ? {
          error: {
            ...req.error,
            message: redact(req.error.message),
            stack: req.error.stack.map((f) => (f.code ? { ...f, code: redact(f.code) } : f)),
            ...(req.error.rawStack ? { rawStack: redact(req.error.rawStack) } : {}),
          },
        }
      : {}),
  };
}
