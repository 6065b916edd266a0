// The diagnosis cache of a fleet's brains, in Redis, with one flight per cache key: the first
// replica to claim a key ({prefix}flight:{key}, SET NX PX) asks the LLM and stores the answer
// ({prefix}diag:{key}, SET PX with the cache's TTL); the others poll for that answer within their own
// time budget. A claimer that dies leaves a claim that expires with its budget, and the waiters
// answer with the built-in analyser meanwhile. Redis down: every operation answers "unknown" and
// the brain goes on with its local cache and its own call.
import type { SharedDiagnoses } from '../brain/brain.js';
import type { Diagnosis } from '../types.js';
import type { FleetLink } from './fleet-link.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

function parse(text: string | null | undefined): Diagnosis | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Diagnosis;
  } catch {
    return undefined;
  }
}

export function createSharedDiagnoses(link: FleetLink, options: { pollMs?: number } = {}): SharedDiagnoses {
  const pollMs = options.pollMs ?? 50;
  const cacheKey = (key: string): string => link.key('diag', key);
  const flightKey = (key: string): string => link.key('flight', key);
  const get = async (key: string): Promise<Diagnosis | undefined | null> => {
    const text = await link.run('cache_get', (redis) => redis.get(cacheKey(key)));
    return text === undefined ? undefined : (parse(text) ?? null);
  };
  return {
    async get(key) {
      return (await get(key)) ?? undefined;
    },
    async claim(key, ms) {
      const won = await link.run('flight', (redis) => redis.set(flightKey(key), link.member, 'PX', Math.max(1, Math.round(ms)), 'NX'));
      return won === undefined ? undefined : won === 'OK';
    },
    async put(key, diagnosis, ttlMs) {
      const { cached: _cached, ...stored } = diagnosis;
      await link.run('cache_set', (redis) =>
        redis.multi().set(cacheKey(key), JSON.stringify(stored), 'PX', Math.max(1, Math.round(ttlMs))).del(flightKey(key)).exec(),
      );
    },
    async wait(key, deadline, now) {
      for (let interval = pollMs; now() < deadline; interval = Math.min(interval * 2, 200)) {
        await sleep(Math.min(interval, Math.max(1, deadline - now())));
        const found = await get(key);
        // undefined: Redis stopped answering; waiting longer would only spend the budget.
        if (found === undefined) return undefined;
        if (found) return found;
      }
      return undefined;
    },
  };
}
