// What every LLM engine needs, written once: the daily call budget, the redacted context pack within
// the token cap, validation of the answer against the Diagnosis finding schema (the response schema
// steers a model; it does not guarantee the bytes), token and call metrics, logging each failure
// kind once, and a closed-set reason for every failure so the brain can answer with the built-in
// finding instead. A provider is an LlmAdapter: it sends one prompt and returns text and usage.
import { performance } from 'node:perf_hooks';
import type { ValidateFunction } from 'ajv';
import type { ErrorCode } from '../errors.js';
import type { Diagnosis, DiagnoseRequest, EngineName, Location } from '../types.js';
import { buildContextPack, cut, SYSTEM_INSTRUCTION } from './context-pack.js';
import type { DiagnosisEngine, EngineContext } from './engine.js';
import { createOnceLogger, EngineError, FALLBACK_REASONS, type FallbackReason } from './engine-error.js';
import { lazyValidator } from './lazy-validator.js';
import { diagnosisFindingSchema } from './schemas.js';
import { createLocalLlmLimits, RATE_LIMIT_COOL_OFF_MS } from './llm-limits.js';

/** A Diagnosis is ~300–600 tokens of JSON; the headroom keeps a verbose answer from being cut. */
export const MAX_OUTPUT_TOKENS = 2048;

/** The knobs every LLM engine's config block has (brain.gemini, brain.openai, …). */
export interface LlmSettings {
  model: string;
  timeout_ms: number;
  daily_call_budget: number;
  max_input_tokens: number;
}

/** One prompt, ready to send: the adapter only maps it onto its provider's wire format. */
export interface LlmPrompt {
  system: string;
  user: string;
  /** JSON Schema the answer must match (the Diagnosis finding). */
  schema: typeof diagnosisFindingSchema;
  model: string;
  maxOutputTokens: number;
  /** Aborted by the brain's time budget; the adapter adds its own per-call timeout. */
  signal: AbortSignal;
}

export interface LlmReply {
  /** The model's answer as text: JSON when all went well. */
  text: string;
  tokens: { input: number; output: number };
  /** The model the provider says answered (a `-latest` alias resolves to a version); else the configured one. */
  model?: string;
  /** Set when the model stopped before the end of its answer (cut by the token cap, filtered): the text is unusable. */
  stoppedEarly?: string;
}

export interface LlmAdapter {
  /** Sends one prompt. Throws on any failure; `classify` names the reason. */
  complete(prompt: LlmPrompt): Promise<LlmReply>;
  /** Maps what `complete` threw to a fallback reason (and an HTTP status when there was one). */
  classify(err: unknown, signal: AbortSignal): { reason: FallbackReason; status?: number };
}

export interface LlmEngineOptions extends EngineContext {
  name: Exclude<EngineName, 'builtin'>;
  /** How logs name the provider ("Gemini"). */
  label: string;
  errorCode: ErrorCode;
  settings: LlmSettings;
  adapter: LlmAdapter;
}

type FindingFields = Pick<Diagnosis, 'category' | 'summary' | 'rootCause' | 'evidence' | 'location' | 'fix' | 'retryable' | 'confidence'>;

/** Outcomes an LLM call can have; budget and overload never reach the provider, so they are not calls. */
export const LLM_CALL_OUTCOMES = ['ok', ...FALLBACK_REASONS.filter((r) => r !== 'budget' && r !== 'overload')] as const;

/** Per-call cap: the engine's own timeout, never more than the brain's budget for the whole diagnosis. */
export function llmCallTimeout(settings: Pick<LlmSettings, 'timeout_ms'>, brainTimeoutMs: number): number {
  return Math.min(settings.timeout_ms, brainTimeoutMs);
}

