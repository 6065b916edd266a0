// Any server that speaks OpenAI's chat-completions API (Ollama, vLLM, LM Studio, llama.cpp's
// server, LiteLLM, …), so a team can diagnose with a model on its own hardware and send nothing to
// a vendor. Plain fetch, no SDK: the protocol is one POST, and a client library would add weight
// and retries we do not want (the fallback is the retry). Support for `json_schema` output varies
// by server and version, so the LLM base validates every answer and falls back on any doubt.
import type { OpenAiConfig } from '../config/config-types.js';
import type { EngineRegistration } from './engine.js';
import { isAbortError, reasonForStatus, type FallbackReason } from './engine-error.js';
import { createLlmEngine, errorMessage, llmCallTimeout, type LlmAdapter } from './llm-engine.js';

export const openaiEngine: EngineRegistration = {
  name: 'openai',
  isConfigured: (brain) => Boolean(brain.openai.base_url && brain.openai.model),
  requirement: 'brain.openai.base_url and brain.openai.model in the configuration',
  create: (brain, context) =>
    createLlmEngine({
      ...context,
      name: 'openai',
      label: 'OpenAI-compatible engine',
      errorCode: 'SENTINEL_ERR_LLM_FAILED',
      settings: { ...brain.openai, model: brain.openai.model ?? '' },
      adapter: createOpenAiAdapter(brain.openai, llmCallTimeout(brain.openai, context.timeoutMs), context.fetch),
    }),
};

/** A non-2xx answer, kept whole enough to classify and to log. */
export class ChatCompletionsHttpError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
    this.name = 'ChatCompletionsHttpError';
  }
}

interface ChatCompletion {
  model?: unknown;
  choices?: { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

export function createOpenAiAdapter(config: OpenAiConfig, timeoutMs: number, fetchImpl: typeof fetch = fetch): LlmAdapter {
  if (!config.base_url) throw new Error('createOpenAiAdapter needs config.base_url');
  const endpoint = `${config.base_url.replace(/\/+$/, '')}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  // Local servers (Ollama, llama.cpp) need no key; a proxy such as LiteLLM does.
  if (config.api_key) headers.authorization = `Bearer ${config.api_key}`;

  return {
    async complete(prompt) {
      const body = {
        model: prompt.model,
        messages: [
          { role: 'system', content: prompt.system },
          { role: 'user', content: prompt.user },
        ],
        temperature: 0,
        max_tokens: prompt.maxOutputTokens,
        stream: false,
        response_format: { type: 'json_schema', json_schema: { name: 'diagnosis', schema: prompt.schema, strict: true } },
      };
      const signal = AbortSignal.any([prompt.signal, AbortSignal.timeout(timeoutMs)]);
      const res = await fetchImpl(endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal });
      const text = await res.text();
      if (!res.ok) throw new ChatCompletionsHttpError(res.status, text);
      // A 200 whose body is not JSON (a proxy's HTML page) throws SyntaxError: invalid_output.
      const completion = JSON.parse(text) as ChatCompletion;
      const choice = completion.choices?.[0];
      const content = choice?.message?.content;
      const finish = typeof choice?.finish_reason === 'string' ? choice.finish_reason : undefined;
      return {
        text: typeof content === 'string' ? withoutCodeFence(content) : '',
        tokens: { input: count(completion.usage?.prompt_tokens), output: count(completion.usage?.completion_tokens) },
        ...(typeof completion.model === 'string' && completion.model ? { model: completion.model } : {}),
        // `length`: cut by max_tokens; `content_filter`: withheld. Either way the JSON is unusable.
        ...(finish === 'length' || finish === 'content_filter' ? { stoppedEarly: finish } : {}),
      };
    },
    classify: classifyChatCompletionsError,
  };
}

export function classifyChatCompletionsError(err: unknown, signal?: AbortSignal): { reason: FallbackReason; status?: number } {
  if (err instanceof ChatCompletionsHttpError) return { reason: reasonForStatus(err.status), status: err.status };
  if (signal?.aborted || isAbortError(err)) return { reason: 'timeout' };
  if (err instanceof SyntaxError) return { reason: 'invalid_output' };
  if (err instanceof TypeError && /fetch failed|network|ECONN|socket|terminated/i.test(`${err.message} ${errorMessage(err.cause)}`)) return { reason: 'network' };
  return { reason: 'error' };
}

/** Some servers wrap JSON in a Markdown fence even when asked for JSON; the fence is not the answer. */
function withoutCodeFence(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?\s*```\s*$/.exec(text);
  return m ? m[1]! : text;
}

function count(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.round(n) : 0;
}
