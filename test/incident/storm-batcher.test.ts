import { describe, expect, it } from 'vitest';
import { createStormBatcher } from '../../src/incident/storm-batcher.js';

const item = (id: string): { id: string } => ({ id });

describe('storm batcher', () => {
  it('announces a burst of up to max_individual_alerts at once and holds the rest for one digest', () => {
    const storm = createStormBatcher<{ id: string }>({ windowMs: 5_000, maxIndividual: 3, ratePerSec: 1 });
    const admitted = ['a', 'b', 'c', 'd', 'e'].map((id, i) => storm.admit(item(id), 1_000 + i));
    expect(admitted).toEqual([true, true, true, false, false]);
    // The window opened with the first held incident (d, at 1003).
    expect(storm.flushDue(6_002)).toBeNull();
    expect(storm.flushDue(6_003)?.announce.map((i) => i.id)).toEqual(['d', 'e']);
  });

  it('a storm is a rate: distinct failures no faster than rate_per_sec each go out at once, however many', () => {
    const storm = createStormBatcher<{ id: string }>({ windowMs: 5_000, maxIndividual: 3, ratePerSec: 1 });
    let now = 0;
    for (let n = 0; n < 200; n++, now += 1_000) {
      expect(storm.flushDue(now)).toBeNull();
      expect(storm.admit(item(`i${n}`), now)).toBe(true);
    }
    // Faster than the rate: the burst is spent, then they are held.
    const fast = Array.from({ length: 6 }, (_, n) => storm.admit(item(`f${n}`), now + n * 100));
    expect(fast).toEqual([true, true, true, false, false, false]);
  });

  it('a burst that outran the bucket is no storm: later failures at the rate go out at once, and its digest does not grow the window', () => {
    // A busy day: a failure every 2 s, and every tenth log opens four incidents at once.
    const storm = createStormBatcher<{ id: string }>({ windowMs: 5_000, maxIndividual: 3, maxWindowMs: 300_000, ratePerSec: 1 });
    const heldIds: string[] = [];
    const digests: string[][] = [];
    for (let n = 0, now = 0; n < 90; n++, now += 2_000) {
      const flushed = storm.flushDue(now);
      if (flushed) digests.push(flushed.announce.map((i) => i.id));
      const burst = n % 10 === 0 ? 4 : 1;
      for (let b = 0; b < burst; b++) if (!storm.admit(item(`i${n}.${b}`), now)) heldIds.push(`i${n}.${b}`);
    }
    // Only the fourth incident of each burst waits for a digest; every single failure goes out at once.
    expect(heldIds.every((id) => id.endsWith('.3'))).toBe(true);
    expect(storm.state().currentWindowMs).toBe(5_000);
    expect(digests.flat()).toEqual(heldIds.slice(0, digests.flat().length));
  });

  it('doubles the window while a storm lasts, up to the cap, and resets after a quiet window', () => {
    const storm = createStormBatcher<{ id: string }>({ windowMs: 5_000, maxIndividual: 1, maxWindowMs: 20_000, ratePerSec: 1 });
    let now = 0;
    let n = 0;
    const windowsSeen: number[] = [];
    // A continuous storm: a new incident every 100 ms for 60 s.
    let windowStartedAt = 100;
    for (; now < 60_000; now += 100) {
      const flushed = storm.flushDue(now);
      if (flushed) {
        windowsSeen.push(now - windowStartedAt);
        windowStartedAt = now;
      }
      storm.admit(item(`i${n++}`), now);
    }
    // 5 s, then 10 s, then 20 s, 20 s…: a minute of storm is four digests, not twelve.
    expect(windowsSeen.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 20_000]);

    // Quiet for longer than two windows: the next failure is announced at once, the window back to 5 s.
    now += 60_000;
    storm.flushDue(now);
    expect(storm.admit(item('after-quiet'), now)).toBe(true);
    expect(storm.admit(item('held'), now + 1)).toBe(false);
    expect(storm.flushDue(now + 5_000)).toBeNull();
    expect(storm.flushDue(now + 5_001)?.announce.map((i) => i.id)).toEqual(['held']);
  });

  it('keeps the grown window and the spent burst across a restart', () => {
    const storm = createStormBatcher<{ id: string }>({ windowMs: 1_000, maxIndividual: 1, maxWindowMs: 8_000, ratePerSec: 1 });
    storm.admit(item('a'), 0);
    storm.admit(item('b'), 10);
    storm.admit(item('c'), 20);
    storm.flushDue(1_010);
    const saved = storm.state();
    expect(saved.currentWindowMs).toBe(2_000);
    const restored = createStormBatcher<{ id: string }>({ windowMs: 1_000, maxIndividual: 1, maxWindowMs: 8_000, ratePerSec: 1 });
    restored.restore(saved, () => undefined);
    expect(restored.admit(item('d'), 1_100)).toBe(false);
    expect(restored.flushDue(3_099)).toBeNull();
    expect(restored.flushDue(3_100)?.announce.map((i) => i.id)).toEqual(['d']);
  });
});
