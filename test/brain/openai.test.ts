// The OpenAI-compatible engine through the brain, against a local server speaking chat completions
// (test/helpers/fake-openai.ts): what is sent, what comes back, and every way it can go wrong.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBrain, type Brain } from '../../src/brain/brain.js';
import { LLM_AUDIT_FILE } from '../../src/brain/llm-audit.js';
import { diagnosisSchema } from '../../src/brain/schemas.js';
import type { BrainConfig } from '../../src/config/config-types.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js';
import { brainConfig, counterValue, expectCountedFallback, FAILING_CODE_LINE, LEAKED_SECRETS, recordingLogger, sampleRequest } from './brain-test-kit.js';

const validDiagnosis = new Ajv({ strict: false }).compile(diagnosisSchema);

let fake: FakeOpenAi;
let metrics: Metrics;
let brain: Brain | undefined;

beforeEach(async () => {
  fake = await startFakeOpenAi();
  metrics = createMetrics({ defaultMetrics: false });
});
afterEach(async () => {
  await brain?.close();
  brain = undefined;
  await fake.close();
});

function openaiBrain(opts: { config?: Partial<BrainConfig['openai']>; gemini?: Partial<BrainConfig['gemini']>; timeoutMs?: number; logger?: Logger; auditDir?: string } = {}): Brain {
  brain = createBrain({
    config: brainConfig({
      timeout_ms: opts.timeoutMs ?? 5000,
      audit_max_bytes: opts.auditDir ? 1_000_000 : 0,
      openai: { base_url: fake.url, model: 'qwen2.5:7b', ...opts.config },
      ...(opts.gemini ? { gemini: opts.gemini } : {}),
    }),
    metrics,
    logger: opts.logger ?? silentLogger(),
    ...(opts.auditDir ? { auditDir: opts.auditDir } : {}),
  });
  return brain;
}

describe('OpenAI-compatible engine over chat completions', () => {
  it('answers with engine openai, the model the server names, and token counts from usage', async () => {
    const d = await openaiBrain().diagnose(sampleRequest());
    expect(validDiagnosis(d), JSON.stringify(validDiagnosis.errors)).toBe(true);
    expect(d).toMatchObject({ engine: 'openai', model: fake.servedModel, category: 'code_bug' });
    expect(d.fallbackReason).toBeUndefined();
    expect(d.tokens!.input).toBeGreaterThan(0);
    expect(d.tokens!.output).toBeGreaterThan(0);
    expect(await counterValue(metrics.llmCalls, { outcome: 'ok' })).toBe(1);
    expect(await counterValue(metrics.llmTokens, { kind: 'input' })).toBe(d.tokens!.input);
  });

  it('sends one POST to {base_url}/chat/completions: system and user messages, temperature 0, a strict json_schema response format, the bearer key', async () => {
    await openaiBrain({ config: { api_key: 'sk-local-test' } }).diagnose(sampleRequest());
    expect(fake.requests).toHaveLength(1);
    const r = fake.requests[0]!;
    expect(r.path).toBe('/v1/chat/completions');
    expect(r.authorization).toBe('Bearer sk-local-test');
    expect(r.body.model).toBe('qwen2.5:7b');
    expect(r.body.temperature).toBe(0);
    expect(r.body.messages!.map((m) => m.role)).toEqual(['system', 'user']);
    expect(r.body.messages![0]!.content).toMatch(/untrusted data/);
    expect(r.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'diagnosis', strict: true } });
    const schema = r.body.response_format!.json_schema!.schema as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['category', 'summary', 'rootCause', 'location', 'fix', 'retryable']));
    expect(schema.additionalProperties).toBe(false);
  });

  it('without an api_key no Authorization header is sent (Ollama, llama.cpp)', async () => {
    await openaiBrain().diagnose(sampleRequest());
    expect(fake.requests[0]!.authorization).toBeUndefined();
  });

  it('puts the failing code line in the prompt and keeps secrets out of it', async () => {
    await openaiBrain().diagnose(sampleRequest());
    const prompt = fake.requests[0]!.prompt;
    expect(prompt).toContain(FAILING_CODE_LINE);
    expect(prompt).toContain('transform.ts:42');
    for (const secret of LEAKED_SECRETS) expect(prompt).not.toContain(secret);
  });

  it('a configured local model wins over a Gemini key, so logs do not go to Google behind it', async () => {
    const d = await openaiBrain({ gemini: { api_key: 'a-google-key-left-in-the-env', base_url: 'http://127.0.0.1:9' } }).diagnose(sampleRequest());
    expect(d.engine).toBe('openai');
    expect(fake.requests).toHaveLength(1);
  });

  it('an answer wrapped in a Markdown fence is still read', async () => {
    fake.mode = 'fenced';
    expect(await openaiBrain().diagnose(sampleRequest())).toMatchObject({ engine: 'openai', category: 'code_bug' });
  });

  it.each([
    ['garbage', 'invalid_output'],
    ['cut-json', 'invalid_output'],
    ['rate-limited', 'rate_limited'],
    ['server-error', 'unavailable'],
    ['bad-key', 'invalid_key'],
  ] as const)('mode %s → the built-in diagnosis with fallbackReason %s, counted', async (mode, reason) => {
    fake.mode = mode;
    await expectCountedFallback(await openaiBrain().diagnose(sampleRequest()), reason, metrics);
    expect(fake.requests).toHaveLength(1);
  });

  it('a hanging server is cut by brain.openai.timeout_ms, before the brain budget', async () => {
    fake.mode = 'hang';
    const started = Date.now();
    const d = await openaiBrain({ timeoutMs: 10_000, config: { timeout_ms: 300 } }).diagnose(sampleRequest());
    expect(d).toMatchObject({ engine: 'builtin', fallbackReason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await counterValue(metrics.llmCalls, { outcome: 'timeout' })).toBe(1);
  });

  it('a hanging server is cut by the brain budget when that is shorter', async () => {
    fake.mode = 'hang';
    const started = Date.now();
    const d = await openaiBrain({ timeoutMs: 300 }).diagnose(sampleRequest());
    expect(d).toMatchObject({ engine: 'builtin', fallbackReason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a dead endpoint is a network failure, logged once with SENTINEL_ERR_LLM_FAILED', async () => {
    await fake.close();
    const rec = recordingLogger();
    const b = openaiBrain({ logger: rec.logger });
    for (let i = 0; i < 3; i++) expect(await b.diagnose(sampleRequest({ fingerprint: `fp-${i}` }))).toMatchObject({ engine: 'builtin', fallbackReason: 'network' });
    const warnings = rec.lines().filter((l) => l.code === 'SENTINEL_ERR_LLM_FAILED');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ engine: 'openai', reason: 'network' });
  });

  it('writes every request to the audit trail in the state directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-audit-'));
    const b = openaiBrain({ auditDir: dir });
    await b.diagnose(sampleRequest({ fingerprint: 'fp-audit' }));
    fake.mode = 'garbage';
    await b.diagnose(sampleRequest({ fingerprint: 'fp-garbage' }));
    const lines = readFileSync(join(dir, LLM_AUDIT_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ engine: 'openai', model: 'qwen2.5:7b', answeredBy: fake.servedModel, fingerprint: 'fp-audit', outcome: 'ok' });
    expect((lines[0]!.prompt as { user: string }).user).toBe(fake.requests[0]!.body.messages![1]!.content);
    expect(lines[1]).toMatchObject({ fingerprint: 'fp-garbage', outcome: 'invalid_output' });
    expect((lines[1]!.tokens as { input: number }).input).toBeGreaterThan(0);
  });
});
