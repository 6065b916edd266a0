// The brain as an HTTP service, as an app factory that never listens: `sentinel brain` listens,
// tests use inject() or port 0. The route schemas are the single source of the request checks,
// the response serialisation and the OpenAPI document.
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifySchema } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { DiagnoseRequest } from '../types.js';
import type { Brain } from './brain.js';
import { diagnoseRequestSchema, diagnosisSchema, errorReplySchema } from './schemas.js';

export interface BrainAppOptions {
  brain: Brain;
  /** prom-client registry served on GET /metrics. */
  registry: Registry;
  /** Where each answered request is counted and timed, by route and status. */
  metrics?: Pick<Metrics, 'brainRequests' | 'brainRequestDuration'>;
  /** When set, every route but /healthz needs `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Request body limit; larger bodies get 413. Default 1 MiB. */
  bodyLimitBytes?: number;
  logger?: Logger | false;
}

/** Routes open without a token: liveness probes carry no credentials. */
const OPEN_ROUTES = new Set(['/healthz']);

interface RouteDoc {
  method: string;
  url: string;
  schema: FastifySchema & { summary?: string; description?: string; operationId?: string };
}

export function buildBrainApp(opts: BrainAppOptions): FastifyInstance {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    // A line per request would dominate the cost of a diagnosis; failures are logged by the brain.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024,
    // Strict types: a string where a list belongs is a client bug to report, not to coerce.
    ajv: { customOptions: { coerceTypes: false, allErrors: false } },
  }) as unknown as FastifyInstance;

  const routes: RouteDoc[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD' && route.schema) routes.push({ method, url: route.url, schema: route.schema as RouteDoc['schema'] });
  });

  const { metrics } = opts;
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      // The route's pattern, never the requested path: a scanner's URLs must not grow the label set.
      const labels = { route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
      metrics.brainRequests.inc(labels);
      metrics.brainRequestDuration.observe(labels, reply.elapsedTime / 1000);
    });
  }

  if (opts.authToken) {
    const expected = digest(opts.authToken);
    app.addHook('onRequest', async (request, reply) => {
      if (OPEN_ROUTES.has(request.routeOptions.url ?? '')) return;
      const header = request.headers.authorization ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(header);
      // Compared as digests: constant time, and the lengths leak nothing.
      if (!m?.[1] || !timingSafeEqual(digest(m[1].trim()), expected)) {
        await reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="sentinel-brain"')
          .send({ error: 'unauthorized', message: 'A valid bearer token is required (Authorization: Bearer <token>).' });
      }
    });
  }

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0]!;
      const missing = (v.params as { missingProperty?: string }).missingProperty;
      const field = `${v.instancePath}${missing ? `/${missing}` : ''}` || '/';
      const allowed = (v.params as { allowedValues?: unknown[] }).allowedValues;
      const message = `${err.validationContext ?? 'body'}${field === '/' ? '' : field} ${missing ? 'is required' : v.message ?? 'is invalid'}${allowed ? ` (${allowed.join(', ')})` : ''}`;
      return reply.code(400).send({ error: 'bad_request', message, field });
    }
    const status = err.statusCode ?? 500;
    if (status === 413) return reply.code(413).send({ error: 'payload_too_large', message: err.message });
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: status === 400 ? 'bad_request' : (err.code ?? 'client_error').toLowerCase(), message: err.message });
    }
    request.log.error({ err }, 'Brain request failed.');
    return reply.code(500).send({ error: 'internal', message: 'The brain failed to answer; see its log.' });
  });

  const errorReplies = { 400: errorReplySchema, 401: errorReplySchema, 413: errorReplySchema };

  app.post(
    '/diagnose',
    {
      schema: {
        summary: 'Diagnose one incident',
        description: 'Root cause, failing location and fix for one incident. Answers within the configured time budget; never fails for engine errors (the built-in analyser answers).',
        operationId: 'diagnose',
        body: withoutId(diagnoseRequestSchema),
        response: { 200: withoutId(diagnosisSchema), ...errorReplies },
      } as RouteDoc['schema'],
    },
    async (request) => opts.brain.diagnose(request.body as DiagnoseRequest),
  );

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness',
        operationId: 'healthz',
        response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } } },
      } as RouteDoc['schema'],
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        operationId: 'metrics',
        response: { 200: { type: 'string' }, 401: errorReplySchema },
      } as RouteDoc['schema'],
    },
    async (_request, reply) => {
      const text = await opts.registry.metrics();
      return reply.type(opts.registry.contentType).send(text);
    },
  );

  let openapi: unknown;
  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This OpenAPI document',
        operationId: 'openapi',
        response: { 401: errorReplySchema },
      } as RouteDoc['schema'],
    },
    async () => (openapi ??= buildOpenApi(routes, Boolean(opts.authToken))),
  );

  return app;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function withoutId<T extends { $id?: string }>(schema: T): Omit<T, '$id'> {
  const { $id: _id, ...rest } = schema;
  return rest;
}

/** OpenAPI 3.1 (whose schemas are JSON Schema) from the routes as registered. */
export function buildOpenApi(routes: readonly RouteDoc[], auth: boolean): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const s = r.schema;
    const responses: Record<string, unknown> = {};
    for (const [code, schema] of Object.entries((s.response ?? {}) as Record<string, unknown>)) {
      const type = r.url === '/metrics' && code === '200' ? 'text/plain' : 'application/json';
      responses[code] = { description: describeStatus(code), content: { [type]: { schema } } };
    }
    if (Object.keys(responses).length === 0 || !responses['200']) responses['200'] = { description: 'OK' };
    const op: Record<string, unknown> = {
      ...(s.operationId ? { operationId: s.operationId } : {}),
      ...(s.summary ? { summary: s.summary } : {}),
      ...(s.description ? { description: s.description } : {}),
      responses,
    };
    if (s.body) op.requestBody = { required: true, content: { 'application/json': { schema: s.body } } };
    if (auth && OPEN_ROUTES.has(r.url)) op.security = [];
    (paths[r.url] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Pipeline Sentinel brain', version: '1', description: 'Diagnoses pipeline incidents: built-in analyser or Gemini.' },
    paths,
    components: {
      schemas: { DiagnoseRequest: withoutId(diagnoseRequestSchema), Diagnosis: withoutId(diagnosisSchema) },
      ...(auth ? { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } } : {}),
    },
    ...(auth ? { security: [{ bearerAuth: [] }] } : {}),
  };
}

function describeStatus(code: string): string {
  return (
    { '200': 'OK', '400': 'The request does not match the schema; `field` names the offending field.', '401': 'Missing or wrong bearer token.', '413': 'Request body too large.' }[
      code
    ] ?? code
  );
}
