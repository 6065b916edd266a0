// The LLM limits of a fleet's brains, in Redis: one daily call budget per engine
// ({prefix}budget:{engine}:{day}, INCR with an expiry two days out) and one cool-off after a 429
// ({prefix}cooloff:{engine}, SET PX), so two replicas never spend twice the budget nor hammer a
// provider that asked for a pause. When Redis does not answer, each process counts alone (its own
// budget, as without a fleet), so an outage can cost up to one budget per replica that day.
import { createLocalLlmLimits, type LlmLimits } from '../brain/llm-limits.js';
import type { FleetLink } from './fleet-link.js';

const DAY_MS = 86_400_000;

export function createSharedLlmLimits(link: FleetLink): LlmLimits {
  const local = createLocalLlmLimits();
  /** The cool-off as this process knows it, so a replica that hit the 429 pauses even without Redis. */
  const pausedUntil = new Map<string, number>();
  return {
    async takeCall(engine, budget, day) {
      const key = link.key('budget', engine, day);
      const used = await link.run('budget', async (redis) => {
        const replies = await redis.multi().incr(key).pexpire(key, 2 * DAY_MS).exec();
        const [error, count] = replies?.[0] ?? [new Error('transaction discarded'), 0];
        if (error) throw error;
        return Number(count);
      });
      if (used === undefined) return local.takeCall(engine, budget, day);
      return used <= budget;
    },
    async coolingOff(engine, now) {
      if ((pausedUntil.get(engine) ?? 0) > now) return true;
      const left = await link.run('cooloff', (redis) => redis.pttl(link.key('cooloff', engine)));
      return left !== undefined && left > 0;
    },
    async coolOff(engine, ms, now) {
      pausedUntil.set(engine, Math.max(pausedUntil.get(engine) ?? 0, now + ms));
      await link.run('cooloff', (redis) => redis.set(link.key('cooloff', engine), '1', 'PX', ms));
    },
  };
}
