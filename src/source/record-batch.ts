// The hand-off downstream, and the only place offsets move: records read from any followed file
// collect in one batch; beside them, a mark per file says how far that file's records reach. Only
// once `onRecords` has resolved (downstream made the batch durable) are the marks committed, so a
// checkpoint never stores an offset past a record whose incident could still be lost
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

export interface RecordBatchOptions {
  source: string;
  /** Records per `onRecords` call at most. */
  maxRecords: number;
  onRecords: (records: RawRecord[]) => Promise<void> | void;
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
   * downstream makes it durable (an fsync per batch on a catch-up). One batch is downstream at a
   * time, in order: while one is, the next grows and follows once it is accepted (a full one waits
   * here). Each batch's marks are committed once it is accepted.
   */
  handOff(): Promise<void>;
  /** Hands the batch downstream and waits until it, and every one before it, is accepted (marks committed). */
  flush(): Promise<void>;
}

/**
 * How many records may gather while the batch before them is being made durable. Records that live
 * longer are promoted out of V8's young generation: with 4,096 the catch-up benchmark's peak RSS was
 * 121 MB against 114 MB with 256 (docs/benchmarks.md, "Sixth round"). The cost: on a busy disk the
 * reader waits for more fsyncs.
 */
const MAX_GROWN_WHILE_IN_FLIGHT = 256;

export function createRecordBatch(options: RecordBatchOptions): RecordBatch {
  const { source, maxRecords, onRecords } = options;
  const log = options.logger;
  let records: RawRecord[] = [];
  let marks = new Map<Committable, Mark>();
  /** The last batch was rejected downstream: no offset may be committed until one is accepted. */
  let downstreamOwes = false;
  let pendingLines = 0;
  let pendingBytes = 0;
  /** The batch handed downstream and not yet accepted (or refused). */
  let inFlight: Promise<void> | undefined;

  /** onRecords, then the marks: committed only once downstream made the records durable. Never rejects. */
  async function deliver(batch: RawRecord[], done: Map<Committable, Mark>): Promise<void> {
    // After a rejected batch even an empty one goes downstream: its success is what proves the
    // earlier records durable, and only then may any offset move past them.
    if (batch.length > 0 || downstreamOwes) {
      try {
        await onRecords(batch);
        if (downstreamOwes) log.info({}, 'Downstream accepts records again; offsets move on.');
        downstreamOwes = false;
      } catch (err) {
        // The records were processed but not made durable (a full disk, say): their offsets are not
        // committed, so a restart reads them again. Reading goes on; the next accepted batch covers them.
        if (!downstreamOwes) log.error({ err, records: batch.length }, 'Downstream could not make records durable; their offsets are held back.');
        downstreamOwes = true;
        return;
      }
    }
    for (const [file, m] of done) {
      if (file.gen === m.gen && m.offset >= file.committed) {
        file.committed = m.offset;
        file.committedLine = m.line;
      }
    }
  }

  /** Sends what the batch holds; once accepted, what was read meanwhile follows at once. */
  function startDelivery(): void {
    const batch = records;
    const done = marks;
    records = [];
    marks = new Map();
    inFlight = deliver(batch, done).then(() => {
      inFlight = undefined;
      if (records.length > 0 || marks.size > 0) startDelivery();
    });
  }

  async function handOff(): Promise<void> {
    if (pendingLines > 0 || pendingBytes > 0) {
      options.counted(pendingLines, pendingBytes);
      pendingLines = 0;
      pendingBytes = 0;
    }
    if (records.length === 0 && marks.size === 0) return;
    if (inFlight) {
      // While one batch is being made durable the next one grows (one fsync covers what was read
      // meanwhile) and goes once it is accepted; past MAX_GROWN_WHILE_IN_FLIGHT the reader waits.
      if (records.length >= Math.min(maxRecords, MAX_GROWN_WHILE_IN_FLIGHT)) await inFlight;
      return;
    }
    startDelivery();
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
      while (inFlight) await inFlight;
    },
  };
}
