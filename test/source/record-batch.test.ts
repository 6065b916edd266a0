// The hand-off downstream (src/source/record-batch.ts): the read loop reads on while a batch is made
// durable, but offsets move only once downstream accepted the records, one batch at a time, in order.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { MAX_UNDURABLE_BATCHES, createRecordBatch, type Committable } from '../../src/source/record-batch.js';
import type { RawRecord } from '../../src/types.js';

function file(): Committable & { at: number } {
  return {
    path: '/logs/a.log',
    gen: 0,
    committed: 0,
    committedLine: 1,
    at: 0,
    position() {
      return { gen: this.gen, offset: this.at, line: undefined };
    },
  };
}

/** Downstream whose acceptance of each batch the test decides. */
function downstream(): { calls: RawRecord[][]; accept: (i: number) => void; refuse: (i: number) => void; onRecords: (r: RawRecord[]) => Promise<void> } {
  const calls: RawRecord[][] = [];
  const settle: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  return {
    calls,
    accept: (i) => settle[i]?.resolve(),
    refuse: (i) => settle[i]?.reject(new Error('disk full')),
    onRecords: (records) =>
      new Promise<void>((resolve, reject) => {
        calls.push(records);
        settle.push({ resolve, reject });
      }),
  };
}

/** `f` read on to `offset + 10`: one record added at `offset`, its position marked. */
function readOn(batch: ReturnType<typeof createRecordBatch>, f: ReturnType<typeof file>, offset: number): void {
  batch.add(f, [record(offset)], 0);
  f.at = offset + 10;
  batch.mark(f);
}

const record = (offset: number): { text: string; offset: number; endOffset: number; line: undefined } => ({ text: `line at ${offset}`, offset, endOffset: offset + 10, line: undefined });
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('record batch hand-off', () => {
  it('returns before downstream accepts; what is read meanwhile follows once it has, each offset committed only after its records', async () => {
    const down = downstream();
    const batch = createRecordBatch({ source: 's', maxRecords: 2, onRecords: down.onRecords, counted: () => undefined, logger: silentLogger() });
    const f = file();
    readOn(batch, f, 0);
    await batch.handOff();
    expect(down.calls).toHaveLength(1);
    expect(f.committed).toBe(0);

    // Read meanwhile: handed off at once, but held until the first batch is accepted.
    readOn(batch, f, 10);
    await batch.handOff();
    await tick();
    expect(down.calls).toHaveLength(1);
    // A full batch makes the reader wait.
    readOn(batch, f, 20);
    let waited = true;
    const full = batch.handOff().then(() => (waited = false));
    await tick();
    expect(waited).toBe(true);
    down.accept(0);
    await full;
    expect(f.committed).toBe(10);
    expect(down.calls.map((c) => c.map((r) => r.origin.offset))).toEqual([[0], [10, 20]]);
    const flushed = batch.flush();
    await tick();
    expect(f.committed).toBe(10);
    down.accept(1);
    await flushed;
    expect(f.committed).toBe(30);
  });

  it('a refused batch holds its offset back until a later batch is accepted', async () => {
    const down = downstream();
    const batch = createRecordBatch({ source: 's', maxRecords: 10, onRecords: down.onRecords, counted: () => undefined, logger: silentLogger() });
    const f = file();
    readOn(batch, f, 0);
    const first = batch.flush();
    down.refuse(0);
    await first;
    expect(f.committed).toBe(0);
    // Nothing new to send: still an empty batch goes down, and its acceptance proves the earlier one durable.
    f.at = 10;
    batch.mark(f);
    const second = batch.flush();
    await tick();
    expect(down.calls).toHaveLength(2);
    down.accept(1);
    await second;
    expect(f.committed).toBe(10);
  });
});

/** A two-step downstream: takes at once; each durable() call waits until the test settles it (in any order). */
function twoStep(): {
  taken: number[][];
  waits: number;
  accept: (i: number) => void;
  refuse: (i: number) => void;
  onRecords: { take: (r: RawRecord[]) => void; durable: () => Promise<void> };
} {
  const taken: number[][] = [];
  const settle: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  return {
    taken,
    get waits() {
      return settle.length;
    },
    accept: (i) => settle[i]?.resolve(),
    refuse: (i) => settle[i]?.reject(new Error('disk full')),
    onRecords: {
      take: (records) => taken.push(records.map((r) => r.origin.offset)),
      durable: () => new Promise<void>((resolve, reject) => settle.push({ resolve, reject })),
    },
  };
}

describe('record batch hand-off to a two-step downstream', () => {
  it('takes each batch at once, in order, and commits offsets in order once each batch and all before it are durable', async () => {
    const down = twoStep();
    const batch = createRecordBatch({ source: 's', maxRecords: 10, onRecords: down.onRecords, counted: () => undefined, logger: silentLogger() });
    const f = file();
    for (const offset of [0, 10, 20]) {
      readOn(batch, f, offset);
      // Never waits for an earlier batch's durability: the reader goes on.
      await batch.handOff();
    }
    expect(down.taken).toEqual([[0], [10], [20]]);
    expect(down.waits).toBe(3);
    // The second batch is durable first: its offset must wait for the first one's.
    down.accept(1);
    await tick();
    expect(f.committed).toBe(0);
    down.accept(0);
    await tick();
    expect(f.committed).toBe(20);
    const flushed = batch.flush();
    down.accept(2);
    await flushed;
    expect(f.committed).toBe(30);
  });

  it('a refusal holds back its offset and those of batches sent before it was known, until a batch sent after it is durable', async () => {
    const down = twoStep();
    const batch = createRecordBatch({ source: 's', maxRecords: 10, onRecords: down.onRecords, counted: () => undefined, logger: silentLogger() });
    const f = file();
    readOn(batch, f, 0);
    await batch.handOff();
    readOn(batch, f, 10);
    await batch.handOff();
    // The first state write fails (a crash now must read both batches again); the second, queued
    // before the failure was known, succeeds but proves nothing about the first.
    down.refuse(0);
    down.accept(1);
    await tick();
    await tick();
    expect(f.committed).toBe(0);
    // The file was read to its end: nothing new to send, yet the held marks ride with the next
    // hand-off, which asks downstream for durability again.
    await batch.handOff();
    expect(down.waits).toBe(3);
    expect(down.taken).toEqual([[0], [10]]);
    down.accept(2);
    await batch.flush();
    expect(f.committed).toBe(20);
  });

  it('waits for the oldest batch once too many are taken and not yet durable', async () => {
    const down = twoStep();
    const batch = createRecordBatch({ source: 's', maxRecords: 10, onRecords: down.onRecords, counted: () => undefined, logger: silentLogger() });
    const f = file();
    let offset = 0;
    for (; down.waits < MAX_UNDURABLE_BATCHES; offset += 10) {
      readOn(batch, f, offset);
      await batch.handOff();
    }
    readOn(batch, f, offset);
    let waited = true;
    const over = batch.handOff().then(() => (waited = false));
    await tick();
    expect(waited).toBe(true);
    expect(down.taken).toHaveLength(MAX_UNDURABLE_BATCHES + 1);
    down.accept(0);
    await over;
    expect(f.committed).toBe(10);
  });
});
