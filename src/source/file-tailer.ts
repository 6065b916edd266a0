// One followed file, read through a descriptor held open, by offset (never by path): a file renamed
// away is drained to its end through the old descriptor while its successor is read from byte 0.
// A turn reads at most one chunk, splits it into lines (through the detector's buffer screen when
// there is one), joins multi-line records and adds them to the shared batch; a full batch stops the
// split, so a slow consumer holds back reading. A turn also notices truncation (the size shrank, or
// the first bytes changed) and a partial last line whose writer went quiet.
import { watch, type FSWatcher } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { SourceConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { neutraliseControls } from '../redact/control-chars.js';
import { FINGERPRINT_BYTES, fingerprintOf, hashBytes, identityKey, sameStart } from './file-identity.js';
import { createLineSplitter, type LineSplitter } from './line-splitter.js';
import { createMultilineJoiner, type JoinedRecord, type MultilineJoiner } from './multiline-joiner.js';
import { chunkBytesFor } from './read-records-from-file.js';
import type { Committable, Mark, RecordBatch } from './record-batch.js';
import { splitScreened, type BufferSearch, type SkipSink } from './screened-split.js';

/** Where reading a newly followed file begins. */
export interface StartAt {
  offset: number;
  line: number | undefined;
  /** Started mid-line (`start_at: end` while a line was being written): skip to the next newline. */
  skipPartial: boolean;
}

const EMPTY_FINGERPRINT = hashBytes(Buffer.alloc(0), 0);
/** How long a catch-up reads on without looking at the file again (see `look`). */
const BACKLOG_LOOK_MS = 100;

/**
 * Changes to what checkpoints store of any followed file (its path, offset, line, fingerprint, or
 * its being closed), counted as they happen: the checkpointer's once-a-second look compares every
 * followed file only when this moved (10,000 idle files compared every second were most of an idle
 * agent's CPU; docs/benchmarks.md, "Eleventh round").
 */
let checkpointedChanges = 0;
export const checkpointedFieldChanges = (): number => checkpointedChanges;
/** Told of each such change: an idle checkpointer keeps no timer and is armed by the next change. */
const checkpointedChangeListeners = new Set<() => void>();
/** Calls `listener` at every change counted above; returns the function that stops it. */
export function onCheckpointedFieldChange(listener: () => void): () => void {
  checkpointedChangeListeners.add(listener);
  return () => checkpointedChangeListeners.delete(listener);
}
function countCheckpointedChange(): void {
  checkpointedChanges += 1;
  for (const listener of checkpointedChangeListeners) listener();
}

/**
 * One followed file. A class, not an object literal, so that thousands of followed files share one
 * shape and their methods (an object literal with getters kept each file's properties in a
 * dictionary: about 1 KB more per file with 10,000 followed).
 */
export class Tailer implements Committable {
  readonly key: string;
  readonly fh: FileHandle;
  readonly dev: number;
  readonly ino: number;
  fingerprint: string;
  /** Next byte to read: the start of the first line not yet complete. */
  readPos: number;
  /** Bytes looked at; [readPos, scanned) is a partial line waiting for its newline. */
  scanned: number;
  nlink: number;
  // What a checkpoint stores of this file, behind setters that count each change (checkpointedChanges).
  #path = '';
  #fingerprintBytes = 0;
  #size = 0;
  #committed = 0;
  #committedLine: number | undefined = undefined;
  #closed = false;
  /** Number of the line starting at readPos, when known. */
  lineNo: number | undefined;
  gen = 0;
  /** Completed records not yet added to the batch (always emptied at once). */
  joined: JoinedRecord[] = [];
  dirty = true;
  lastGrowthAt: number;
  /** Modification time at the last look, and when that look was (epoch ms). */
  seenMtimeMs: number;
  seenAt: number;
  /** While a backlog the last look saw remains, reads go on without a look until then (epoch ms). */
  nextLookAt = 0;
  orphanedAt: number | undefined = undefined;
  /** Read to its end in a turn since it was renamed away, deleted or replaced at its path. */
  drained = false;
  /** The file this one replaced at its path: read that one to its end first. */
  blockedBy: Tailer | undefined = undefined;
  /** inotify on this inode (it follows the file through renames); undefined in poll mode. */
  watcher: FSWatcher | undefined = undefined;
  // Made on first use: thousands of followed files that never grow cost no splitter or joiner.
  private splitterMade: LineSplitter | undefined = undefined;
  private joinerMade: MultilineJoiner | undefined = undefined;

  constructor(
    private readonly config: SourceConfig,
    path: string,
    fh: FileHandle,
    st: { dev: number; ino: number; size: number; nlink: number; mtimeMs: number },
    fp: { fingerprint: string; fingerprintBytes: number },
    start: StartAt,
    at: number,
  ) {
    this.key = identityKey(st.dev, st.ino);
    this.path = path;
    this.fh = fh;
    this.dev = st.dev;
    this.ino = st.ino;
    this.fingerprint = fp.fingerprint;
    this.fingerprintBytes = fp.fingerprintBytes;
    this.readPos = start.offset;
    this.scanned = start.offset;
    this.size = st.size;
    this.nlink = st.nlink;
    this.committed = start.offset;
    this.committedLine = start.line;
    this.lineNo = start.line;
    this.lastGrowthAt = at;
    this.seenMtimeMs = st.mtimeMs;
    this.seenAt = at;
    if (start.skipPartial) this.splitter.skipToNextLine();
  }

  get path(): string {
    return this.#path;
  }
  set path(value: string) {
    if (value !== this.#path) countCheckpointedChange();
    this.#path = value;
  }
  get fingerprintBytes(): number {
    return this.#fingerprintBytes;
  }
  set fingerprintBytes(value: number) {
    if (value !== this.#fingerprintBytes) countCheckpointedChange();
    this.#fingerprintBytes = value;
  }
  get size(): number {
    return this.#size;
  }
  /** A checkpoint stores no size, but a file grown past a short fingerprint gets a longer one at the next. */
  set size(value: number) {
    if (value !== this.#size && this.#fingerprintBytes < FINGERPRINT_BYTES) countCheckpointedChange();
    this.#size = value;
  }
  get committed(): number {
    return this.#committed;
  }
  set committed(value: number) {
    if (value !== this.#committed) countCheckpointedChange();
    this.#committed = value;
  }
  get committedLine(): number | undefined {
    return this.#committedLine;
  }
  set committedLine(value: number | undefined) {
    if (value !== this.#committedLine) countCheckpointedChange();
    this.#committedLine = value;
  }
  get closed(): boolean {
    return this.#closed;
  }
  set closed(value: boolean) {
    if (value !== this.#closed) countCheckpointedChange();
    this.#closed = value;
  }

  get splitter(): LineSplitter {
    return (this.splitterMade ??= createLineSplitter({ maxLineBytes: this.config.max_line_bytes }));
  }

  get joiner(): MultilineJoiner {
    const m = this.config.multiline;
    return (this.joinerMade ??= createMultilineJoiner({ startPattern: m.start_pattern, timeoutMs: m.timeout_ms, maxLines: m.max_lines, maxBytes: m.max_bytes }));
  }

  /** The joiner if one was made (nothing can be pending otherwise). */
  joinerIfAny(): MultilineJoiner | undefined {
    return this.joinerMade;
  }

  position(): Mark {
    const pending = this.joinerMade?.pendingOffset();
    return pending === undefined ? { gen: this.gen, offset: this.readPos, line: this.lineNo } : { gen: this.gen, offset: pending, line: this.joinerMade?.pendingLine() };
  }
}

/** A tailer for the file open as `fh` at `path`, reading from `start`. */
export async function createTailer(
  config: SourceConfig,
  path: string,
  fh: FileHandle,
  st: { dev: number; ino: number; size: number; nlink: number; mtimeMs: number },
  start: StartAt,
  at: number,
): Promise<Tailer> {
  return new Tailer(config, path, fh, st, await fingerprintOf(fh), start, at);
}

/** A chunk being read ahead: file bytes from `from`, the first `carry` of them already in place. */
interface ReadAhead {
  t: Tailer;
  gen: number;
  from: number;
  carry: number;
  want: number;
  /** The bytes read after the carry, or why the read failed (never rejects: it may never be awaited). */
  read: Promise<number | Error>;
}

const NEWLINE = 10;

export interface TailReaderOptions {
  config: SourceConfig;
  source: string;
  batch: RecordBatch;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  /** A last line without its newline is handed on after the file has not grown for this long. */
  partialTimeoutMs: number;
  /** Asked at each read: the detector's buffer search (screened-split.ts), or null. */
  bufferScreen?: () => { search: BufferSearch; before: number; after: number } | null;
  readError: (path: string, err: unknown) => void;
  /** copytruncate emptied `t` before all of it was read: follow the copy from the committed offset. */
  recoverCopy: (t: Tailer) => Promise<void>;
  /** `t` was written and emptied between two looks: follow copies born since `sinceMs`. */
  readCopiesBornSince: (t: Tailer, sinceMs: number) => Promise<void>;
  /** inotify saw `t` written (`change`) or renamed/removed (`rename`). */
  onWatchEvent: (t: Tailer, event: string) => void;
}

export interface TailReader {
  /** One turn for one file: at most one chunk. Returns the bytes read. */
  turn(t: Tailer): Promise<number>;
  /** Hand on a partial last line: the writer seems gone (or the file is being released). */
  flushPartial(t: Tailer): Promise<void>;
  /** Hands the pending multi-line record of `t` to the batch (if due at `at`, or `now`) and marks how far `t` was read. */
  flushJoiner(t: Tailer, at: number | 'now'): void;
  /** Hands the pending multi-line record of `t` to the batch if its timeout is due; marks `t` only if one was. */
  flushIfDue(t: Tailer, at: number): void;
  watch(t: Tailer): void;
  /** Stops watching `t`; the caller closes its descriptor. */
  close(t: Tailer): void;
}

export function createTailReader(options: TailReaderOptions): TailReader {
  const { config, source, batch, metrics, now } = options;
  const log = options.logger;
  let buf: Buffer = Buffer.allocUnsafe(chunkBytesFor(config.max_line_bytes));
  // The next chunk of a file with a backlog, read into `spare` while `buf` is split (see readAhead).
  let spare: Buffer | undefined;
  let ahead: ReadAhead | undefined;
  /** The file of the last turn: a chunk read ahead is used only if the next turn is the same file's. */
  let lastTurn: Tailer | undefined;
  const truncatedCounter = metrics.linesTruncated.labels({ source });

  // The file being split and when its bytes were read: what the sinks below add records for.
  let current: Tailer | undefined;
  let batchFull = false;
  let readAt = 0;
  // The buffer search of the read being split; null on the ordinary path.
  let search: BufferSearch | null = null;
  const sink = (text: string, start: number, end: number, screenedOut = false): boolean => {
    const t = current as Tailer;
    // Before parse and the multi-line joiner: a coloured `Traceback` line must still start a trace.
    const shown = neutraliseControls(text);
    // A context line the search passed over needs no second look from the record screen (the
    // same search), as long as what the screen would see is what was searched.
    const screenedBy = screenedOut && shown === text && search ? search : undefined;
    t.joiner.push(shown, start, end, t.lineNo, readAt, t.joined, screenedBy);
    if (t.lineNo !== undefined) t.lineNo += 1;
    batch.countRead(1, 0);
    if (t.joined.length > 0) batch.add(t, t.joined, readAt);
    // A full batch goes downstream before more is split, so a slow consumer holds back reading
    // (and a crash replays at most a batch beyond the last checkpoint).
    if (!batch.full) return true;
    batchFull = true;
    return false;
  };

  const skipSink: SkipSink = {
    beforeSkip() {
      // What the skipped `{…}` line would have done in the joiner: hand out the record before it.
      const t = current as Tailer;
      t.joinerIfAny()?.flush(t.joined);
      if (t.joined.length > 0) batch.add(t, t.joined, readAt);
    },
    skipped(count) {
      const t = current as Tailer;
      batch.countRead(count, 0);
      if (t.lineNo !== undefined) t.lineNo += count;
    },
  };

  /** Splits what was read: through the buffer screen when the detector offers one. */
  const split = (t: Tailer, bytesRead: number, base: number): number => {
    const screen = options.bufferScreen?.() ?? null;
    if (!screen || t.splitter.skipping) return t.splitter.push(buf, bytesRead, base, sink);
    search = screen.search;
    let next: number;
    try {
      next = splitScreened(buf, bytesRead, base, sink, skipSink, { ...screen, maxLineBytes: config.max_line_bytes });
    } finally {
      search = null;
    }
    const used = next - base;
    // The partial last line (a too-long one is cut by the splitter's rules) once every complete line is in.
    if (batchFull || used >= bytesRead) return next;
    return t.splitter.push(buf.subarray(used, bytesRead), bytesRead - used, next, sink);
  };

  /**
   * Reads `t`'s next chunk into `buf`: the one read ahead if it is that chunk (then `buf` and
   * `spare` swap), else now. Returns the bytes read.
   */
  const readChunk = async (t: Tailer): Promise<number> => {
    const want = Math.min(buf.length, t.size - t.readPos);
    const a = ahead;
    ahead = undefined;
    if (a) {
      // Settled before anything else touches `spare` (the read is writing into it).
      const got = await a.read;
      if (a.t === t && a.gen === t.gen && a.from === t.readPos && spare) {
        if (got instanceof Error) throw got;
        [buf, spare] = [spare, buf];
        const bytesRead = a.carry + got;
        if (got < a.want) t.nextLookAt = 0;
        return bytesRead;
      }
    }
    const { bytesRead } = await t.fh.read(buf, 0, want, t.readPos);
    // Less than the last look promised: the file shrank (truncation); look before reading on.
    if (bytesRead < want) t.nextLookAt = 0;
    return bytesRead;
  };

  /**
   * While a catch-up splits the chunk in `buf` (file bytes from `base`), the next one is read into
   * `spare` on libuv's threads: the main thread no longer waits for each read (~90 waits, ~60 ms
   * of a 1.3 s catch-up of the bench file; docs/benchmarks.md, "Eleventh round"). The partial last
   * line goes first, copied, so the chunk is what a read from the next line's start would give;
   * it is used only if the split stopped exactly there (readChunk), and the file is looked at as
   * often as before. Only for a file the last look says is longer than what was read, and whose
   * turn came twice in a row (the one file behind, as on a catch-up).
   */
  const readAhead = (t: Tailer, base: number, bytesRead: number): void => {
    // What the last look saw beyond this chunk: nothing for a file read to its end (an idle agent).
    if (t.size <= base + bytesRead || t.splitter.skipping) return;
    const lastNewline = buf.lastIndexOf(NEWLINE, bytesRead - 1);
    const carry = bytesRead - (lastNewline + 1);
    if (lastNewline === -1 || carry > buf.length / 2) return;
    spare ??= Buffer.allocUnsafe(buf.length);
    const want = Math.min(spare.length - carry, t.size - (base + bytesRead));
    buf.copy(spare, 0, lastNewline + 1, bytesRead);
    const read = t.fh.read(spare, carry, want, base + bytesRead).then(
      (r) => r.bytesRead,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
    ahead = { t, gen: t.gen, from: base + lastNewline + 1, carry, want, read };
  };

  const truncated = (t: Tailer, size: number): void => {
    metrics.truncations.inc({ source });
    log.warn({ file: t.path, offset: t.readPos, size }, 'File truncated; reading it again from the start.');

    t.joinerIfAny()?.flush(t.joined);
    batch.add(t, t.joined, readAt);
    t.joinerIfAny()?.reset();
    t.splitter.reset();
    t.gen += 1;
    t.readPos = 0;
    t.scanned = 0;
    t.committed = 0;
    t.committedLine = 1;
    t.lineNo = 1;
    t.fingerprintBytes = 0;
    t.fingerprint = EMPTY_FINGERPRINT;
  };

  /**
   * copytruncate copied the file before emptying it: what was not yet committed is in the copy. The
   * copy is followed (from the committed offset) before this file's offsets are reset, so a
   * checkpoint never forgets those lines, even if the agent dies right after.
   */
  const truncatedKeepingCopy = async (t: Tailer, size: number): Promise<void> => {
    if (t.fingerprintBytes > 0) await options.recoverCopy(t).catch((err: unknown) => log.warn({ err, file: t.path }, 'Could not look for the copy of a truncated file.'));
    truncated(t, size);
  };

  const startsAsBefore = async (t: Tailer): Promise<boolean> => {
    try {
      return await sameStart(t.fh, t);
    } catch {
      return true;
    }
  };

  const flushPartial = async (t: Tailer): Promise<void> => {
    const len = Math.min(t.scanned - t.readPos, buf.length);
    if (len <= 0) return;
    const { bytesRead } = await t.fh.read(buf, 0, len, t.readPos);
    current = t;
    readAt = now();
    const base = t.readPos;
    t.readPos = t.splitter.flushPartial(buf, bytesRead, base, sink);
    batch.countRead(0, t.readPos - base);
    if (t.readPos < t.scanned) t.readPos = t.scanned;
    const cut = t.splitter.takeTruncated();
    if (cut > 0) truncatedCounter.inc(cut);
  };

  const flushJoiner = (t: Tailer, at: number | 'now'): void => {
    if (at === 'now') t.joinerIfAny()?.flush(t.joined);
    else t.joinerIfAny()?.flushIfDue(at, t.joined);
    batch.add(t, t.joined, readAt);
    batch.mark(t);
  };

  /**
   * Looks at `t`'s size, links and first bytes: truncation, copytruncate and growth. Once per turn,
   * except while catching up on a backlog the last look saw: then once every BACKLOG_LOOK_MS (an
   * fstat per 1 MiB read was ~1.5% of a catch-up's CPU), and at once after a short read. False when
   * the file cannot be looked at.
   */
  const look = async (t: Tailer, at: number): Promise<boolean> => {
    let st;
    try {
      st = await t.fh.stat();
    } catch (err) {
      options.readError(t.path, err);
      return false;
    }
    t.nlink = st.nlink;
    if (st.size < t.scanned) await truncatedKeepingCopy(t, st.size);
    else if (st.size > t.size && t.fingerprintBytes > 0 && !(await startsAsBefore(t))) {
      // copytruncate followed by a burst that grew the file past our offset before we looked:
      // the size alone cannot tell, the first bytes can.
      await truncatedKeepingCopy(t, st.size);
    } else if (st.mtimeMs !== t.seenMtimeMs && (st.size <= t.scanned || t.fingerprintBytes === 0) && t.orphanedAt === undefined) {
      // Written and emptied again between two looks (copytruncate of lines never read): the copy
      // was born since the last look and nobody follows it. A file that was empty at the last look
      // has no first bytes to compare, so it may have been copied, emptied and written again too:
      // what a lagging reader sees then is only the last part of what was written since.
      await options.readCopiesBornSince(t, t.seenAt);
    }
    t.seenMtimeMs = st.mtimeMs;
    t.seenAt = at;
    if (st.size > t.size || st.size > t.scanned) t.lastGrowthAt = at;
    t.size = st.size;
    t.nextLookAt = at + BACKLOG_LOOK_MS;
    return true;
  };

  const closeWatcher = (t: Tailer): void => {
    t.watcher?.close();
    t.watcher = undefined;
  };

  return {
    async turn(t) {
      t.dirty = false;
      const again = lastTurn === t;
      lastTurn = t;
      const at = now();
      const looked = t.size <= t.scanned || at >= t.nextLookAt;
      if (looked && !(await look(t, at))) return 0;
      let read = 0;
      if (t.size > t.scanned) {
        let bytesRead: number;
        try {
          bytesRead = await readChunk(t);
        } catch (err) {
          options.readError(t.path, err);
          return 0;
        }
        if (bytesRead > 0) {
          current = t;
          readAt = now();
          const base = t.readPos;
          batchFull = false;
          // Several files behind take turns: each one's next chunk would be read for nothing.
          if (again) readAhead(t, base, bytesRead);
          const next = split(t, bytesRead, base);
          batch.countRead(0, next - base);
          t.scanned = Math.max(t.scanned, batchFull ? next : base + bytesRead);
          t.readPos = next;
          const cut = t.splitter.takeTruncated();
          if (cut > 0) truncatedCounter.inc(cut);
          read = bytesRead;
          // Until the file holds FINGERPRINT_BYTES, widen its fingerprint as it grows: it is what
          // tells a copytruncate followed by a burst from plain growth.
          if (t.fingerprintBytes < FINGERPRINT_BYTES && t.scanned > t.fingerprintBytes) Object.assign(t, await fingerprintOf(t.fh));
        }
      }
      if (looked && t.readPos < t.scanned && t.scanned >= t.size && at - t.lastGrowthAt >= options.partialTimeoutMs) await flushPartial(t);
      flushJoiner(t, at);
      // Drained only as far as a look in this turn can tell: the next turn looks first.
      if (t.scanned < t.size || !looked) t.dirty = true;
      else t.drained = true;
      return read;
    },
    flushPartial,
    flushJoiner,
    flushIfDue(t, at) {
      t.joinerIfAny()?.flushIfDue(at, t.joined);
      if (t.joined.length === 0) return;
      batch.add(t, t.joined, readAt);
      batch.mark(t);
    },
    // chokidar drops a `change` that follows another within 50 ms and sends no trailing one
    // (paulmillr/chokidar#1455), which would leave an appended error line waiting for the next
    // stat check. So each followed file gets its own inotify watch: unthrottled, and on the inode,
    // so it keeps reporting late writes to a file renamed away.
    watch(t) {
      if (config.poll) return;
      try {
        t.watcher = watch(t.path, { persistent: false }, (event) => {
          if (!t.closed) options.onWatchEvent(t, event);
        });
        t.watcher.on('error', () => closeWatcher(t));
      } catch {
        // The periodic stat check still covers this file.
      }
    },
    close(t) {
      t.closed = true;
      closeWatcher(t);
    },
  };
}
