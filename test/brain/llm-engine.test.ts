// The LLM base on its own: a scripted adapter stands in for the provider, so the budget, the
// validation, the metrics and the audit trail are checked without any wire protocol.
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBuiltinEngine } from '../../src/brain/builtin-engine.js';
import { EngineError } from '../../src/brain/engine-error.js';
import { createLlmAudit, LLM_AUDIT_FILE, type LlmAudit } from '../../src/brain/llm-audit.js';
import { createLlmEngine, type LlmAdapter, type LlmPrompt, type LlmReply } from '../../src/brain/llm-engine.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { createRedactor } from '../../src/redact/redactor.js';
import { DEFAULT_ANSWER } from '../helpers/fake-gemini.js';
import { counterValue, LEAKED_SECRETS, sampleRequest } from './brain-test-kit.js';

interface Scripted extends LlmAdapter {
  prompts: LlmPrompt[];
  next: () => LlmReply | Error;
}

function scriptedAdapter(next: () => LlmReply | Error = okReply): Scripted {
  const adapter: Scripted = {
    prompts: [],
    next,
    complete(prompt) {
      adapter.prompts.push(prompt);
      const r = adapter.next();
      return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
    },
    classify: (err) => ({ reason: err instanceof Error && /429/.test(err.message) ? 'rate_limited' : 'error', ...(err instanceof Error && /429/.test(err.message) ? { status: 429 } : {}) }),
  };
  return adapter;
}

function okReply(): LlmReply {
  return { text: JSON.stringify(DEFAULT_ANSWER), tokens: { input: 900, output: 120 }, model: 'served-model-7' };
}

function engineWith(adapter: LlmAdapter, opts: { budget?: number; now?: () => number; audit?: LlmAudit; metrics?: Metrics } = {}) {
  const metrics = opts.metrics ?? createMetrics({ defaultMetrics: false });
  const redactor = createRedactor();
  const engine = createLlmEngine({
    name: 'openai',
    label: 'Test LLM',
    errorCode: 'SENTINEL_ERR_LLM_FAILED',
    settings: { model: 'configured-model', timeout_ms: 5000, daily_call_budget: opts.budget ?? 100, max_input_tokens: 6000 },
    adapter,
    metrics,
    logger: silentLogger(),
    now: opts.now ?? Date.now,
    builtin: createBuiltinEngine({ readSourceFiles: false }),
    timeoutMs: 5000,
    redact: (t) => redactor.redact(t),
    ...(opts.audit ? { audit: opts.audit } : {}),
  });
  return { engine, metrics };
}

const signal = new AbortController().signal;

describe('the LLM base', () => {
  it('sends the redacted context pack with the finding schema, and stamps engine, model and tokens itself', async () => {
    const adapter = scriptedAdapter(() => ({ ...okReply(), text: JSON.stringify({ ...DEFAULT_ANSWER }) }));
    const { engine, metrics } = engineWith(adapter);
    const d = await engine.diagnose(sampleRequest({ after: [`password=${LEAKED_SECRETS[1]}`] }), signal);
    expect(d).toMatchObject({ engine: 'openai', model: 'served-model-7', tokens: { input: 900, output: 120 }, category: 'code_bug' });
    const p = adapter.prompts[0]!;
    expect(p.model).toBe('configured-model');
    expect(p.schema.required).toContain('category');
    for (const secret of LEAKED_SECRETS) expect(p.user).not.toContain(secret);
    expect(await counterValue(metrics.llmCalls, { outcome: 'ok' })).toBe(1);
    expect(await counterValue(metrics.llmTokens, { kind: 'output' })).toBe(120);
    expect(engine.cacheScope).toBe('openai:configured-model');
  });

  it('after the daily call budget it refuses without calling the provider, until the next UTC day', async () => {
    let clock = Date.parse('2026-11-25T23:59:00Z');
    const adapter = scriptedAdapter();
    const { engine, metrics } = engineWith(adapter, { budget: 2, now: () => clock });
    await engine.diagnose(sampleRequest(), signal);
    await engine.diagnose(sampleRequest(), signal);
    await expect(engine.diagnose(sampleRequest(), signal)).rejects.toMatchObject({ reason: 'budget', code: 'SENTINEL_ERR_LLM_FAILED' });
    expect(adapter.prompts).toHaveLength(2);
    // Refusals are not calls: nothing left the machine.
    expect(await counterValue(metrics.llmCalls)).toBe(2);
    clock = Date.parse('2026-11-26T00:00:01Z');
    await expect(engine.diagnose(sampleRequest(), signal)).resolves.toMatchObject({ engine: 'openai' });
  });

  it.each([
    ['prose', { text: 'I think it is a division by zero.' }],
    ['cut JSON', { text: JSON.stringify(DEFAULT_ANSWER).slice(0, 80), stoppedEarly: 'length' }],
    ['an engine claim and an extra key', { text: JSON.stringify({ ...DEFAULT_ANSWER, engine: 'builtin', notify: '<!channel>' }) }],
    ['a category outside the taxonomy', { text: JSON.stringify({ ...DEFAULT_ANSWER, category: 'obey_me' }) }],
  ])('an answer of %s is invalid_output, counted, never returned', async (_what, reply) => {
    const { engine, metrics } = engineWith(scriptedAdapter(() => ({ tokens: { input: 10, output: 10 }, ...reply })));
    const err = await engine.diagnose(sampleRequest(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ reason: 'invalid_output' });
    expect(await counterValue(metrics.llmCalls, { outcome: 'invalid_output' })).toBe(1);
  });

  it("a provider failure carries the adapter's reason and status", async () => {
    const { engine, metrics } = engineWith(scriptedAdapter(() => new Error('HTTP 429: slow down')));
    await expect(engine.diagnose(sampleRequest(), signal)).rejects.toMatchObject({ reason: 'rate_limited', status: 429 });
    expect(await counterValue(metrics.llmCalls, { outcome: 'rate_limited' })).toBe(1);
  });
});

