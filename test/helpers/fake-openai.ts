// A local stand-in for an OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp, LiteLLM)
// speaking chat completions: `POST {base}/chat/completions`, key in `Authorization: Bearer`,
// answers shaped like OpenAI's chat-completions API. It records every request, so tests read the prompt.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ANSWER } from './fake-gemini.js';

/** ok; garbage: prose, not JSON; cut-json: half the JSON, finish_reason length; rate-limited 429; server-error 500; bad-key 401; hang. */
export type FakeOpenAiMode = 'ok' | 'garbage' | 'cut-json' | 'fenced' | 'rate-limited' | 'server-error' | 'bad-key' | 'hang';

export interface ChatCompletionsBody {
  model?: string;
  messages?: { role?: string; content?: string }[];
  temperature?: number;
  response_format?: { type?: string; json_schema?: { name?: string; schema?: Record<string, unknown>; strict?: boolean } };
  [key: string]: unknown;
}

export interface FakeOpenAiRequest {
  path: string;
  authorization: string | undefined;
  body: ChatCompletionsBody;
  /** Every message's content, as the model would read it. */
  prompt: string;
}

export interface FakeOpenAi {
  /** The base URL, with the `/v1` prefix Ollama and vLLM use: give it as `brain.openai.base_url`. */
  url: string;
  mode: FakeOpenAiMode;
  requests: FakeOpenAiRequest[];
  answer: Record<string, unknown>;
  /** What the server names as the model that answered. */
  servedModel: string;
  close(): Promise<void>;
}

export async function startFakeOpenAi(options: { mode?: FakeOpenAiMode; servedModel?: string } = {}): Promise<FakeOpenAi> {
  const fake: FakeOpenAi = {
    url: '',
    mode: options.mode ?? 'ok',
    requests: [],
    answer: { ...DEFAULT_ANSWER },
    servedModel: options.servedModel ?? 'qwen2.5:7b-instruct-fake',
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    handle(fake, req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

async function handle(fake: FakeOpenAi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return sendError(res, 404, 'not_found_error', `Unknown path ${req.method} ${req.url}`);
  let body: ChatCompletionsBody;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatCompletionsBody;
  } catch {
    return sendError(res, 400, 'invalid_request_error', 'We could not parse the JSON body of your request.');
  }
  const prompt = (body.messages ?? []).map((m) => m.content ?? '').join('\n');
  fake.requests.push({ path: req.url, authorization: req.headers.authorization, body, prompt });

  const full = JSON.stringify(fake.answer);
  switch (fake.mode) {
    case 'hang':
      return;
    case 'rate-limited':
      return sendError(res, 429, 'rate_limit_exceeded', 'Rate limit reached for requests.');
    case 'server-error':
      return sendError(res, 500, 'server_error', 'The server had an error while processing your request.');
    case 'bad-key':
      return sendError(res, 401, 'invalid_api_key', 'Incorrect API key provided.');
    case 'garbage':
      return sendCompletion(fake, res, body, prompt, 'Sure! The problem is probably a division by zero in transform_data.', 'stop');
    case 'cut-json':
      return sendCompletion(fake, res, body, prompt, full.slice(0, Math.floor(full.length / 2)), 'length');
    case 'fenced':
      return sendCompletion(fake, res, body, prompt, '```json\n' + full + '\n```', 'stop');
    case 'ok':
      return sendCompletion(fake, res, body, prompt, full, 'stop');
  }
}

function sendCompletion(fake: FakeOpenAi, res: ServerResponse, body: ChatCompletionsBody, prompt: string, content: string, finishReason: string): void {
  const promptTokens = Math.ceil(prompt.length / 4);
  const completionTokens = Math.ceil(content.length / 4);
  const payload = {
    id: `chatcmpl-fake-${fake.requests.length}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: fake.servedModel || body.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: code, code } }));
}
