// Decides which newly opened incidents are announced at once and which wait for one digest.
// The first incident of a quiet period always goes out at once (up to `maxIndividual`); those
// that open within `windowMs` after it are held and announced together when the window closes.
// A storm that outlasts one window (a long outage) keeps batching: a window that opens within
// one window of a digest has no individual budget, so each further window is one digest, and each
// such window is twice as long as the last (up to `maxWindowMs`), so an hour-long outage is a
// handful of digests rather than hundreds. The first quiet window resets the length.
// Held items are kept by reference until their digest goes out, so an incident evicted from
// tracking meanwhile is still announced (memory: what opens within one window).

export interface StormState {
  windowStart: number | null;
  budget: number;
  individual: number;
  pending: string[];
  deferredResolved: string[];
  stormUntil: number;
  /** Length of the current window: grows while a storm lasts. Absent in state saved before it existed. */
  currentWindowMs?: number;
}

export interface StormFlush<T> {
  /** Incidents to announce now, in the order they opened. */
  announce: T[];
  /** Incidents that resolved while waiting: their resolved notice goes out after the announcement. */
  resolvedAfter: T[];
}

export interface StormBatcher<T extends { id: string }> {
  /** Closes the window if it is due. Call before `admit` so a late tick never widens a window. */
  flushDue(now: number): StormFlush<T> | null;
  /** An incident opened at `now`: true when it may be announced at once, false when it waits for the digest. */
  admit(item: T, now: number): boolean;
  isPending(id: string): boolean;
  /** The incidents waiting for the digest, in the order they opened. */
  pending(): readonly T[];
  /** Holds the resolved notice of a still-unannounced incident until after its announcement. */
  deferResolved(id: string): void;
  state(): StormState;
  restore(state: StormState, lookup: (id: string) => T | undefined): void;
}

export function createStormBatcher<T extends { id: string }>(options: { windowMs: number; maxIndividual: number; maxWindowMs?: number }): StormBatcher<T> {
  const { windowMs } = options;
  const maxWindowMs = Math.max(windowMs, options.maxWindowMs ?? windowMs);
  let currentWindowMs = windowMs;
  const maxIndividual = Math.max(1, options.maxIndividual);
  let windowStart: number | null = null;
  let budget = 0;
  let individual = 0;
  let pending: T[] = [];
  let pendingById = new Map<string, T>();
  let deferred: T[] = [];
  let stormUntil = 0;

  return {
    flushDue(now) {
      if (windowStart === null || now < windowStart + currentWindowMs) return null;
      const flush: StormFlush<T> = { announce: pending, resolvedAfter: deferred };
      // Only a real digest (two or more held) marks a storm that the next window should keep batching.
      if (pending.length > 1) {
        stormUntil = windowStart + 2 * currentWindowMs;
        currentWindowMs = Math.min(2 * currentWindowMs, maxWindowMs);
      }
      windowStart = null;
      individual = 0;
      pending = [];
      pendingById = new Map();
      deferred = [];
      return flush;
    },
    admit(item, now) {
      if (windowStart === null) {
        windowStart = now;
        const inStorm = now < stormUntil;
        budget = inStorm ? 0 : maxIndividual;
        if (!inStorm) currentWindowMs = windowMs;
        individual = 0;
      }
      if (individual < budget) {
        individual++;
        return true;
      }
      pending.push(item);
      pendingById.set(item.id, item);
      return false;
    },
    isPending: (id) => pendingById.has(id),
    pending: () => pending,
    deferResolved(id) {
      const item = pendingById.get(id);
      if (item && !deferred.includes(item)) deferred.push(item);
    },
    state: () => ({
      windowStart,
      budget,
      individual,
      pending: pending.map((p) => p.id),
      deferredResolved: deferred.map((d) => d.id),
      stormUntil,
      currentWindowMs,
    }),
    restore(s, lookup) {
      windowStart = s.windowStart;
      budget = s.budget;
      individual = s.individual;
      pending = [];
      pendingById = new Map();
      for (const id of s.pending) {
        const item = lookup(id);
        if (!item) continue;
        pending.push(item);
        pendingById.set(id, item);
      }
      deferred = [];
      for (const id of s.deferredResolved) {
        const item = pendingById.get(id);
        if (item) deferred.push(item);
      }
      stormUntil = s.stormUntil;
      currentWindowMs = s.currentWindowMs ?? windowMs;
    },
  };
}
