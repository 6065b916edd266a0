// The agent's HTTP face: /metrics for Prometheus, /healthz for liveness, /readyz for readiness.
// A factory that never listens: the agent (or a test) decides where.
import Fastify, { type FastifyInstance } from 'fastify';
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

export function buildAgentServer(options: AgentServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });

  // Liveness says only that the event loop answers: restarting a pod because Slack is down helps no one.
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const checks = options.readiness();
    const ready = checks.every((check) => check.ok);
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  });

  return app;
}