export function createLlmEngine(options: LlmEngineOptions): DiagnosisEngine {
  const { name, label, errorCode, settings, adapter, metrics, logger, now, builtin, redact } = options;
  const model = settings.model;
  const validator = lazyValidator<FindingFields>(diagnosisFindingSchema);
  const once = createOnceLogger();
  for (const outcome of LLM_CALL_OUTCOMES) metrics.llmCalls.labels({ outcome });
  // Shared by a fleet's brains when the context brings shared limits; else this process's own.
  const limits = options.limits ?? createLocalLlmLimits();
  let budgetLoggedFor = '';

  const fail = (reason: FallbackReason, message: string, extra: { cause?: unknown; status?: number } = {}): EngineError => {
    metrics.llmCalls.inc({ outcome: reason });
    if (once.shouldLog(reason)) {
      logger.warn(
        { code: errorCode, engine: name, reason, status: extra.status, model },
        `${label} call failed (${reason}): ${cut(message, 300)}. The built-in analyser answers; logged once until ${label} recovers.`,
      );
    }
    return new EngineError(reason, errorCode, message, extra);
  };

  const takeBudget = async (): Promise<void> => {
    const at = now();
    if (await limits.coolingOff(name, at)) throw new EngineError('rate_limited', errorCode, `${label} asked for a pause (429); calls resume after the cool-off`);
    const day = new Date(at).toISOString().slice(0, 10);
    if (!(await limits.takeCall(name, settings.daily_call_budget, day))) {
      if (budgetLoggedFor !== day) {
        budgetLoggedFor = day;
        logger.warn({ engine: name, budget: settings.daily_call_budget, day }, `Daily ${label} call budget reached; the built-in analyser answers until midnight UTC.`);
      }
      throw new EngineError('budget', errorCode, `daily call budget of ${settings.daily_call_budget} reached`);
    }
  };

  const parseFinding = (reply: LlmReply, validate: ValidateFunction<FindingFields>): FindingFields => {
    const { text } = reply;
    if (reply.stoppedEarly) throw fail('invalid_output', `the model stopped with ${reply.stoppedEarly} (${text.length} characters of output)`);
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
    return tidy(parsed);
  };

  return {
    name,
    errorCode,
    cacheScope: `${name}:${model}`,
    async diagnose(raw: DiagnoseRequest, signal: AbortSignal): Promise<Diagnosis> {
      await takeBudget();
      const started = performance.now();
      const req = redactRequest(raw, redact);
      const hint = await builtin.diagnose(req);
      const pack = buildContextPack(req, hint, settings.max_input_tokens);

      const prompt: LlmPrompt = { system: SYSTEM_INSTRUCTION, user: pack.text, schema: diagnosisFindingSchema, model, maxOutputTokens: MAX_OUTPUT_TOKENS, signal };
      let reply: LlmReply | undefined;
      // Whatever happens after the prompt left, the audit trail says so.
      const audit = (outcome: string, status?: number): void =>
        options.audit?.record({
          engine: name,
          model,
          ...(reply?.model ? { answeredBy: reply.model } : {}),
          fingerprint: raw.fingerprint,
          outcome,
          ...(status !== undefined ? { status } : {}),
          tokens: reply ? reply.tokens : null,
          latencyMs: Math.round(performance.now() - started),
          prompt: { system: prompt.system, user: prompt.user },
        });
      try {
        try {
          reply = await adapter.complete(prompt);
        } catch (err) {
          const { reason, status } = err instanceof EngineError ? { reason: err.reason, status: err.status } : adapter.classify(err, signal);
          if (reason === 'rate_limited') await limits.coolOff(name, RATE_LIMIT_COOL_OFF_MS, now());
          throw fail(reason, errorMessage(err), { cause: err, status });
        }
        metrics.llmTokens.inc({ kind: 'input' }, reply.tokens.input);
        metrics.llmTokens.inc({ kind: 'output' }, reply.tokens.output);
        const finding = parseFinding(reply, await validator());

        metrics.llmCalls.inc({ outcome: 'ok' });
        audit('ok');
        if (once.recovered()) logger.info({ engine: name, model }, `${label} calls succeed again.`);
        return {
          ...finding,
          // Set here, never by the model: what it writes can't claim another engine or model.
          engine: name,
          model: reply.model ?? model,
          latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
          tokens: reply.tokens,
        };
      } catch (err) {
        audit(err instanceof EngineError ? err.reason : 'error', err instanceof EngineError ? err.status : undefined);
        throw err;
      }
    },
  };
}

export function errorMessage(err: unknown): string {
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
    ...(req.after ? { after: req.after.map(redact) } : {}),
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
