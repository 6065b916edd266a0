// A loopback HTTP server playing the receiver of Sentinel's generic webhook: it records every
// request as received (raw body, headers) and answers from a script of statuses, then 200.
//   answer(500, 200)           the first request gets 500, the next 200, every later one 200
//   answer({status: 429, retryAfter: '1'})
//   hold()                     requests get no answer until release() (an agent in mid-delivery)
// `verify(request, secret)` checks the signature the way README "Generic webhooks" tells receivers to.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  path: string;
  raw: string;
  headers: IncomingHttpHeaders;
  status: number;
  at: number;
}

export type ScriptedAnswer = number | { status: number; retryAfter?: string; body?: string; location?: string };

export interface WebhookReceiver {
  /** The URL to configure, e.g. http://127.0.0.1:PORT/hook */
  url(path?: string): string;
  answer(...script: ScriptedAnswer[]): void;
  hold(): void;
  release(): void;
  /** Every request, in arrival order, with the status it got (0 while held, -1 when the sender left first). */
  requests: ReceivedRequest[];
  /** Bodies of the requests answered 2xx, parsed. */
  accepted(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** The receiver's check: HMAC-SHA256(secret, `${timestamp}.${raw}`), compared in constant time, timestamp within `toleranceSecs`. */
export function verify(request: ReceivedRequest, secret: string, nowMs = Date.now(), toleranceSecs = 300): boolean {
  const timestamp = String(request.headers['x-sentinel-timestamp'] ?? '');
  const signature = String(request.headers['x-sentinel-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSecs) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${request.raw}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const script: Array<Exclude<ScriptedAnswer, number>> = [];
  const held: Array<{ res: ServerResponse; entry: ReceivedRequest }> = [];
  const sockets = new Set<Socket>();
  let holding = false;

  function respond(res: ServerResponse, entry: ReceivedRequest): void {
    const next = script.shift() ?? { status: 200 };
    entry.status = next.status;
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    if (next.retryAfter) headers['retry-after'] = next.retryAfter;
    if (next.location) headers.location = next.location;
    res.writeHead(next.status, headers).end(next.body ?? (next.status < 300 ? 'ok' : `status ${next.status}`));
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: ReceivedRequest = { path: req.url ?? '/', raw: Buffer.concat(chunks).toString('utf8'), headers: req.headers, status: 0, at: Date.now() };
      requests.push(entry);
      if (!holding) return respond(res, entry);
      held.push({ res, entry });
      // The sender went away (killed) before an answer: -1, and release() will not answer it.
      res.on('close', () => {
        if (entry.status === 0) entry.status = -1;
      });
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    answer(...answers) {
      script.push(...answers.map((a) => (typeof a === 'number' ? { status: a } : a)));
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const { res, entry } of held.splice(0)) if (entry.status === 0) respond(res, entry);
    },
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300).map((r) => JSON.parse(r.raw) as Record<string, unknown>),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