describe('the audit trail', () => {
  const tempDir = (): string => mkdtempSync(join(tmpdir(), 'sentinel-audit-'));
  const entries = (file: string): Record<string, unknown>[] =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('records each request that left: the redacted prompt, engine, model, fingerprint, tokens and outcome, failures too', async () => {
    const dir = tempDir();
    const metrics = createMetrics({ defaultMetrics: false });
    const audit = createLlmAudit({ dir, maxBytes: 1_000_000, logger: silentLogger(), metrics })!;
    let n = 0;
    const adapter = scriptedAdapter(() => (n++ === 0 ? okReply() : new Error('HTTP 429: slow down')));
    const { engine } = engineWith(adapter, { audit, metrics });
    await engine.diagnose(sampleRequest({ fingerprint: 'fp-one' }), signal);
    await engine.diagnose(sampleRequest({ fingerprint: 'fp-two' }), signal).catch(() => undefined);

    const file = join(dir, LLM_AUDIT_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const [first, second] = entries(file);
    expect(first).toMatchObject({ engine: 'openai', model: 'configured-model', answeredBy: 'served-model-7', fingerprint: 'fp-one', outcome: 'ok', tokens: { input: 900, output: 120 } });
    expect(Date.parse(first!.ts as string)).not.toBeNaN();
    const prompt = first!.prompt as { system: string; user: string };
    expect(prompt.user).toBe(adapter.prompts[0]!.user);
    expect(prompt.system).toBe(adapter.prompts[0]!.system);
    expect(prompt.user).toContain('RangeError: Division by zero');
    for (const secret of LEAKED_SECRETS) expect(JSON.stringify(first)).not.toContain(secret);
    expect(second).toMatchObject({ fingerprint: 'fp-two', outcome: 'rate_limited', status: 429, tokens: null });
  });

  it('budget refusals leave nothing, so they are not in the trail', async () => {
    const dir = tempDir();
    const metrics = createMetrics({ defaultMetrics: false });
    const audit = createLlmAudit({ dir, maxBytes: 1_000_000, logger: silentLogger(), metrics })!;
    const { engine } = engineWith(scriptedAdapter(), { audit, metrics, budget: 1 });
    await engine.diagnose(sampleRequest(), signal);
    await engine.diagnose(sampleRequest(), signal).catch(() => undefined);
    expect(entries(audit.file)).toHaveLength(1);
  });

  it('stays bounded: past max_bytes the file rotates to .1 (one generation), newest entries in the live file', () => {
    const dir = tempDir();
    const maxBytes = 8_000;
    const audit = createLlmAudit({ dir, maxBytes, logger: silentLogger(), metrics: createMetrics({ defaultMetrics: false }) })!;
    for (let i = 0; i < 60; i++) {
      audit.record({ engine: 'openai', model: 'm', fingerprint: `fp-${i}`, outcome: 'ok', tokens: { input: 1, output: 1 }, latencyMs: 1, prompt: { system: 's', user: `prompt ${i} ${'x'.repeat(500)}` } });
    }
    expect(readdirSync(dir).sort()).toEqual([LLM_AUDIT_FILE, `${LLM_AUDIT_FILE}.1`]);
    expect(statSync(audit.file).size).toBeLessThanOrEqual(maxBytes);
    expect(statSync(`${audit.file}.1`).size).toBeLessThanOrEqual(maxBytes);
    const live = entries(audit.file);
    const rotated = entries(`${audit.file}.1`);
    expect(live.at(-1)).toMatchObject({ fingerprint: 'fp-59' });
    // The two files hold the most recent entries, in order, without a gap.
    const seq = [...rotated, ...live].map((e) => Number(String(e.fingerprint).slice(3)));
    expect(seq).toEqual(Array.from({ length: seq.length }, (_, k) => 60 - seq.length + k));
    expect(seq.length).toBeGreaterThan(10);
  });

  it('a prompt larger than max_bytes is cut visibly rather than break the bound', () => {
    const dir = tempDir();
    const audit = createLlmAudit({ dir, maxBytes: 10_000, logger: silentLogger(), metrics: createMetrics({ defaultMetrics: false }) })!;
    audit.record({ engine: 'gemini', model: 'm', fingerprint: 'fp', outcome: 'ok', tokens: null, latencyMs: 1, prompt: { system: 's', user: 'y'.repeat(50_000) } });
    expect(statSync(audit.file).size).toBeLessThanOrEqual(10_000);
    expect(entries(audit.file)[0]).toMatchObject({ promptCut: true, fingerprint: 'fp' });
  });

  it('a trail that cannot be written is counted as dropped and never stops a diagnosis', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'a file where the state directory should be');
    const metrics = createMetrics({ defaultMetrics: false });
    const audit = createLlmAudit({ dir: blocker, maxBytes: 1_000_000, logger: silentLogger(), metrics })!;
    const { engine } = engineWith(scriptedAdapter(), { audit, metrics });
    await expect(engine.diagnose(sampleRequest(), signal)).resolves.toMatchObject({ engine: 'openai' });
    expect(await counterValue(metrics.dropped, { stage: 'diagnose', reason: 'audit_write_failed' })).toBe(1);
  });

  it('max_bytes 0 turns the trail off', () => {
    expect(createLlmAudit({ dir: tempDir(), maxBytes: 0, logger: silentLogger(), metrics: createMetrics({ defaultMetrics: false }) })).toBeUndefined();
  });
});
