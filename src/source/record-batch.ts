// The hand-off downstream, and the only place offsets move: records read from any followed file
// collect in one batch; beside them, a mark per file says how far that file's records reach. Only
// once downstream made a batch durable, and every batch before it, are its marks committed, in
// order, so a checkpoint never stores an offset past a record whose incident could still be lost
// (docs/adr/0002-state-dir-and-at-least-once.md).
import type { Logger } from '../log.js';
import type { RawRecord } from '../types.js';
import type { JoinedRecord } from './multiline-joiner.js';

/** How far one file's records reach in a batch: its offset (and line) and the truncation generation they belong to. */
export interface Mark {
  gen: number;
  offset: number;
  line: number | undefined;
}

/** What a batch needs of a followed file: where it is now, and where its committed offset is kept. */
export interface Committable {
  path: string;
  /** Bumped on truncation so offsets of records read before it are not committed after it. */
  gen: number;
  /** Offset after the last record `onRecords` accepted (or skipped bytes): what checkpoints store. */
  committed: number;
  committedLine: number | undefined;
  /** Where this file's records reach now: the start of what is not yet in the batch. */
  position(): Mark;
}

/**
 * Downstream in two steps, for a consumer that handles records at once and makes them durable later
 * (the agent: parse, detect and fold synchronously, then write its state). Batches are taken as
 * soon as they are handed off, in order, and only the waits for durability overlap: the reader never
 * stops for an fsync that is running, the records die young, and one state write covers every batch
 * taken while the one before it ran (group commit, src/state/state-writer.ts).
 */
export interface TwoStepDownstream {
  /** Handles `records` at once (synchronously), in file order. */
  take(records: RawRecord[]): void;
  /** Resolves once everything taken before this call is durable; rejects when it could not be made so. */
  durable(): Promise<void>;
}

export interface RecordBatchOptions {
  source: string;
  /** Records per batch at most. */
  maxRecords: number;
  /**
   * Downstream, one batch at a time: resolves once the records are durable; the next batch waits.
   * Or a TwoStepDownstream, whose batches are taken at once and made durable in the background.
   */
  onRecords: ((records: RawRecord[]) => Promise<void> | void) | TwoStepDownstream;
  /** Lines and bytes read are counted here when the batch goes downstream. */
  counted: (lines: number, bytes: number) => void;
  logger: Logger;
}

export interface RecordBatch {
  /** Adds `joined` (emptying it) as records of `file`, read at `readAt`. */
  add(file: Committable, joined: JoinedRecord[], readAt: number): void;
  /** Remember how far `file` has been read into this batch: committed once the batch is accepted. */
  mark(file: Committable): void;
  /** Lines and bytes consumed (records or skipped). */
  countRead(lines: number, bytes: number): void;
  readonly full: boolean;
  /**
   * Hands the batch downstream without waiting for it to be accepted: the read loop reads on while
   * downstream makes it durable (an fsync per batch on a catch-up). With plain `onRecords` one batch
   * is downstream at a time, in order: while one is, the next grows and follows once it is accepted
   * (a full one waits here). A TwoStepDownstream takes it now; past MAX_UNDURABLE_BATCHES not yet
   * durable, this waits for the oldest. Each batch's marks are committed once it and every batch
   * before it are accepted.
   */
  handOff(): Promise<void>;
  /** Hands the batch downstream and waits until it, and every one before it, is accepted (marks committed). */
  flush(): Promise<void>;
}

/**
 * One batch at a time (plain `onRecords`): how many records may gather while the batch before them is
 * being made durable. Records that live longer are promoted out of V8's young generation: with 4,096
 * the catch-up benchmark's peak RSS was 121 MB against 114 MB with 256 (docs/benchmarks.md, "Sixth
 * round"). The cost: on a busy disk the reader waits for more fsyncs.
 */
const MAX_GROWN_WHILE_IN_FLIGHT = 256;

/**
 * A TwoStepDownstream: how many batches may be taken and still wait to be durable. Each holds only
 * its marks, so this bounds how far offsets may lag what was processed (what a crash reads again),
 * not memory; past it the reader waits for the oldest. 64 chunks of 1 MiB on a catch-up: ~0.5 s
 * of reading, under the checkpointer's one-second period (what a crash reads again is bounded by
 * that period already). At 16, a catch-up with a failure in every chunk (each one a write of
 * incidents.json: temp file, fsync, rename, fsync of the directory, 20–40 ms on a busy disk) made
 * the reader wait 18–19 times for 55–477 ms in all (docs/benchmarks.md, "Eleventh round").
 */
export const MAX_UNDURABLE_BATCHES = 64;

/** A batch downstream: whether it was accepted, and the marks to commit if so. */
interface Delivery {
  accepted: Promise<boolean>;
  marks: Map<Committable, Mark>;
  /** Refusals seen when it was sent: an acceptance proves earlier batches durable only if none came since. */
  refusalsBefore: number;
  /** Resolves once its marks are committed (or held back). */
  settled: Promise<void>;
  markSettled: () => void;
}

