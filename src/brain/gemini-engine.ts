// Gemini through the official @google/genai SDK: one structured call per incident, thinking off,
// temperature 0, output constrained by the Diagnosis finding schema. Budget, prompt, validation
// and fallback are the LLM base's (llm-engine.ts); this adapter only speaks the SDK.
// The SDK itself is imported on the first call, not at start-up: it costs ~150 ms and ~30 MB, and
// most agents run without a key (docs/adr/0006).
import type { GoogleGenAI } from '@google/genai';
import type { GeminiConfig } from '../config/config-types.js';
import type { EngineRegistration } from './engine.js';
import { EngineError, isAbortError, reasonForStatus, type FallbackReason } from './engine-error.js';
import { createLlmEngine, errorMessage, llmCallTimeout, type LlmAdapter } from './llm-engine.js';

export const DEFAULT_GEMINI_MODEL = 'gemini-flash-lite-latest';

export const geminiEngine: EngineRegistration = {
  name: 'gemini',
  isConfigured: (brain) => Boolean(brain.gemini.api_key),
  requirement: 'GOOGLE_API_KEY (or GEMINI_API_KEY) in the environment or .env',
  create: (brain, context) =>
    createLlmEngine({
      ...context,
      name: 'gemini',
      label: 'Gemini',
      errorCode: 'SENTINEL_ERR_GEMINI_FAILED',
      settings: { ...brain.gemini, model: brain.gemini.model || DEFAULT_GEMINI_MODEL },
      adapter: createGeminiAdapter(brain.gemini, llmCallTimeout(brain.gemini, context.timeoutMs), context.fetch),
    }),
};

export function createGeminiAdapter(config: GeminiConfig, timeoutMs: number, fetchImpl?: typeof fetch): LlmAdapter {
  if (!config.api_key) throw new Error('createGeminiAdapter needs config.api_key');
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
            timeout: timeoutMs,
            ...(fetchImpl ? { fetch: fetchImpl } : {}),
          },
        }),
    ));

  return {
    async complete(prompt) {
      const ai = await getClient();
      const response = await ai.models.generateContent({
        model: prompt.model,
        contents: [{ role: 'user', parts: [{ text: prompt.user }] }],
        config: {
          systemInstruction: prompt.system,
          temperature: 0,
          responseMimeType: 'application/json',
          responseJsonSchema: prompt.schema,
          maxOutputTokens: prompt.maxOutputTokens,
          thinkingConfig: { thinkingBudget: 0 },
          abortSignal: prompt.signal,
        },
      });
      const usage = response.usageMetadata;
      const candidate = response.candidates?.[0];
      const finish = candidate?.finishReason;
      return {
        text: (candidate?.content?.parts ?? []).map((p) => p.text ?? '').join(''),
        tokens: {
          input: usage?.promptTokenCount ?? 0,
          output: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
        },
        ...(response.modelVersion ? { model: response.modelVersion } : {}),
        ...(finish && finish !== 'STOP' ? { stoppedEarly: finish } : {}),
      };
    },
    classify: classifyGeminiError,
  };
}

/** Maps what the SDK throws to a fallback reason: @google/genai throws `ApiError` with `.status`; a dead server gives `fetch failed`. */
export function classifyGeminiError(err: unknown, signal?: AbortSignal): { reason: FallbackReason; status?: number } {
  if (err instanceof EngineError) return { reason: err.reason, status: err.status };
  if (signal?.aborted || isAbortError(err)) return { reason: 'timeout' };
  if (isApiError(err)) {
    const status = err.status;
    // Google answers a bad key with 400 INVALID_ARGUMENT "API key not valid".
    if (status === 400 && /api[ _]?key/i.test(err.message)) return { reason: 'invalid_key', status };
    return { reason: reasonForStatus(status), status };
  }
  if (err instanceof SyntaxError) return { reason: 'invalid_output' };
  if (err instanceof TypeError && /fetch failed|network|ECONN|socket/i.test(`${err.message} ${errorMessage(err.cause)}`)) return { reason: 'network' };
  return { reason: 'error' };
}

/** The SDK's ApiError, recognised by shape so that this module need not load the SDK to classify. */
function isApiError(err: unknown): err is Error & { status: number } {
  return err instanceof Error && err.name === 'ApiError' && typeof (err as { status?: unknown }).status === 'number';
}
