// The wait for the lines after a failing record, on a fake clock: what ends it, and that lines
// collected before anyone asked are not lost.
import { describe, expect, it } from 'vitest';
import { createFollowUpLines } from '../../src/agent/follow-up-lines.js';

const policy = { maxLines: 3, quietMs: 1000, maxWaitMs: 1500 };

describe('follow-up lines', () => {
  it('collects only the waiting file, splits records into lines, and ends at max lines', async () => {
    const f = createFollowUpLines(policy);
    f.start('inc-1', 'a.log', 0);
    f.push('b.log', 'other file', 10);
    f.push('a.log', 'Traceback line\n  frame', 20);
    const pending = f.wait('inc-1');
    f.push('a.log', 'third\nfourth', 30);
    expect(await pending).toEqual(['Traceback line', '  frame', 'third']);
    expect(f.waiting).toBe(0);
  });

  it('ends on quiet, each line restarting the quiet period', async () => {
    const f = createFollowUpLines({ maxLines: 100, quietMs: 1000, maxWaitMs: 5000 });
    f.start('q', 'a.log', 0);
    f.push('a.log', 'x', 200);
    expect(f.expire(1199)).toBe(1200);
    expect(f.waiting).toBe(1);
    expect(f.expire(1200)).toBe(Infinity);
    expect(await f.wait('q')).toEqual(['x']);
  });

  it('never lasts past max_wait, however busy the file', async () => {
    const f = createFollowUpLines({ maxLines: 100, quietMs: 1000, maxWaitMs: 1500 });
    f.start('busy', 'b.log', 0);
    for (let t = 100; t <= 1400; t += 100) f.push('b.log', `line at ${t}`, t);
    expect(f.expire(1499)).toBe(1500);
    expect(f.expire(1500)).toBe(Infinity);
    expect(await f.wait('busy')).toHaveLength(14);
  });

  it('endAll ends every wait; an unknown key resolves at once with nothing', async () => {
    const f = createFollowUpLines(policy);
    f.start('a', 'a.log', 0);
    const pending = f.wait('a');
    f.endAll();
    expect(await pending).toEqual([]);
    expect(await f.wait('never-started')).toEqual([]);
  });

  // A wait started while the analyser was deciding whether the record explains itself: a yes drops it.
  it('forget drops a wait and its lines, whether or not someone waits on it', async () => {
    const f = createFollowUpLines(policy);
    f.start('asked', 'a.log', 0);
    f.push('a.log', 'below', 10);
    const pending = f.wait('asked');
    f.forget('asked');
    expect(await pending).toEqual([]);
    f.start('unasked', 'a.log', 0);
    f.push('a.log', 'one\ntwo\nthree', 10);
    f.forget('unasked');
    expect(f.waiting).toBe(0);
    expect(await f.wait('unasked')).toEqual([]);
  });

  it('max_lines 0: no wait at all', async () => {
    const f = createFollowUpLines({ maxLines: 0, quietMs: 0, maxWaitMs: 0 });
    f.start('a', 'a.log', 0);
    expect(f.waiting).toBe(0);
    expect(await f.wait('a')).toEqual([]);
  });
});
