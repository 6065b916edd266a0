// The source stage: follows the files a source's globs name and hands their records downstream.
//
// Each file is read through a descriptor held open, by offset (never by path), so a file renamed
// away is drained to its end through the old descriptor while its successor is read from byte 0.
// Files are known by device+inode plus a hash of their first bytes. One loop reads every file in
// turn, a bounded chunk per turn, and awaits `onRecords` before reading on: downstream sets the
// pace and memory stays bounded. Offsets are checkpointed only once `onRecords` has resolved for
// every record before them (see docs/adr/0001-file-reader-over-fs-not-node-tail.md).
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { SourceConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import { initSourceSeries, type Metrics, type ReadErrorReason } from '../metrics/metrics.js';
import type { RawRecord } from '../types.js';
import { createCheckpointStore, type CheckpointEntry } from './checkpoint-store.js';
import { createFileDiscovery, type DiscoveredFile } from './file-discovery.js';
import { FINGERPRINT_BYTES, fingerprintOf, hashBytes, identityKey, sameStart } from './file-identity.js';
import { createLineSplitter, type LineSplitter } from './line-splitter.js';
import { createMultilineJoiner, type JoinedRecord, type MultilineJoiner } from './multiline-joiner.js';
import { chunkBytesFor } from './read-records-from-file.js';
import { neutraliseControls } from '../redact/control-chars.js';
import { splitScreened, type BufferSearch, type SkipSink } from './screened-split.js';
import { findRotatedCopy, rotatedSince, type LostTail } from './rotated-copy.js';

export { readRecordsFromFile } from './read-records-from-file.js';
export { createMultilineJoiner } from './multiline-joiner.js';

export interface FileSourceOptions {
  config: SourceConfig;
  /** Checkpoints live here, in `checkpoints-${name}.json`. */
  stateDir: string;
  metrics: Metrics;
  logger: Logger;
  /** Downstream, awaited: backpressure. Records of one file arrive in file order. After it resolves, the records' origin.endOffset may be checkpointed. */
  onRecords: (records: RawRecord[]) => Promise<void> | void;
  now?: () => number;
  /** Default 1000. */
  checkpointIntervalMs?: number;
  /** A last line without its newline is handed on after the file has not grown for this long. Default 2000. */
  partialLineTimeoutMs?: number;
  /** A file renamed away (still on disk) is released once it has not grown for this long. Default 5000. */
  rotatedIdleMs?: number;
  /** Records per `onRecords` call at most. Default 4096. */
  maxBatchRecords?: number;
  /**
   * Asked at each read: the detector's search over whole buffers and how many lines around a possible
   * hit to hand on (screened-split.ts). Null or absent: every line becomes a record.
   */
  bufferScreen?: () => { search: BufferSearch; before: number; after: number } | null;
}

export interface FileSource {
  /** Resolves once the initial scan is done and files are being followed. */
  start(): Promise<void>;
  /** Idempotent: stop reading, flush pending multi-line records downstream, write checkpoints, close descriptors. */
  stop(): Promise<void>;
  readonly ready: boolean;
  /** Files currently followed; `offset` is what has been processed downstream (what a checkpoint stores). */
  files(): Array<{ path: string; offset: number; size: number }>;
}

interface Tailer {
  key: string;
  path: string;
  fh: FileHandle;
  dev: number;
  ino: number;
  fingerprint: string;
  fingerprintBytes: number;
  /** Next byte to read: the start of the first line not yet complete. */
  readPos: number;
  /** Bytes looked at; [readPos, scanned) is a partial line waiting for its newline. */
  scanned: number;
  size: number;
  nlink: number;
  /** Offset after the last record `onRecords` accepted (or skipped bytes): what checkpoints store. */
  committed: number;
  committedLine: number | undefined;
  /** Number of the line starting at readPos, when known. */
  lineNo: number | undefined;
  /** Bumped on truncation so offsets of records read before it are not committed after it. */
  gen: number;
  splitter: LineSplitter;
  joiner: MultilineJoiner;
  dirty: boolean;
  lastGrowthAt: number;
  /** Modification time at the last look, and when that look was (epoch ms). */
  seenMtimeMs: number;
  seenAt: number;
  orphanedAt: number | undefined;
  /** Read to its end in a turn since it was renamed away, deleted or replaced at its path. */
  drained: boolean;
  /** The file this one replaced at its path: read that one to its end first. */
  blockedBy: Tailer | undefined;
  closed: boolean;
  /** inotify on this inode (it follows the file through renames); undefined in poll mode. */
  watcher: FSWatcher | undefined;
}

interface Mark {
  gen: number;
  offset: number;
  line: number | undefined;
}

const EMPTY_FINGERPRINT = hashBytes(Buffer.alloc(0), 0);
/** Discovery can lag a file's creation by a poll interval or so: a file born this long before the last checkpoint may not be in it yet. */
const NEW_FILE_MARGIN_MS = 5_000;
const READ_ERROR_REASON: Record<string, ReadErrorReason> = { EACCES: 'eacces', EPERM: 'eacces', ENOENT: 'enoent', EIO: 'eio' };

export function createFileSource(options: FileSourceOptions): FileSource {
  const { config, metrics, onRecords } = options;
  const now = options.now ?? Date.now;
  const log = options.logger.child({ source: config.name });
  const source = config.name;
  const checkpointEvery = options.checkpointIntervalMs ?? 1000;
  const partialTimeoutMs = options.partialLineTimeoutMs ?? 2000;
  const rotatedIdleMs = options.rotatedIdleMs ?? 5000;
  const maxBatch = options.maxBatchRecords ?? 4096;
  const tickMs = config.poll ? Math.max(20, config.poll_interval_ms) : Math.min(1000, Math.max(20, config.poll_interval_ms || 1000));
  const buf = Buffer.allocUnsafe(chunkBytesFor(config.max_line_bytes));
  const store = createCheckpointStore(options.stateDir, source);

  const linesCounter = metrics.logLines.labels({ source });
  const bytesCounter = metrics.logBytes.labels({ source });
  const truncatedCounter = metrics.linesTruncated.labels({ source });

  const tailers = new Map<string, Tailer>();
  const byPath = new Map<string, Tailer>();
  /** Saved entries not yet matched to a file, kept so a file that shows up later resumes. */
  let saved: CheckpointEntry[] = [];
  let batch: RawRecord[] = [];
  let marks = new Map<Tailer, Mark>();
  /** The last batch was rejected downstream: no offset may be committed until one is accepted. */
  let downstreamOwes = false;
  /** Checkpoint entries whose path held another file (or other content) at start-up. */
  const replacedAtStartup: CheckpointEntry[] = [];
  let checkpointFailing = false;
  const joined: JoinedRecord[] = [];
  const warned = new Set<string>();

  let started = false;
  let ready = false;
  let stopping = false;
  let stopPromise: Promise<void> | undefined;
  let loopPromise: Promise<void> | undefined;
  let checkpointTimer: NodeJS.Timeout | undefined;
  let saving: Promise<void> | undefined;
  let lastSavedAt = now();
  let lastSavedBody = '';
  let nextTickAt = 0;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  let pendingLines = 0;
  let pendingBytes = 0;

  const wake = (): void => {
    woken = true;
    const w = wakeUp;
    wakeUp = undefined;
    w?.();
  };

  const readError = (path: string, err: unknown): void => {
    const e = err as NodeJS.ErrnoException;
    const reason = READ_ERROR_REASON[e.code ?? ''] ?? 'other';
    metrics.readErrors.inc({ source, reason });
    const key = `${path}\0${e.code ?? ''}`;
    if (!warned.has(key)) {
      if (warned.size >= 10_000) warned.clear();
      warned.add(key);
      log.warn({ code: 'SENTINEL_ERR_SOURCE_READ', file: path, errno: e.code, err: e.message }, 'Cannot read log file; will retry.');
    }
  };

  const discovery = createFileDiscovery({
    paths: config.paths,
    exclude: config.exclude,
    poll: config.poll,
    pollIntervalMs: config.poll_interval_ms,
    logger: log,
    onHint: (kind, path) => {
      const t = byPath.get(path);
      if (kind === 'change' && t) t.dirty = true;
      else nextTickAt = 0;
      wake();
    },
    onError: readError,
  });

  // --- reading -------------------------------------------------------------------------------

  let current: Tailer | undefined;
  let batchFull = false;
  let readAt = 0;
  const sink = (text: string, start: number, end: number): boolean => {
    const t = current as Tailer;
    // Before parse and the multi-line joiner: a coloured `Traceback` line must still start a trace.
    t.joiner.push(neutraliseControls(text), start, end, t.lineNo, readAt, joined);
    if (t.lineNo !== undefined) t.lineNo += 1;
    pendingLines += 1;
    if (joined.length > 0) drainJoined(t);
    // A full batch goes downstream before more is split, so a slow consumer holds back reading
    // (and a crash replays at most a batch beyond the last checkpoint).
    if (batch.length < maxBatch) return true;
    batchFull = true;
    return false;
  };

  const skipSink: SkipSink = {
    beforeSkip() {
      // What the skipped `{…}` line would have done in the joiner: hand out the record before it.
      const t = current as Tailer;
      t.joiner.flush(joined);
      if (joined.length > 0) drainJoined(t);
    },
    skipped(count) {
      const t = current as Tailer;
      pendingLines += count;
      if (t.lineNo !== undefined) t.lineNo += count;
    },
  };

  /** Splits what was read: through the buffer screen when the detector offers one. */
  const split = (t: Tailer, bytesRead: number, base: number): number => {
    const screen = options.bufferScreen?.() ?? null;
    if (!screen || t.splitter.skipping) return t.splitter.push(buf, bytesRead, base, sink);
    const next = splitScreened(buf, bytesRead, base, sink, skipSink, { ...screen, maxLineBytes: config.max_line_bytes });
    const used = next - base;
    // The partial last line (a too-long one is cut by the splitter's rules) once every complete line is in.
    if (batchFull || used >= bytesRead) return next;
    return t.splitter.push(buf.subarray(used, bytesRead), bytesRead - used, next, sink);
  };

  const drainJoined = (t: Tailer): void => {
    for (const r of joined) {
      batch.push({
        text: r.text,
        origin:
          r.line === undefined
            ? { source, file: t.path, offset: r.offset, endOffset: r.endOffset }
            : { source, file: t.path, offset: r.offset, endOffset: r.endOffset, line: r.line },
        readAt,
      });
    }
    joined.length = 0;
  };

  const mark = (t: Tailer): void => {
    const pending = t.joiner.pendingOffset();
    marks.set(t, pending === undefined ? { gen: t.gen, offset: t.readPos, line: t.lineNo } : { gen: t.gen, offset: pending, line: t.joiner.pendingLine() });
  };

  const flushBatch = async (): Promise<void> => {
    if (pendingLines > 0 || pendingBytes > 0) {
      linesCounter.inc(pendingLines);
      bytesCounter.inc(pendingBytes);
      pendingLines = 0;
      pendingBytes = 0;
    }
    if (batch.length === 0 && marks.size === 0) return;
    const records = batch;
    const done = marks;
    batch = [];
    marks = new Map();
    // After a rejected batch even an empty one goes downstream: its success is what proves the
    // earlier records durable, and only then may any offset move past them.
    if (records.length > 0 || downstreamOwes) {
      try {
        await onRecords(records);
        if (downstreamOwes) log.info({}, 'Downstream accepts records again; offsets move on.');
        downstreamOwes = false;
      } catch (err) {
        // The records were processed but not made durable (a full disk, say): their offsets are not
        // committed, so a restart reads them again. Reading goes on; the next accepted batch covers them.
        if (!downstreamOwes) log.error({ err, records: records.length }, 'Downstream could not make records durable; their offsets are held back.');
        downstreamOwes = true;
        return;
      }
    }
    for (const [t, m] of done) {
      if (t.gen === m.gen && m.offset >= t.committed) {
        t.committed = m.offset;
        t.committedLine = m.line;
      }
    }
  };

  const truncated = (t: Tailer, size: number): void => {
    metrics.truncations.inc({ source });
    log.warn({ file: t.path, offset: t.readPos, size }, 'File truncated; reading it again from the start.');

    t.joiner.flush(joined);
    drainJoined(t);
    t.joiner.reset();
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
    if (t.fingerprintBytes > 0) {
      const lost = { path: t.path, dev: -1, ino: -1, fingerprint: t.fingerprint, fingerprintBytes: t.fingerprintBytes, offset: t.committed, line: t.committedLine };
      await recoverRotated(lost, undefined).catch((err: unknown) => log.warn({ err, file: t.path }, 'Could not look for the copy of a truncated file.'));
    }
    truncated(t, size);
  };

  const startsAsBefore = async (t: Tailer): Promise<boolean> => {
    try {
      return await sameStart(t.fh, t);
    } catch {
      return true;
    }
  };

  /** Hand on a partial last line: the writer seems gone (or the file is being released). */
  const flushPartial = async (t: Tailer): Promise<void> => {
    const len = Math.min(t.scanned - t.readPos, buf.length);
    if (len <= 0) return;
    const { bytesRead } = await t.fh.read(buf, 0, len, t.readPos);
    current = t;
    readAt = now();
    const base = t.readPos;
    t.readPos = t.splitter.flushPartial(buf, bytesRead, base, sink);
    pendingBytes += t.readPos - base;
    if (t.readPos < t.scanned) t.readPos = t.scanned;
    const cut = t.splitter.takeTruncated();
    if (cut > 0) truncatedCounter.inc(cut);
  };

  /** One turn for one file: at most one chunk. Returns the bytes read. */
  const turn = async (t: Tailer): Promise<number> => {
    t.dirty = false;
    let st;
    try {
      st = await t.fh.stat();
    } catch (err) {
      readError(t.path, err);
      return 0;
    }
    t.nlink = st.nlink;
    const at = now();
    if (st.size < t.scanned) await truncatedKeepingCopy(t, st.size);
    else if (st.size > t.size && t.fingerprintBytes > 0 && !(await startsAsBefore(t))) {
      // copytruncate followed by a burst that grew the file past our offset before we looked:
      // the size alone cannot tell, the first bytes can.
      await truncatedKeepingCopy(t, st.size);
    }
    else if (st.mtimeMs !== t.seenMtimeMs && st.size <= t.scanned && t.orphanedAt === undefined) {
      // Written and emptied again between two looks (copytruncate of lines never read): the copy
      // was born since the last look and nobody follows it.
      await readCopiesBornSince(t, t.seenAt);
    }
    t.seenMtimeMs = st.mtimeMs;
    t.seenAt = at;
    if (st.size > t.size || st.size > t.scanned) t.lastGrowthAt = at;
    t.size = st.size;
    let read = 0;
    if (t.size > t.scanned) {
      const want = Math.min(buf.length, t.size - t.readPos);
      let bytesRead: number;
      try {
        ({ bytesRead } = await t.fh.read(buf, 0, want, t.readPos));
      } catch (err) {
        readError(t.path, err);
        return 0;
      }
      if (bytesRead > 0) {
        current = t;
        readAt = now();
        const base = t.readPos;
        batchFull = false;
        const next = split(t, bytesRead, base);
        pendingBytes += next - base;
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
    if (t.readPos < t.scanned && t.scanned >= t.size && at - t.lastGrowthAt >= partialTimeoutMs) await flushPartial(t);
    t.joiner.flushIfDue(at, joined);
    drainJoined(t);
    mark(t);
    if (t.scanned < t.size) t.dirty = true;
    else t.drained = true;
    return read;
  };

  const release = async (t: Tailer): Promise<void> => {
    await flushPartial(t);
    t.joiner.flush(joined);
    drainJoined(t);
    mark(t);
    await flushBatch();
    tailers.delete(t.key);
    if (byPath.get(t.path) === t) byPath.delete(t.path);
    closeTailer(t);
    await t.fh.close().catch(() => undefined);
    log.info({ file: t.path, offset: t.readPos, deleted: t.nlink === 0 }, 'Released a file no longer named by the source.');
  };

  // chokidar drops a `change` that follows another within 50 ms and sends no trailing one
  // (paulmillr/chokidar#1455), which would leave an appended error line waiting for the next
  // stat check. So each followed file gets its own inotify watch: unthrottled, and on the inode,
  // so it keeps reporting late writes to a file renamed away.
  const watchTailer = (t: Tailer): void => {
    if (config.poll) return;
    try {
      t.watcher = watch(t.path, { persistent: false }, (event) => {
        if (t.closed) return;
        if (event === 'change') t.dirty = true;
        else nextTickAt = 0;
        wake();
      });
      t.watcher.on('error', () => closeWatcher(t));
    } catch {
      // The periodic stat check still covers this file.
    }
  };
  const closeWatcher = (t: Tailer): void => {
    t.watcher?.close();
    t.watcher = undefined;
  };
  const closeTailer = (t: Tailer): void => {
    t.closed = true;
    closeWatcher(t);
  };

  // --- discovery -----------------------------------------------------------------------------

  const findSaved = (path: string, dev: number, ino: number): CheckpointEntry | undefined =>
    saved.find((e) => e.dev === dev && e.ino === ino) ?? saved.find((e) => e.path === path && e.fingerprintBytes === FINGERPRINT_BYTES);

  /**
   * A file created after (or just before) the last checkpoint was written appeared while the agent
   * ran or was down: a crash before its first checkpoint must not skip it as start_at: end would.
   * Needs the file's birth time (statx); without it start_at applies as before.
   */
  const bornSinceLastRun = (birthtimeMs: number): boolean => {
    const writtenAt = store.loadedWrittenAt;
    return writtenAt !== null && birthtimeMs > 0 && birthtimeMs >= writtenAt - NEW_FILE_MARGIN_MS;
  };

  const openTailer = async (
    f: DiscoveredFile,
    startup: boolean,
    pathWasKnown: boolean,
    resumeAt?: { offset: number; line: number | undefined },
  ): Promise<Tailer | undefined> => {
    let fh: FileHandle;
    try {
      fh = await open(f.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') readError(f.path, err);
      return undefined;
    }
    try {
      const st = await fh.stat();
      // The path moved on between the scan and the open: the next scan sorts it out.
      if (st.dev !== f.stats.dev || st.ino !== f.stats.ino) {
        await fh.close();
        return undefined;
      }
      let offset = 0;
      let lineNo: number | undefined = 1;
      let skipPartial = false;
      let why: string;
      const entry = resumeAt ? undefined : findSaved(f.path, st.dev, st.ino);
      if (resumeAt) {
        offset = resumeAt.offset;
        lineNo = resumeAt.line;
        why = 'rotated copy: reading the lines past the offset that was reached';
      } else if (entry && (await sameStart(fh, entry))) {
        saved = saved.filter((e) => e !== entry);
        if (st.size < entry.offset) {
          metrics.truncations.inc({ source });
          why = 'checkpoint past the end: truncated while the agent was down';
        } else {
          offset = entry.offset;
          lineNo = entry.line;
          why = 'checkpoint';
        }
      } else if (startup && !pathWasKnown && !entry && !bornSinceLastRun(st.birthtimeMs)) {
        why = `start_at ${config.start_at}`;
        if (config.start_at === 'end' && st.size > 0) {
          offset = st.size;
          lineNo = undefined;
          const last = Buffer.alloc(1);
          await fh.read(last, 0, 1, st.size - 1);
          skipPartial = last[0] !== 10;
        }
      } else {
        why = entry ? 'new file (inode reused or content replaced)' : 'new file';
        if (entry) {
          saved = saved.filter((e) => e !== entry);
          // Rotated (renamed away or copied and truncated) while the agent was down: its unread end is in a sibling.
          if (startup) replacedAtStartup.push(entry);
        }
      }
      const fp = await fingerprintOf(fh);
      const splitter = createLineSplitter({ maxLineBytes: config.max_line_bytes });
      if (skipPartial) splitter.skipToNextLine();
      const at = now();
      const t: Tailer = {
        key: identityKey(st.dev, st.ino),
        path: f.path,
        fh,
        dev: st.dev,
        ino: st.ino,
        ...fp,
        readPos: offset,
        scanned: offset,
        size: st.size,
        nlink: st.nlink,
        committed: offset,
        committedLine: lineNo,
        lineNo,
        gen: 0,
        splitter,
        joiner: createMultilineJoiner({
          startPattern: config.multiline.start_pattern,
          timeoutMs: config.multiline.timeout_ms,
          maxLines: config.multiline.max_lines,
          maxBytes: config.multiline.max_bytes,
        }),
        dirty: true,
        lastGrowthAt: at,
        seenMtimeMs: st.mtimeMs,
        seenAt: at,
        orphanedAt: undefined,
        drained: false,
        blockedBy: undefined,
        closed: false,
        watcher: undefined,
      };
      watchTailer(t);
      log.info({ file: f.path, offset, size: st.size, why }, 'Following file.');
      return t;
    } catch (err) {
      readError(f.path, err);
      await fh.close().catch(() => undefined);
      return undefined;
    }
  };

  /**
   * Reads the unread end of a file that was rotated away unseen (agent down) or emptied by
   * copytruncate before it was read: from its sibling copy, as a file already rotated away (read to
   * its end, then released). `before` is the file now at the old path: it waits for this one.
   */
  const recoverRotated = async (lost: LostTail & { line: number | undefined }, before: Tailer | undefined, known?: string): Promise<void> => {
    const path = known ?? (await findRotatedCopy(lost, (dev, ino) => tailers.has(identityKey(dev, ino))));
    if (!path) return;
    let st;
    try {
      st = await stat(path);
    } catch {
      return;
    }
    if (tailers.has(identityKey(st.dev, st.ino))) return;
    const t = await openTailer({ path, stats: st } as DiscoveredFile, false, true, { offset: lost.offset, line: lost.line });
    if (!t) return;
    t.orphanedAt = now();
    t.lastGrowthAt = now();
    tailers.set(t.key, t);
    if (before && before.readPos === 0 && !before.blockedBy) before.blockedBy = t;
    metrics.rotations.inc({ source });
    log.info({ file: lost.path, from: path, offset: lost.offset }, 'Reading the unread end of a rotated file from its copy.');
    wake();
  };

  const readCopiesBornSince = async (t: Tailer, sinceMs: number): Promise<void> => {
    const known = new Set([...tailers.values()].filter((x) => x.fingerprintBytes === FINGERPRINT_BYTES).map((x) => x.fingerprint));
    for (const sibling of await rotatedSince(t.path, sinceMs - NEW_FILE_MARGIN_MS, (dev, ino) => tailers.has(identityKey(dev, ino)))) {
      if (await startsLikeKnown(sibling, known)) continue;
      await recoverRotated({ path: sibling, dev: -1, ino: -1, fingerprint: '', fingerprintBytes: 0, offset: 0, line: 1 }, undefined, sibling);
    }
  };

  const startsLikeKnown = async (path: string, known: ReadonlySet<string>): Promise<boolean> => {
    const fh = await open(path, 'r').catch(() => undefined);
    if (!fh) return true;
    try {
      const fp = await fingerprintOf(fh);
      return fp.fingerprintBytes === FINGERPRINT_BYTES && known.has(fp.fingerprint);
    } catch {
      return true;
    } finally {
      await fh.close().catch(() => undefined);
    }
  };

  const reconcile = async (startup: boolean, knownPaths: ReadonlySet<string>): Promise<void> => {
    const found = await discovery.scan();
    const seen = new Map<string, DiscoveredFile>();
    for (const f of found) {
      const key = identityKey(f.stats.dev, f.stats.ino);
      if (!seen.has(key)) seen.set(key, f);
    }
    for (const [key, f] of seen) {
      const existing = tailers.get(key);
      if (existing) {
        if (existing.path !== f.path && byPath.get(f.path) !== existing) {
          // Renamed to another path the globs still name: same file, same descriptor, same offset.
          if (byPath.get(existing.path) === existing) byPath.delete(existing.path);
          metrics.rotations.inc({ source });
          log.info({ from: existing.path, to: f.path }, 'File renamed; following it under its new name.');
          existing.path = f.path;
        }
        existing.orphanedAt = undefined;
        byPath.set(f.path, existing);
        continue;
      }
      const previous = byPath.get(f.path);
      const t = await openTailer(f, startup, knownPaths.has(f.path) || previous !== undefined);
      if (!t) continue;
      if (previous && previous.key !== t.key) {
        // Rotation: the old file is read to its end (through its descriptor) before this one.
        t.blockedBy = previous;
        previous.drained = false;
      }
      tailers.set(t.key, t);
      byPath.set(f.path, t);
    }
    const at = now();
    for (const t of tailers.values()) {
      if (!seen.has(t.key) && t.orphanedAt === undefined) {
        t.orphanedAt = at;
        t.drained = false;
        t.lastGrowthAt = Math.max(t.lastGrowthAt, at);
        try {
          t.nlink = (await t.fh.stat()).nlink;
        } catch {
          t.nlink = 0;
        }
        if (byPath.get(t.path) === t) byPath.delete(t.path);
        if (t.nlink > 0) {
          metrics.rotations.inc({ source });
          log.info({ file: t.path }, 'File rotated away; draining it through the open descriptor.');
        } else {
          log.info({ file: t.path }, 'File deleted; reading what is left before releasing it.');
        }
      }
      t.dirty = true;
    }
    updateGauges();
  };

  const updateGauges = (): void => {
    let lag = 0;
    for (const t of tailers.values()) lag += Math.max(0, t.size - t.readPos);
    metrics.tailLagBytes.set({ source }, lag);
    metrics.filesWatched.set({ source }, tailers.size);
  };

  // --- the loop ------------------------------------------------------------------------------

  const sleep = async (ms: number): Promise<void> => {
    if (woken || ms <= 0) {
      woken = false;
      return;
    }
    await new Promise<void>((done) => {
      const timer = setTimeout(() => {
        wakeUp = undefined;
        done();
      }, ms);
      timer.unref();
      wakeUp = () => {
        clearTimeout(timer);
        done();
      };
    });
    woken = false;
  };

  const loop = async (): Promise<void> => {
    while (!stopping) {
      try {
        if (now() >= nextTickAt) {
          nextTickAt = now() + tickMs;
          await reconcile(false, new Set());
        }
        let busy = false;
        for (const t of [...tailers.values()]) {
          if (stopping) break;
          if (t.closed) continue;
          if (t.blockedBy) {
            if (!t.blockedBy.closed && !t.blockedBy.drained) continue;
            t.blockedBy = undefined;
          }
          if (t.dirty && (await turn(t)) > 0) busy = true;
          if (t.dirty) busy = true;
          if (batch.length >= maxBatch) await flushBatch();
        }
        const at = now();
        let deadline = nextTickAt;
        for (const t of [...tailers.values()]) {
          t.joiner.flushIfDue(at, joined);
          if (joined.length > 0) {
            drainJoined(t);
            mark(t);
          }
          deadline = Math.min(deadline, t.joiner.deadline());
          if (t.readPos < t.scanned) {
            const due = t.lastGrowthAt + partialTimeoutMs;
            if (due <= at) t.dirty = true;
            deadline = Math.min(deadline, due);
          }
          if (t.orphanedAt !== undefined && t.drained && !t.dirty) {
            if (t.nlink === 0 || at - t.lastGrowthAt >= rotatedIdleMs) await release(t);
            else deadline = Math.min(deadline, t.lastGrowthAt + rotatedIdleMs);
          }
        }
        await flushBatch();
        if (!busy) {
          updateGauges();
          await sleep(deadline - now());
        }
      } catch (err) {
        log.error({ err }, 'Source loop failed; retrying.');
        await sleep(tickMs);
      }
    }
  };

  // --- checkpoints ---------------------------------------------------------------------------

  const saveCheckpoints = async (): Promise<void> => {
    const entries: CheckpointEntry[] = [];
    for (const t of tailers.values()) {
      if (t.closed) continue;
      if (t.fingerprintBytes < FINGERPRINT_BYTES && t.size > t.fingerprintBytes) {
        try {
          Object.assign(t, await fingerprintOf(t.fh));
        } catch {
          continue;
        }
      }
      const entry: CheckpointEntry = {
        path: t.path,
        dev: t.dev,
        ino: t.ino,
        fingerprint: t.fingerprint,
        fingerprintBytes: t.fingerprintBytes,
        offset: t.committed,
      };
      if (t.committedLine !== undefined) entry.line = t.committedLine;
      entries.push(entry);
    }
    entries.push(...saved.slice(0, 1000));
    const body = JSON.stringify(entries);
    const at = now();
    if (body !== lastSavedBody) {
      await store.save(entries, at);
      lastSavedBody = body;
    }
    lastSavedAt = at;
    metrics.checkpointAgeSeconds.set(0);
  };

  const checkpoint = async (): Promise<void> => {
    if (saving) return saving;
    saving = saveCheckpoints()
      .then(() => {
        if (checkpointFailing) log.info({ file: store.path }, 'Checkpoints written again.');
        checkpointFailing = false;
      })
      .catch((err: unknown) => {
        metrics.stateWriteErrors.inc({ kind: 'checkpoints' });
        // Once per episode: a full disk must not print a line a second.
        if (!checkpointFailing) log.error({ code: 'SENTINEL_ERR_STATE_DIR', err, file: store.path }, 'Cannot write checkpoints; will retry.');
        checkpointFailing = true;
      })
      .finally(() => {
        saving = undefined;
      });
    return saving;
  };

  return {
    get ready() {
      return ready;
    },
    async start() {
      if (started) return;
      started = true;
      initSourceSeries(metrics, source);
      try {
        saved = (await store.load()) ?? [];
      } catch (err) {
        const movedTo = await store.setAside();
        log.error({ code: 'SENTINEL_ERR_STATE_CORRUPT', err, file: store.path, movedTo }, 'Checkpoint file unreadable; kept for inspection, starting without it.');
        saved = [];
      }
      const knownPaths = new Set(saved.map((e) => e.path));
      await discovery.start();
      await reconcile(true, knownPaths);
      // Files rotated while the agent was down: their unread ends are in a sibling (app.log.1).
      const startupEntries = [...replacedAtStartup.splice(0), ...saved];
      // Copies of files the checkpoint knew were handled by their entry (read from its offset, or fully read already).
      const knownStarts = new Set(startupEntries.filter((e) => e.fingerprintBytes === FINGERPRINT_BYTES).map((e) => e.fingerprint));
      for (const e of startupEntries) {
        const followed = byPath.get(e.path);
        if (!followed || followed.dev !== e.dev || followed.ino !== e.ino) await recoverRotated({ ...e, line: e.line }, followed);
      }
      // ...and files born and rotated away since the last checkpoint: never read at all.
      if (store.loadedWrittenAt !== null) {
        const followedKey = (dev: number, ino: number): boolean => tailers.has(identityKey(dev, ino));
        for (const path of new Set([...byPath.keys(), ...saved.map((e) => e.path)])) {
          for (const sibling of await rotatedSince(path, store.loadedWrittenAt - NEW_FILE_MARGIN_MS, followedKey)) {
            if (await startsLikeKnown(sibling, knownStarts)) continue;
            await recoverRotated({ path: sibling, dev: -1, ino: -1, fingerprint: '', fingerprintBytes: 0, offset: 0, line: 1 }, byPath.get(path), sibling);
          }
        }
      }
      // Entries for paths now followed under another identity were settled by the scan.
      saved = saved.filter((e) => !byPath.has(e.path) && !tailers.has(identityKey(e.dev, e.ino)));
      nextTickAt = now() + tickMs;
      ready = true;
      // A first checkpoint at once: after a crash, files born since this start are then known to be
      // new (read from their start), not mistaken for files that predate the agent (start_at).
      await checkpoint();
      loopPromise = loop();
      checkpointTimer = setInterval(() => {
        metrics.checkpointAgeSeconds.set((now() - lastSavedAt) / 1000);
        void checkpoint();
      }, checkpointEvery);
      checkpointTimer.unref();
    },
    stop() {
      stopPromise ??= (async () => {
        stopping = true;
        wake();
        if (checkpointTimer) clearInterval(checkpointTimer);
        await loopPromise;
        await discovery.close();
        for (const t of tailers.values()) {
          t.joiner.flush(joined);
          drainJoined(t);
          mark(t);
        }
        await flushBatch();
        if (saving) await saving;
        if (started) await checkpoint();
        for (const t of tailers.values()) {
          closeTailer(t);
          await t.fh.close().catch(() => undefined);
        }
        tailers.clear();
        byPath.clear();
        ready = false;
        updateGauges();
      })();
      return stopPromise;
    },
    files() {
      return [...tailers.values()].map((t) => ({ path: t.path, offset: t.committed, size: t.size }));
    },
  };
}
