// The limits on LLM calls, behind one interface so a fleet of brains can share them (src/fleet):
// the daily call budget (per engine, per UTC day) and the cool-off after the provider answered 429.
// This module is the process-local version: each brain (or embedded agent) counts alone, and a 429
// costs only the call that got it (the next incident tries again), as before fleets existed.

export interface LlmLimits {
  /** Takes one call from the engine's budget for `day` (YYYY-MM-DD, UTC); false when it is spent. */
  takeCall(engine: string, budget: number, day: string): Promise<boolean>;
  /** True while the provider asked for a pause (429): no call is made, the built-in analyser answers. */
  coolingOff(engine: string, now: number): Promise<boolean>;
  /** The provider answered 429: pause calls to this engine for `ms`. */
  coolOff(engine: string, ms: number, now: number): Promise<void>;
}

/** How long calls pause after a 429 (the providers' own hint is not exposed by every SDK). */
export const RATE_LIMIT_COOL_OFF_MS = 30_000;

export function createLocalLlmLimits(): LlmLimits {
  const used = new Map<string, { day: string; calls: number }>();
  return {
    async takeCall(engine, budget, day) {
      let entry = used.get(engine);
      if (!entry || entry.day !== day) used.set(engine, (entry = { day, calls: 0 }));
      if (entry.calls >= budget) return false;
      entry.calls++;
      return true;
    },
    coolingOff: async () => false,
    coolOff: async () => undefined,
  };
}
