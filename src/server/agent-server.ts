// The agent's HTTP face: /metrics for Prometheus, /healthz for liveness, /readyz for readiness.
// A factory that never listens: the agent (or a test) decides where.
//
// Three GET routes on node:http rather than Fastify: the agent runs in every pipeline pod, and
// Fastify's ~25 MB and ~80 ms of start-up bought nothing here (docs/adr/0006). The brain, a real
// API with schemas and auth, keeps Fastify.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface AgentServerOptions {
  registry: Registry;
  /** Readiness: config loaded, sources watched, notifier set up. */
  readiness: () => ReadinessCheck[];
}

export interface AgentServer {
  readonly server: Server;
  listen(options: { port: number; host: string }): Promise<AddressInfo>;
  /** Stops accepting, ends idle keep-alive sockets (a scraper's) at once; idempotent. */
  close(): Promise<void>;
}

/** A slow or stuck client may hold a socket this long at most; scrapes take milliseconds. */
const REQUEST_TIMEOUT_MS = 10_000;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

export function buildAgentServer(options: AgentServerOptions): AgentServer {
  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    switch (path) {
      case '/metrics': {
        const body = await options.registry.metrics();
        response.writeHead(200, { 'content-type': options.registry.contentType });
        response.end(body);
        return;
      }
      // Liveness says only that the event loop answers: restarting a pod because Slack is down helps no one.
      case '/healthz':
        sendJson(response, 200, { status: 'ok' });
        return;
      case '/readyz': {
        const checks = options.readiness();
        const ready = checks.every((check) => check.ok);
        sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks });
        return;
      }
      default:
        sendJson(response, 404, { error: 'not_found', routes: ['/metrics', '/healthz', '/readyz'] });
    }
  }

  const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS }, (request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: error instanceof Error ? error.message : String(error) });
      else response.destroy();
    });
  });
  let closing: Promise<void> | undefined;

  return {
    server,
    listen: ({ port, host }) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close() {
      closing ??= new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
