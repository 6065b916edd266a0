// Issue 13, the brain half, through real `sentinel brain` replicas, a real redis-server and the
// Gemini stand-in: replicas share one diagnosis cache with one flight per failure, and one daily
// call budget.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../helpers/fake-gemini.js';
import type { RunningProcess } from '../helpers/sentinel-process.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { askBrain, podRequest, startBrainReplicas } from '../helpers/fleet-brains.js';

const running: RunningProcess[] = [];
const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const c of closers.splice(0)) await c.close();
});

async function setUp(): Promise<{ gemini: FakeGemini; redis: RedisServer }> {
  const gemini = await startFakeGemini();
  const redis = await startRedis();
  closers.push(gemini, redis);
  return { gemini, redis };
}

describe('fleet mode: brain replicas', () => {
  it('100 concurrent requests for one new failure, from many pods, over two replicas: one LLM call', { timeout: 90_000 }, async () => {
    const { gemini, redis } = await setUp();
    // A model takes its time: the requests all arrive while the first call is under way.
    gemini.delayMs = 700;
    const [a, b] = await startBrainReplicas({ replicas: 2, redisUrl: redis.url, geminiUrl: gemini.url, keyPrefix: 'brains-flight:' }, running);
    const answers = await Promise.all(Array.from({ length: 100 }, (_x, n) => askBrain(n % 2 === 0 ? a!.port : b!.port, podRequest(n))));
    expect(gemini.requests).toHaveLength(1);
    for (const answer of answers) expect(answer).toMatchObject({ engine: 'gemini', category: 'code_bug' });
    expect(answers.filter((x) => x.cached === false)).toHaveLength(1);
    // Later requests, on either replica, come from the shared cache.
    expect(await askBrain(b!.port, podRequest(7))).toMatchObject({ engine: 'gemini', cached: true });
    expect(gemini.requests).toHaveLength(1);
  });

  it('daily_call_budget 3 over two replicas: the fourth distinct failure gets the built-in diagnosis, whichever replica serves it', { timeout: 90_000 }, async () => {
    const { gemini, redis } = await setUp();
    const replicas = await startBrainReplicas({ replicas: 2, redisUrl: redis.url, geminiUrl: gemini.url, keyPrefix: 'brains-budget:', dailyCallBudget: 3 }, running);
    const failures = ['orders', 'invoices', 'customers', 'refunds', 'payouts'];
    const answers = [];
    for (const [n, failure] of failures.entries()) answers.push(await askBrain(replicas[n % 2]!.port, podRequest(n, failure)));
    expect(answers.slice(0, 3).map((x) => x.engine)).toEqual(['gemini', 'gemini', 'gemini']);
    for (const late of answers.slice(3)) expect(late).toMatchObject({ engine: 'builtin', fallbackReason: 'budget' });
    expect(gemini.requests).toHaveLength(3);
  });
});
