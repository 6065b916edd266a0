// The brain service: through inject() for the rules, and once over a real socket on port 0.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBrainApp } from '../../src/brain/brain-app.js';
import { createBrain, type Brain } from '../../src/brain/brain.js';
import { diagnosisSchema } from '../../src/brain/schemas.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { brainConfig, sampleRequest } from './brain-test-kit.js';

const validDiagnosis = new Ajv({ strict: false }).compile(diagnosisSchema);
const TOKEN = 's3cret-brain-token';

let app: FastifyInstance | undefined;
let brain: Brain | undefined;

afterEach(async () => {
  await app?.close();
  await brain?.close();
  app = undefined;
  brain = undefined;
});

function build(opts: { authToken?: string; bodyLimitBytes?: number } = {}): { app: FastifyInstance; metrics: Metrics } {
  const metrics = createMetrics({ defaultMetrics: false });
  brain = createBrain({ config: brainConfig(), metrics, logger: silentLogger(), readSourceFiles: false });
  app = buildBrainApp({ brain, registry: metrics.registry, logger: false, ...opts });
  return { app, metrics };
}

describe('brain app (inject)', () => {
  it('POST /diagnose answers a Diagnosis from the built-in engine', async () => {
    const { app } = build();
    const res = await app.inject({ method: 'POST', url: '/diagnose', payload: sampleRequest() });
    expect(res.statusCode).toBe(200);
    const d = res.json<Record<string, unknown>>();
    expect(validDiagnosis(d), JSON.stringify(validDiagnosis.errors)).toBe(true);
    expect(d.engine).toBe('builtin');
  });

  it.each([
    ['a missing field', { fingerprint: undefined }, '/fingerprint'],
    ['a bad enum', { severity: 'apocalyptic' }, '/severity'],
    ['a wrong type', { context: 'not a list' }, '/context'],
    ['a nested field', { error: { type: 'E', message: 'm', stack: [{ line: 3 }] } }, '/error/stack/0/file'],
  ])('400 names the field for %s', async (_what, patch, field) => {
    const { app } = build();
    const res = await app.inject({ method: 'POST', url: '/diagnose', payload: { ...sampleRequest(), ...patch } });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: string; message: string; field: string }>();
    expect(body).toMatchObject({ error: 'bad_request', field });
    expect(body.message).toContain(field.split('/').pop());
  });

  it('413 when the body is over the limit', async () => {
    const { app } = build({ bodyLimitBytes: 4096 });
    const res = await app.inject({ method: 'POST', url: '/diagnose', payload: sampleRequest({ text: 'x'.repeat(10_000) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('401 without the bearer token; healthz stays open', async () => {
    const { app } = build({ authToken: TOKEN });
    const none = await app.inject({ method: 'POST', url: '/diagnose', payload: sampleRequest() });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await app.inject({ method: 'POST', url: '/diagnose', payload: sampleRequest(), headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ok = await app.inject({ method: 'POST', url: '/diagnose', payload: sampleRequest(), headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
  });

  it('serves an OpenAPI document built from the route schemas', async () => {
    const { app } = build({ authToken: TOKEN });
    const res = await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown>; security?: unknown[] }>> }>();
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/diagnose', '/healthz', '/metrics', '/openapi.json']));
    const post = doc.paths['/diagnose']!.post!;
    expect(JSON.stringify(post.requestBody)).toContain('fingerprint');
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '413']));
    expect(doc.paths['/healthz']!.get!.security).toEqual([]);
  });

  it('GET /metrics serves the registry, with the diagnosis counted', async () => {
    const { app } = build();
    await app.inject({ method: 'POST', url: '/diagnose', payload: sampleRequest() });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/sentinel_diagnosis_duration_seconds_count\{engine="builtin"\} 1/);
  });
});

describe('brain app as a shared service', () => {
  it('does not read files on its own host that a request names (readSourceFiles: false)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'brain-app-'));
    const file = join(dir, 'job.py');
    await writeFile(file, 'import os\nAWS_SECRET = "do-not-leak-this-line"\nraise KeyError("x")\n');
    try {
      const { app } = build();
      const payload = sampleRequest({
        text: `Traceback (most recent call last):\n  File "${file}", line 2, in <module>\nKeyError: 'x'`,
        error: { type: 'KeyError', message: "'x'", stack: [{ file, line: 2, function: '<module>', inUserCode: true }] },
      });
      const res = await app.inject({ method: 'POST', url: '/diagnose', payload });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('do-not-leak-this-line');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('brain app (real socket)', () => {
  it('serves diagnose, auth, 400, 413, openapi and metrics over HTTP', async () => {
    const { app } = build({ authToken: TOKEN, bodyLimitBytes: 64 * 1024 });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const post = (body: unknown, headers: Record<string, string> = auth) =>
      fetch(`${base}/diagnose`, { method: 'POST', headers, body: JSON.stringify(body) });

    const ok = await post(sampleRequest());
    expect(ok.status).toBe(200);
    expect(validDiagnosis(await ok.json())).toBe(true);

    expect((await post(sampleRequest(), { 'content-type': 'application/json' })).status).toBe(401);

    const bad = await post({ ...sampleRequest(), severity: 'apocalyptic' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: '/severity' });

    const big = await post(sampleRequest({ text: 'y'.repeat(100_000) }));
    expect(big.status).toBe(413);

    const openapi = await fetch(`${base}/openapi.json`, { headers: auth });
    expect(openapi.status).toBe(200);
    expect(((await openapi.json()) as { paths: object }).paths).toHaveProperty('/diagnose');

    const metrics = await fetch(`${base}/metrics`, { headers: auth });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('sentinel_diagnosis_duration_seconds');

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