export function createRecordBatch(options: RecordBatchOptions): RecordBatch {
  const { source, maxRecords } = options;
  const downstream = options.onRecords;
  const twoStep = typeof downstream !== 'function';
  const log = options.logger;
  let records: RawRecord[] = [];
  let marks = new Map<Committable, Mark>();
  /** A batch was refused downstream: no offset may be committed until one sent since is accepted. */
  let downstreamOwes = false;
  let refusals = 0;
  let pendingLines = 0;
  let pendingBytes = 0;
  /** Batches sent and not yet settled, oldest first: their marks are committed in this order. */
  const sent: Delivery[] = [];
  /** The loop settling `sent` in order, while there is one. */
  let settling: Promise<void> | undefined;

  /** Hands `batch` downstream; resolves to whether it was made durable. Never rejects. */
  function accept(batch: RawRecord[]): Promise<boolean> {
    const count = batch.length;
    try {
      if (typeof downstream === 'function') return durable(downstream(batch), count);
      // Taken now, in order; the wait for durability below never sees the records, so they die
      // young. (An async function keeps its arguments alive until it returns: 16 batches of records
      // kept that way tripled what survived each scavenge, and V8 doubled its young generation.)
      if (count > 0) downstream.take(batch);
      return durable(downstream.durable(), count);
    } catch (err) {
      return Promise.resolve(refused(err, count));
    }
  }

  async function durable(done: Promise<void> | void, count: number): Promise<boolean> {
    try {
      await done;
      return true;
    } catch (err) {
      return refused(err, count);
    }
  }

  /**
   * The records were processed but not made durable (a full disk, say): their offsets are not
   * committed, so a restart reads them again. Reading goes on; a later accepted batch covers them.
   */
  function refused(err: unknown, count: number): false {
    if (!downstreamOwes) log.error({ err, records: count }, 'Downstream could not make records durable; their offsets are held back.');
    return false;
  }

  function commit(done: Map<Committable, Mark>): void {
    for (const [file, m] of done) {
      if (file.gen === m.gen && m.offset >= file.committed) {
        file.committed = m.offset;
        file.committedLine = m.line;
      }
    }
  }

  /**
   * Marks that could not be committed ride with the batch being filled (the furthest one wins), so
   * a file read to its end still gets its offset once downstream recovers. Only with a two-step
   * downstream, whose batches go at the reader's pace: one batch at a time would retry at once, in
   * a loop, against a full disk (there a later read's mark supersedes the lost one).
   */
  function carry(done: Map<Committable, Mark>): void {
    if (!twoStep) return;
    for (const [file, m] of done) {
      const now = marks.get(file);
      if (!now || m.gen > now.gen || (m.gen === now.gen && m.offset > now.offset)) marks.set(file, m);
    }
  }

  async function settle(): Promise<void> {
    for (let d = sent[0]; d; d = sent[0]) {
      const ok = await d.accepted;
      sent.shift();
      if (!ok) {
        downstreamOwes = true;
        refusals += 1;
        carry(d.marks);
      } else if (d.refusalsBefore < refusals) {
        // Sent before a refusal was known: its acceptance does not prove the refused records durable.
        carry(d.marks);
      } else {
        if (downstreamOwes) log.info({}, 'Downstream accepts records again; offsets move on.');
        downstreamOwes = false;
        commit(d.marks);
      }
      d.markSettled();
      // One batch at a time: what was read meanwhile follows once this one is settled.
      if (!twoStep && sent.length === 0 && (records.length > 0 || marks.size > 0)) send();
    }
  }

  /** Sends what the batch holds. After a refusal even an empty batch goes: its success proves the earlier records durable. */
  function send(): void {
    const batch = records;
    const done = marks;
    records = [];
    marks = new Map();
    const accepted = batch.length > 0 || downstreamOwes ? accept(batch) : Promise.resolve(true);
    let markSettled = (): void => undefined;
    const settled = new Promise<void>((resolve) => (markSettled = resolve));
    sent.push({ accepted, marks: done, refusalsBefore: refusals, settled, markSettled });
    settling ??= settle().finally(() => (settling = undefined));
  }

  async function handOff(): Promise<void> {
    if (pendingLines > 0 || pendingBytes > 0) {
      options.counted(pendingLines, pendingBytes);
      pendingLines = 0;
      pendingBytes = 0;
    }
    if (records.length === 0 && marks.size === 0) return;
    if (twoStep) {
      send();
      // Back-pressure from a disk that falls behind: wait for the oldest batch.
      if (sent.length > MAX_UNDURABLE_BATCHES) await sent[0]?.settled;
      return;
    }
    if (sent.length > 0) {
      // While one batch is being made durable the next one grows (one fsync covers what was read
      // meanwhile) and goes once it is accepted; past MAX_GROWN_WHILE_IN_FLIGHT the reader waits.
      if (records.length >= Math.min(maxRecords, MAX_GROWN_WHILE_IN_FLIGHT)) await sent[0]?.settled;
      return;
    }
    send();
  }

  return {
    add(file, joined, readAt) {
      for (const r of joined) {
        records.push({
          text: r.text,
          origin:
            r.line === undefined
              ? { source, file: file.path, offset: r.offset, endOffset: r.endOffset }
              : { source, file: file.path, offset: r.offset, endOffset: r.endOffset, line: r.line },
          readAt,
          screenedBy: r.screenedBy,
        });
      }
      joined.length = 0;
    },
    mark(file) {
      marks.set(file, file.position());
    },
    countRead(lines, bytes) {
      pendingLines += lines;
      pendingBytes += bytes;
    },
    get full() {
      return records.length >= maxRecords;
    },
    handOff,
    async flush() {
      await handOff();
      while (settling) await settling;
    },
  };
}
