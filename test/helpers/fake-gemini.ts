// A local stand-in for the Gemini API speaking its wire protocol, driven by the real @google/genai
// SDK: `POST /v1beta/models/{model}:generateContent` with the key in `x-goog-api-key`, answers
// shaped like Google's Generative Language API. It records every request, so tests can read the prompt.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeGeminiMode = 'ok' | 'hang' | 'invalid-json' | 'truncated' | 'rate-limited' | 'server-error' | 'bad-key';

export interface FakeGeminiRequest {
  model: string;
  apiKey: string | undefined;
  /** The parsed request body (contents, systemInstruction, generationConfig…). */
  body: GenerateContentBody;
  /** Everything textual the model would read: system instruction and contents. */
  prompt: string;
}

export interface GenerateContentBody {
  contents?: { role?: string; parts?: { text?: string }[] }[];
  systemInstruction?: { parts?: { text?: string }[] };
  generationConfig?: Record<string, unknown>;
  tools?: unknown;
  [key: string]: unknown;
}

export interface FakeGemini {
  /** Base URL to give the SDK (`httpOptions.baseUrl` / `brain.gemini.base_url`). */
  url: string;
  mode: FakeGeminiMode;
  requests: FakeGeminiRequest[];
  /** The JSON object the model "answers" in ok mode; replace it to simulate a model that misbehaves. */
  answer: Record<string, unknown>;
  modelVersion: string;
  close(): Promise<void>;
}

export const DEFAULT_ANSWER: Record<string, unknown> = {
  category: 'code_bug',
  summary: 'transform_data divides by a zero count',
  rootCause: 'The batch had no rows, so count is 0 and the BigInt division throws RangeError.',
  evidence: ['RangeError: Division by zero'],
  location: { file: 'pipeline/steps/transform.ts', line: 42, function: 'transformData', code: 'const ratio = total / count;' },
  fix: ['Guard the division: return early when count is 0n.'],
  retryable: false,
  confidence: 0.9,
};

export async function startFakeGemini(options: { mode?: FakeGeminiMode; modelVersion?: string; answer?: Record<string, unknown> } = {}): Promise<FakeGemini> {
  const fake: FakeGemini = {
    url: '',
    mode: options.mode ?? 'ok',
    requests: [],
    answer: options.answer ?? { ...DEFAULT_ANSWER },
    modelVersion: options.modelVersion ?? 'gemini-2.5-flash-lite-fake-001',
    close: async () => undefined,
  };

  const server = createServer((req, res) => {
    handle(fake, req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      // A `hang` request holds its socket open; close it so the server can stop.
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

async function handle(fake: FakeGemini, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const m = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(req.url ?? '');
  if (req.method !== 'POST' || !m) return sendError(res, 404, 'NOT_FOUND', `Unknown path ${req.method} ${req.url}`);

  let body: GenerateContentBody;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as GenerateContentBody;
  } catch {
    return sendError(res, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
  }
  const header = req.headers['x-goog-api-key'];
  const prompt = [
    ...(body.systemInstruction?.parts ?? []).map((p) => p.text ?? ''),
    ...(body.contents ?? []).flatMap((c) => (c.parts ?? []).map((p) => p.text ?? '')),
  ].join('\n');
  fake.requests.push({ model: decodeURIComponent(m[1]!), apiKey: Array.isArray(header) ? header[0] : header, body, prompt });

  switch (fake.mode) {
    case 'hang':
      return; // never answers; the client's timeout or abort must end the call
    case 'rate-limited':
      return sendError(res, 429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).');
    case 'server-error':
      return sendError(res, 503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    case 'bad-key':
      return sendError(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
    case 'invalid-json':
      return sendAnswer(fake, res, prompt, 'Sure! Here is the diagnosis: {category: code_bug, summary: "division', 'STOP');
    case 'truncated': {
      const full = JSON.stringify(fake.answer);
      return sendAnswer(fake, res, prompt, full.slice(0, Math.floor(full.length / 2)), 'MAX_TOKENS');
    }
    case 'ok':
      return sendAnswer(fake, res, prompt, JSON.stringify(fake.answer), 'STOP');
  }
}

function sendAnswer(fake: FakeGemini, res: ServerResponse, prompt: string, text: string, finishReason: string): void {
  const promptTokenCount = Math.ceil(prompt.length / 4);
  const candidatesTokenCount = Math.ceil(text.length / 4);
  const payload = {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason, index: 0 }],
    usageMetadata: { promptTokenCount, candidatesTokenCount, totalTokenCount: promptTokenCount + candidatesTokenCount },
    modelVersion: fake.modelVersion,
    responseId: `fake-${Date.now().toString(36)}`,
  };
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(payload));
}

function sendError(res: ServerResponse, code: number, status: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ error: { code, message, status } }));
}
