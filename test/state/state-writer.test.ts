// The state writer behind incidents.json: a failed write (ENOSPC from an injected fs) is retried from
// the current state by the next call and never poisons later writes; callers during a write share one.
import { describe, expect, it } from 'vitest';
import { createStateWriter } from '../../src/state/state-writer.js';

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

describe('createStateWriter', () => {
  it('recovers after a disk-full episode: the next write carries the current state', async () => {
    let state = 1;
    let diskFull = true;
    const written: string[] = [];
    const outcomes: Array<string | null> = [];
    const writer = createStateWriter({
      file: '/state/incidents.json',
      snapshot: () => JSON.stringify({ state }),
      write: async (_file, body) => {
        if (diskFull) throw enospc();
        written.push(body);
      },
      onOutcome: (error) => outcomes.push(error ? error.message : null),
    });
    writer.markDirty();
    await expect(writer.persist()).rejects.toThrow(/ENOSPC/);
    expect(writer.dirty).toBe(true);
    expect(writer.failure?.message).toMatch(/ENOSPC/);
    state = 2;
    await expect(writer.persist()).rejects.toThrow(/ENOSPC/);
    diskFull = false;
    state = 3;
    await writer.persist();
    expect(written).toEqual(['{"state":3}']);
    expect(writer.dirty).toBe(false);
    expect(writer.failure).toBeNull();
    expect(outcomes).toEqual([expect.stringMatching(/ENOSPC/), expect.stringMatching(/ENOSPC/), null]);
  });

  it('a snapshot that throws fails that write only', async () => {
    let bad = true;
    const written: string[] = [];
    const writer = createStateWriter({
      file: 'f',
      snapshot: () => {
        if (bad) throw new RangeError('Maximum call stack size exceeded');
        return 'ok';
      },
      write: async (_f, body) => void written.push(body),
    });
    await expect(writer.persist()).rejects.toThrow(RangeError);
    bad = false;
    await writer.persist();
    expect(written).toEqual(['ok']);
  });

  it('callers arriving during a write share one write queued behind it, which sees their changes', async () => {
    let state = 0;
    const written: string[] = [];
    let release: (() => void) | undefined;
    const writer = createStateWriter({
      file: 'f',
      snapshot: () => String(state),
      write: (_f, body) =>
        new Promise<void>((resolve) => {
          written.push(body);
          release = resolve;
        }),
    });
    const first = writer.persist();
    state = 1;
    const second = writer.persist();
    state = 2;
    const third = writer.persist();
    expect(second).toBe(third);
    release?.();
    await first;
    await new Promise((r) => setImmediate(r));
    release?.();
    await Promise.all([second, third]);
    expect(written).toEqual(['0', '2']);
  });
});
