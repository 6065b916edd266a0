// Decides which newly opened incidents are announced at once and which wait for one digest.
//
// A storm is a rate, not a count: individual alerts draw on a token bucket that refills at
// `ratePerSec` (what the destination takes: Slack's webhook, about one message a second) and holds
// at most `maxIndividual` tokens. Distinct failures that arrive no faster than that each go out
// at once, however many there are in a day; the first alert of any storm goes out at once too.
// Only when tokens run out is an incident held, in a window that closes `windowMs` after it
// opened, as one digest; while the window is open, an incident that finds a token goes out on
// its own only if the window's incidents came no faster than the rate (a burst, not a storm).
// A storm that outlasts one window (a long outage: more incidents held than the destination could
// have taken in that window) keeps batching: a window that opens within one window of its digest
// gives no individual alerts, and is twice as long as the last (up to `maxWindowMs`), so an
// hour-long outage is a handful of digests rather than hundreds. The first window below the rate
// resets the length.
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
      // Only a real storm makes the next window batch at once and last longer: more incidents held
      // than the destination could have taken one by one while the window was open. Fewer is a
      // burst that outran the bucket (one log opening three incidents at once); the bucket refills
      // and later failures go out on their own again, however long the day.
      const overRate = pending.length > 1 && pending.length > currentWindowMs * ratePerMs;
      if (overRate) {
        stormUntil = windowStart + 2 * currentWindowMs;
        currentWindowMs = Math.min(2 * currentWindowMs, maxWindowMs);
      } else {
        stormUntil = 0;
        currentWindowMs = windowMs;
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
      // While a window is open, a failure still goes out on its own when the destination has room
      // again and what the window holds arrived no faster than the destination's rate: the window
      // holds a burst that outran the bucket (one log opening three incidents at once), not a storm.
      const windowCalm = windowStart === null || pending.length <= (now - windowStart) * ratePerMs;
      if (!inStorm && tokens >= 1 && windowCalm) {
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
