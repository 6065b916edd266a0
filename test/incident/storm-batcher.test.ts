import { describe, expect, it } from 'vitest';
import { createStormBatcher } from '../../src/incident/storm-batcher.js';

const item = (id: string): { id: string } => ({ id });

describe('storm batcher', () => {
  it('announces the first incidents of a quiet period at once and holds the rest for one digest', () => {
    const storm = createStormBatcher<{ id: string }>({ windowMs: 5_000, maxIndividual: 3 });
    const admitted = ['a', 'b', 'c', 'd', 'e'].map((id, i) => storm.admit(item(id), 1_000 + i));
    expect(admitted).toEqual([true, true, true, false, false]);
    expect(storm.flushDue(5_999)).toBeNull();
    expect(storm.flushDue(6_000)?.announce.map((i) => i.id)).toEqual(['d', 'e']);
  });

  it('doubles the window while a storm lasts, up to the cap, and resets after a quiet window', () => {
    const storm = createStormBatcher<{ id: string }>({ windowMs: 5_000, maxIndividual: 1, maxWindowMs: 20_000 });
    let now = 0;
    let n = 0;
    const windowsSeen: number[] = [];
    // A continuous storm: a new incident every 100 ms for 60 s.
    let windowStartedAt = 0;
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
    expect(storm.flushDue(now + 4_999)).toBeNull();
    expect(storm.flushDue(now + 5_000)?.announce.map((i) => i.id)).toEqual(['held']);
  });

  it('keeps the grown window across a restart', () => {
    const storm = createStormBatcher<{ id: string }>({ windowMs: 1_000, maxIndividual: 1, maxWindowMs: 8_000 });
    storm.admit(item('a'), 0);
    storm.admit(item('b'), 10);
    storm.admit(item('c'), 20);
    storm.flushDue(1_000);
    const saved = storm.state();
    expect(saved.currentWindowMs).toBe(2_000);
    const restored = createStormBatcher<{ id: string }>({ windowMs: 1_000, maxIndividual: 1, maxWindowMs: 8_000 });
    restored.restore(saved, () => undefined);
    expect(restored.admit(item('d'), 1_100)).toBe(false);
    expect(restored.flushDue(2_000)).toBeNull();
    expect(restored.flushDue(3_100)?.announce.map((i) => i.id)).toEqual(['d']);
  });
});
