// An agent's brain pointed at a shared brain service over loopback HTTP: the happy path, and
// every way the service can fail (down, hanging, wrong token, garbage) ending in the built-in answer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBrainApp } from '../../src/brain/brain-app.js';
import { createBrain, type Brain } from '../../src/brain/brain.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { brainConfig, counterValue, recordingLogger, sampleRequest } from './brain-test-kit.js';

const TOKEN = 'fleet-token-42';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startService(authToken?: string): Promise<{ url: string; app: FastifyInstance; metrics: Metrics }> {
  const metrics = createMetrics({ defaultMetrics: false });
  const brain = createBrain({ config: brainConfig(), metrics, logger: silentLogger(), readSourceFiles: false });
  const app = buildBrainApp({ brain, registry: metrics.registry, logger: false, ...(authToken ? { authToken } : {}) });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(async () => {
    await app.close();
    await brain.close();
  });
  return { url, app, metrics };
}

function agentBrain(url: string, opts: { authToken?: string; timeoutMs?: number } = {}): { brain: Brain; metrics: Metrics; lines: () => Record<string, unknown>[] } {
  const metrics = createMetrics({ defaultMetrics: false });
  const rec = recordingLogger();
  const brain = createBrain({
    config: brainConfig({ url, timeout_ms: opts.timeoutMs ?? 3000, ...(opts.authToken ? { auth_token: opts.authToken } : {}) }),
    metrics,
    logger: rec.logger,
  });
  cleanups.push(() => brain.close());
  return { brain, metrics, lines: rec.lines };
}

/** A server that answers every request with `handler`, for the failure modes a brain app won't produce. */
async function startRaw(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function histogramCount(metrics: Metrics, engine: string): Promise<number> {
  const { values } = await metrics.diagnosisDuration.get();
  return values.find((v) => v.metricName === 'sentinel_diagnosis_duration_seconds_count' && v.labels.engine === engine)?.value ?? 0;
}

describe('remote brain client', () => {
  it('asks the service over HTTP with the bearer token and returns its diagnosis', async () => {
    const service = await startService(TOKEN);
    const agent = agentBrain(service.url, { authToken: TOKEN });
    const d = await agent.brain.diagnose(sampleRequest());
    expect(d.engine).toBe('builtin'); // the service's engine
    expect(d.fallbackReason).toBeUndefined();
    expect(await histogramCount(agent.metrics, 'remote')).toBe(1);
    expect(await histogramCount(service.metrics, 'builtin')).toBe(1);
    // A repeat is served from the agent's cache.
    await agent.brain.diagnose(sampleRequest());
    expect(await histogramCount(agent.metrics, 'remote')).toBe(1);
  });

  it('a wrong token falls back to the built-in engine (invalid_key), logged once', async () => {
    const service = await startService(TOKEN);
    const agent = agentBrain(service.url, { authToken: 'wrong' });
    for (const fp of ['a', 'b']) {
      const d = await agent.brain.diagnose(sampleRequest({ fingerprint: fp }));
      expect(d).toMatchObject({ engine: 'builtin', fallbackReason: 'invalid_key' });
    }
    expect(await counterValue(agent.metrics.diagnosisFallbacks, { reason: 'invalid_key' })).toBe(2);
    expect(agent.lines().filter((l) => l.code === 'SENTINEL_ERR_BRAIN_UNAVAILABLE')).toHaveLength(1);
  });

  it('with the brain down, the built-in engine answers fast', async () => {
    const service = await startService();
    const url = service.url;
    await service.app.close();
    const agent = agentBrain(url, { timeoutMs: 5000 });
    const started = Date.now();
    const d = await agent.brain.diagnose(sampleRequest());
    expect(Date.now() - started).toBeLessThan(1000);
    expect(d).toMatchObject({ engine: 'builtin', fallbackReason: 'network' });
    expect(await counterValue(agent.metrics.diagnosisFallbacks, { reason: 'network' })).toBe(1);
  });

  it('a brain that never answers is cut at the time budget', async () => {
    const url = await startRaw(() => undefined);
    const agent = agentBrain(url, { timeoutMs: 300 });
    const started = Date.now();
    const d = await agent.brain.diagnose(sampleRequest());
    expect(Date.now() - started).toBeLessThan(1500);
    expect(d).toMatchObject({ engine: 'builtin', fallbackReason: 'timeout' });
  });

  it.each([
    ['a 503', 503, '{"error":"down"}', 'unavailable'],
    ['an answer that is not JSON', 200, '<html>proxy error</html>', 'invalid_output'],
    ['JSON that is not a Diagnosis', 200, '{"category":"code_bug","engine":"hal9000"}', 'invalid_output'],
  ])('%s falls back with reason %s', async (_what, status, body, reason) => {
    const url = await startRaw((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
    const agent = agentBrain(url);
    const d = await agent.brain.diagnose(sampleRequest());
    expect(d).toMatchObject({ engine: 'builtin', fallbackReason: reason });
  });
});
