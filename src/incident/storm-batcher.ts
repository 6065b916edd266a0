// Decides which newly opened incidents are announced at once and which wait for one digest.
//
// A storm is a rate, not a count: individual alerts draw on a token bucket that refills at
// `ratePerSec` (what the destination takes: Slack's webhook, about one message a second) and holds
// at most `maxIndividual` tokens. Distinct failures that arrive no faster than that each go out
// at once, however many there are in a day; the first alert of any storm goes out at once too.
// Only when tokens run out is an incident held, and those that open while a window is open join
// it; the window closes `windowMs` after it opened, as one digest.
// A storm that outlasts one window (a long outage) keeps batching: a window that opens within one
// window of a digest gives no individual alerts, and is twice as long as the last (up to
// `maxWindowMs`), so an hour-long outage is a handful of digests rather than hundreds. The first
// quiet window resets the length.
// Held items are kept by reference until their digest goes out, so an incident evicted from
// tracking meanwhile is still announced (memory: what opens within one window).

export interface StormState {
  windowStart: number | null;
  /** Kept for state saved before the token bucket; unused. */
  budget?: number;
  individual?: number;
  pending: string[];
  deferredResolved: string[];
  stormUntil: number;
  /** Length of the current window: grows while a storm lasts. Absent in state saved before it existed. */
  currentWindowMs?: number;
  /** Individual alerts available, and when they were last counted. Absent in state saved before 0.3. */
  tokens?: number;
  refilledAt?: number;
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

export interface StormOptions {
  windowMs: number;
  /** Individual alerts that may go out back to back (the bucket's size). */
  maxIndividual: number;
  maxWindowMs?: number;
  /** Individual alerts per second sustained (the bucket's refill). Default 1. */
  ratePerSec?: number;
}

export function createStormBatcher<T extends { id: string }>(options: StormOptions): StormBatcher<T> {
  const { windowMs } = options;
  const maxWindowMs = Math.max(windowMs, options.maxWindowMs ?? windowMs);
  const burst = Math.max(1, options.maxIndividual);
  const ratePerMs = Math.max(0, options.ratePerSec ?? 1) / 1000;
  let currentWindowMs = windowMs;
  let tokens = burst;
  let refilledAt: number | null = null;
  let windowStart: number | null = null;
  let pending: T[] = [];
  let pendingById = new Map<string, T>();
  let deferred: T[] = [];
  let stormUntil = 0;

  function refill(now: number): void {
    if (refilledAt !== null && now > refilledAt) tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerMs);
    if (refilledAt === null || now > refilledAt) refilledAt = now;
  }

  return {
    flushDue(now) {
      if (windowStart === null || now < windowStart + currentWindowMs) return null;
      const flush: StormFlush<T> = { announce: pending, resolvedAfter: deferred };
      // Only a real digest (two or more held) marks a storm that the next window should keep batching.
      if (pending.length > 1) {
        stormUntil = windowStart + 2 * currentWindowMs;
        currentWindowMs = Math.min(2 * currentWindowMs, maxWindowMs);
      }
      // The digest is a message too: it takes its slot of the destination's rate, when it was due
      // (a late flush must not charge the quiet time after it).
      refill(windowStart + currentWindowMs);
      tokens = Math.max(0, tokens - 1);
      refill(now);
      windowStart = null;
      pending = [];
      pendingById = new Map();
      deferred = [];
      return flush;
    },
    admit(item, now) {
      refill(now);
      const inStorm = now < stormUntil;
      if (windowStart === null && !inStorm && tokens >= 1) {
        tokens -= 1;
        return true;
      }
      if (windowStart === null) {
        windowStart = now;
        if (!inStorm) currentWindowMs = windowMs;
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
      pending: pending.map((p) => p.id),
      deferredResolved: deferred.map((d) => d.id),
      stormUntil,
      currentWindowMs,
      tokens,
      ...(refilledAt !== null ? { refilledAt } : {}),
    }),
    restore(s, lookup) {
      windowStart = s.windowStart;
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
      tokens = typeof s.tokens === 'number' ? Math.min(burst, Math.max(0, s.tokens)) : burst;
      refilledAt = typeof s.refilledAt === 'number' ? s.refilledAt : null;
    },
  };
}
