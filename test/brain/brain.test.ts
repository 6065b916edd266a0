// The facade's promises that hold whatever engine is behind it: never throws, bounded cache,
// idempotent close. The analyser is injected here only to make it fail on purpose.
import { afterEach, describe, expect, it } from 'vitest';
import { createBrain, type Brain } from '../../src/brain/brain.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { startFakeGemini } from '../helpers/fake-gemini.js';
import { brainConfig, counterValue, recordingLogger, sampleRequest, waitFor } from './brain-test-kit.js';

let brain: Brain | undefined;
afterEach(async () => {
  await brain?.close();
  brain = undefined;
});

describe('createBrain', () => {
  it('with no key and url embedded, the built-in engine answers', async () => {
    brain = createBrain({ config: brainConfig(), metrics: createMetrics({ defaultMetrics: false }), logger: silentLogger() });
    const d = await brain.diagnose(sampleRequest());
    expect(d).toMatchObject({ engine: 'builtin', model: null });
    expect(d.fallbackReason).toBeUndefined();
    expect(d.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('never throws: an analyser that throws yields an honest "unknown" diagnosis, logged', async () => {
    const rec = recordingLogger();
    brain = createBrain({
      config: brainConfig(),
      metrics: createMetrics({ defaultMetrics: false }),
      logger: rec.logger,
      analyse: () => {
        throw new Error('analyser bug');
      },
    });
    const d = await brain.diagnose(sampleRequest());
    expect(d).toMatchObject({ category: 'unknown', engine: 'builtin', confidence: 0, location: null });
    expect(d.summary).toContain('transform_data');
    expect(rec.lines().some((l) => l.level === 50 && String(l.msg).includes('analyser threw'))).toBe(true);
  });

  it('the cache is bounded: the least recently used fingerprint is evicted and counted', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let calls = 0;
    brain = createBrain({
      config: brainConfig(),
      metrics,
      logger: silentLogger(),
      cacheSize: 2,
      analyse: (req) => {
        calls++;
        return { ...stubDiagnosis(), summary: req.fingerprint };
      },
    });
    for (const fp of ['a', 'b', 'a', 'c', 'a', 'b']) await brain.diagnose(sampleRequest({ fingerprint: fp }));
    // a, b computed; a hit; c evicts b; a hit; b again computed (evicting c).
    expect(calls).toBe(4);
    expect(await counterValue(metrics.dropped, { stage: 'diagnose', reason: 'cache_evicted' })).toBe(2);
  });

  it('cached answers expire after their TTL', async () => {
    let clock = 1_000_000;
    let calls = 0;
    brain = createBrain({
      config: brainConfig(),
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger(),
      now: () => clock,
      cacheTtlMs: 60_000,
      analyse: () => {
        calls++;
        return stubDiagnosis();
      },
    });
    await brain.diagnose(sampleRequest());
    clock += 59_000;
    await brain.diagnose(sampleRequest());
    expect(calls).toBe(1);
    clock += 2_000;
    await brain.diagnose(sampleRequest());
    expect(calls).toBe(2);
  });

  it('close is idempotent and a closed brain still answers (built-in)', async () => {
    const b = createBrain({ config: brainConfig(), metrics: createMetrics({ defaultMetrics: false }), logger: silentLogger() });
    await b.close();
    await b.close();
    expect((await b.diagnose(sampleRequest())).engine).toBe('builtin');
  });

  it('close aborts a Gemini call in flight; the caller gets the built-in answer at once', async () => {
    const fake = await startFakeGemini({ mode: 'hang' });
    try {
      const b = createBrain({
        config: brainConfig({ timeout_ms: 10_000, gemini: { api_key: 'k', base_url: fake.url, timeout_ms: 10_000 } }),
        metrics: createMetrics({ defaultMetrics: false }),
        logger: silentLogger(),
      });
      const started = Date.now();
      const pending = b.diagnose(sampleRequest());
      await waitFor('the fake Gemini to receive the call', () => fake.requests.length);
      await b.close();
      const d = await pending;
      expect(d.engine).toBe('builtin');
      expect(d.fallbackReason).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await fake.close();
    }
  });

  it('a caller that spent part of the budget (waiting for lines after a failure) gets the built-in answer when the rest runs out', async () => {
    const fake = await startFakeGemini({ mode: 'hang' });
    const b = createBrain({
      config: brainConfig({ timeout_ms: 10_000, gemini: { api_key: 'k', base_url: fake.url, timeout_ms: 10_000 } }),
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger(),
    });
    try {
      const started = Date.now();
      const d = await b.diagnose(sampleRequest(), 300);
      expect(d.engine).toBe('builtin');
      expect(d.fallbackReason).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(fake.requests).toHaveLength(1);
    } finally {
      await b.close();
      await fake.close();
    }
  });

  it("honours the SDK's own GOOGLE_GEMINI_BASE_URL when brain.gemini.base_url is unset", async () => {
    const fake = await startFakeGemini();
    const saved = process.env.GOOGLE_GEMINI_BASE_URL;
    process.env.GOOGLE_GEMINI_BASE_URL = fake.url;
    try {
      brain = createBrain({
        config: brainConfig({ gemini: { api_key: 'k' } }),
        metrics: createMetrics({ defaultMetrics: false }),
        logger: silentLogger(),
      });
      expect((await brain.diagnose(sampleRequest())).engine).toBe('gemini');
      expect(fake.requests).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_GEMINI_BASE_URL;
      else process.env.GOOGLE_GEMINI_BASE_URL = saved;
      await fake.close();
    }
  });
});

function stubDiagnosis() {
  return {
    category: 'code_bug' as const,
    summary: 's',
    rootCause: 'r',
    evidence: [],
    location: null,
    fix: ['f'],
    retryable: false,
    confidence: 0.5,
    engine: 'builtin' as const,
    model: null,
    latencyMs: 0,
  };
}
