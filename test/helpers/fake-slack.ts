// A loopback HTTP server playing Slack on its real wire protocol, for tests driven through the
// official clients: an Incoming Webhook (`POST /services/...` → 200 `ok`) and the Web API
// (`POST /api/chat.postMessage` → `{ ok: true, ts, channel }`). Its mode is switched at run time:
//   ok               accept and record
//   rate-limited     429 with Retry-After (webhook: body `rate_limited`; Web API: `{ok:false,error:'ratelimited'}`)
//   down             503 `service_unavailable`; `how: 'reset'` destroys the connection; `how: 'hang'` never answers
//   permanent-error  webhook: status + body (404 `channel_not_found` by default); Web API: 200 `{ok:false,error}`
// `times` makes a mode last for that many requests, then it falls back to ok.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeSlackMode =
  | { mode: 'ok' }
  | { mode: 'rate-limited'; retryAfterSecs?: number; times?: number }
  | { mode: 'down'; how?: 'status' | 'reset' | 'hang'; status?: number; times?: number }
  | { mode: 'permanent-error'; status?: number; error?: string; times?: number };

export interface FakeSlackRequest {
  /** `webhook` or the Web API method (`chat.postMessage`). */
  api: string;
  path: string;
  /** The raw body as received: what a secret scan should look at. */
  raw: string;
  headers: Record<string, string | string[] | undefined>;
  at: number;
  status: number;
}

export interface FakeSlackMessage {
  api: string;
  path: string;
  channel?: string;
  ts?: string;
  thread_ts?: string;
  reply_broadcast?: boolean;
  text?: string;
  blocks?: unknown[];
  metadata?: unknown;
  /** Every other field as received (link_names, parse, unfurl_*). */
  payload: Record<string, unknown>;
  raw: string;
  at: number;
}

export interface FakeSlack {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  webhookUrl(path?: string): string;
  /** The Web API base for `api_url` / `slackApiUrl`. */
  apiUrl: string;
  setMode(mode: FakeSlackMode): void;
  /** Accepted messages, in arrival order. */
  messages: FakeSlackMessage[];
  /** Every request, accepted or not. */
  requests: FakeSlackRequest[];
  close(): Promise<void>;
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    // The Web API client sends form fields; objects (blocks, metadata) arrive JSON-encoded.
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      try {
        out[k] = k === 'blocks' || k === 'metadata' || k === 'attachments' ? JSON.parse(v) : v === 'true' ? true : v === 'false' ? false : v;
      } catch {
        out[k] = v;
      }
    }
    return out;
  }
  return JSON.parse(raw || '{}') as Record<string, unknown>;
}

export async function startFakeSlack(initial: FakeSlackMode = { mode: 'ok' }): Promise<FakeSlack> {
  let mode: FakeSlackMode = initial;
  let left = 'times' in initial && initial.times !== undefined ? initial.times : Infinity;
  let tsCounter = 0;
  const messages: FakeSlackMessage[] = [];
  const requests: FakeSlackRequest[] = [];
  const sockets = new Set<Socket>();

  function current(): FakeSlackMode {
    if (mode.mode !== 'ok' && left <= 0) mode = { mode: 'ok' };
    return mode;
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = req.url ?? '/';
    const isApi = path.startsWith('/api/');
    const api = isApi ? path.slice(5).split('?')[0] ?? '' : 'webhook';
    const m = current();
    if (m.mode !== 'ok') left--;
    const record = (status: number): void => {
      requests.push({ api, path, raw, headers: req.headers, at: Date.now(), status });
    };

    if (m.mode === 'down' && m.how === 'reset') {
      record(0);
      req.socket.destroy();
      return;
    }
    if (m.mode === 'down' && m.how === 'hang') {
      record(0);
      return;
    }
    if (m.mode === 'down') {
      const status = m.status ?? 503;
      record(status);
      res.writeHead(status, { 'content-type': 'text/plain' }).end('service_unavailable');
      return;
    }
    if (m.mode === 'rate-limited') {
      record(429);
      res.writeHead(429, { 'retry-after': String(m.retryAfterSecs ?? 1), 'content-type': isApi ? 'application/json' : 'text/plain' });
      res.end(isApi ? JSON.stringify({ ok: false, error: 'ratelimited' }) : 'rate_limited');
      return;
    }
    if (m.mode === 'permanent-error') {
      const error = m.error ?? 'channel_not_found';
      if (isApi) {
        record(200);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error }));
      } else {
        const status = m.status ?? 404;
        record(status);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(error);
      }
      return;
    }

    let payload: Record<string, unknown>;
    try {
      payload = parseBody(raw, req.headers['content-type']);
    } catch {
      record(400);
      res.writeHead(400, { 'content-type': 'text/plain' }).end(isApi ? JSON.stringify({ ok: false, error: 'invalid_json' }) : 'invalid_payload');
      return;
    }
    if (!payload.text && !payload.blocks) {
      record(isApi ? 200 : 400);
      if (isApi) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'no_text' }));
      else res.writeHead(400, { 'content-type': 'text/plain' }).end('no_text');
      return;
    }

    if (isApi) {
      if (api !== 'chat.postMessage') {
        record(200);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'unknown_method' }));
        return;
      }
      if (!String(req.headers.authorization ?? '').startsWith('Bearer ')) {
        record(200);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'not_authed' }));
        return;
      }
      const ts = `${1_700_000_000 + messages.length}.${String(++tsCounter).padStart(6, '0')}`;
      const channel = String(payload.channel ?? '');
      messages.push(toMessage(api, path, payload, raw, ts));
      record(200);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, channel, ts, message: { text: payload.text, ts } }));
      return;
    }
    messages.push(toMessage(api, path, payload, raw));
    record(200);
    res.writeHead(200, { 'content-type': 'text/html' }).end('ok');
  }

  function toMessage(api: string, path: string, payload: Record<string, unknown>, raw: string, ts?: string): FakeSlackMessage {
    return {
      api,
      path,
      ...(typeof payload.channel === 'string' ? { channel: payload.channel } : {}),
      ...(ts ? { ts } : {}),
      ...(typeof payload.thread_ts === 'string' ? { thread_ts: payload.thread_ts } : {}),
      ...(payload.reply_broadcast !== undefined ? { reply_broadcast: payload.reply_broadcast === true } : {}),
      ...(typeof payload.text === 'string' ? { text: payload.text } : {}),
      ...(Array.isArray(payload.blocks) ? { blocks: payload.blocks as unknown[] } : {}),
      ...(payload.metadata !== undefined ? { metadata: payload.metadata } : {}),
      payload,
      raw,
      at: Date.now(),
    };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    webhookUrl: (path = '/services/T000/B000/XXXXXXXX') => `${url}${path}`,
    apiUrl: `${url}/api/`,
    setMode(next) {
      mode = next;
      left = 'times' in next && next.times !== undefined ? next.times : Infinity;
    },
    messages,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
