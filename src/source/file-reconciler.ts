// Discovery reconciled with what is followed: each scan's files (known by device+inode) are
// matched to the tailers. A new file is opened and starts where its checkpoint says (or at
// start_at); a file renamed to another matching name keeps its tailer; a new file at a followed
// path is a rotation, read only after the old one is drained; a followed file no scan names any
// more is orphaned (drained, then released). Rotations the agent did not see (it was down, or
// copytruncate emptied a file before it was read) are recovered from the rotated sibling.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { SourceConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CheckpointEntry } from './checkpoint-store.js';
import { NEW_FILE_MARGIN_MS, type Checkpointer } from './checkpointer.js';
import type { DiscoveredFile, FileDiscovery } from './file-discovery.js';
import { FINGERPRINT_BYTES, fingerprintOf, identityKey, readingFile, sameStart } from './file-identity.js';
import { createTailer, type StartAt, type Tailer, type TailReader } from './file-tailer.js';
import { findRotatedCopy, rotatedSince, type LostTail } from './rotated-copy.js';

/** Files opened at once when many are new: enough to hide the thread pool's latency, few descriptors in flight. */
const OPEN_CONCURRENCY = 32;
/** Released (or copied and truncated) files remembered so their rotated copies are not mistaken for unread ones. */
const MAX_RELEASED_STARTS = 1_000;

export interface FileReconcilerOptions {
  config: SourceConfig;
  discovery: FileDiscovery;
  checkpointer: Checkpointer;
  reader: TailReader;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  readError: (path: string, err: unknown) => void;
  /** A file was added that the read loop should look at soon. */
  wake: () => void;
}

export interface FileReconciler {
  /** Followed files by device+inode, in the order they were first followed. */
  readonly tailers: Map<string, Tailer>;
  /** The file each matching path names now, as far as the last scan knows. */
  readonly byPath: Map<string, Tailer>;
  /** Scans and matches the result to the followed files. `knownPaths`: paths the checkpoint named (at start-up). */
  reconcile(startup: boolean, knownPaths: ReadonlySet<string>): Promise<void>;
  /** After the first reconcile: reads what was rotated away while the agent was down. */
  recoverAtStartup(): Promise<void>;
  /** copytruncate emptied `t` before all of it was read: follow its copy from the committed offset. */
  recoverCopy(t: Tailer): Promise<void>;
  /** Follows rotated copies of `t` born since `sinceMs` that start unlike any followed file. */
  readCopiesBornSince(t: Tailer, sinceMs: number): Promise<void>;
  /** No longer follows `t` (the caller has drained it and closes it). */
  drop(t: Tailer): void;
  /** Files renamed away get a look at the next turn (a write beside them named no followed file). */
  markOrphansDirty(): void;
  updateGauges(): void;
}

export function createFileReconciler(options: FileReconcilerOptions): FileReconciler {
  const { config, discovery, checkpointer, reader, metrics, now } = options;
  const log = options.logger;
  const source = config.name;
  const tailers = new Map<string, Tailer>();
  const byPath = new Map<string, Tailer>();
  /** Checkpoint entries whose path held another file (or other content) at start-up. */
  const replacedAtStartup: CheckpointEntry[] = [];
  const isFollowed = (dev: number, ino: number): boolean => tailers.has(identityKey(dev, ino));
  /** First-bytes hashes of the files released last, or truncated by copytruncate (oldest first). */
  const releasedStarts = new Set<string>();
  /**
   * The last reconcile left nothing pending (every file it found followed, none orphaned) and no
   * file was followed or released since. A scan that then reused every directory's listing found
   * those same files, and matching them again would change nothing: the backstop rescan of 10,000
   * idle files spent most of its time there (docs/benchmarks.md, "Eleventh round").
   */
  let settled = false;

  /** Where a newly found file starts: its checkpoint, start_at (files that predate the agent), or 0 (new files). */
  const startFor = async (
    f: DiscoveredFile,
    fh: FileHandle,
    st: { dev: number; ino: number; size: number; birthtimeMs: number },
    startup: boolean,
    pathWasKnown: boolean,
  ): Promise<{ start: StartAt; why: string }> => {
    const entry = checkpointer.find(f.path, st.dev, st.ino);
    if (entry && (await sameStart(fh, entry))) {
      checkpointer.forget(entry);
      if (st.size < entry.offset) {
        metrics.truncations.inc({ source });
        // Emptied in place and written again alike (copytruncate, a log starting with a fixed banner): the lines past the offset are in the copy.
        if (startup) replacedAtStartup.push(entry);
        return { start: { offset: 0, line: 1, skipPartial: false }, why: 'checkpoint past the end: truncated while the agent was down' };
      }
      return { start: { offset: entry.offset, line: entry.line, skipPartial: false }, why: 'checkpoint' };
    }
    if (startup && !pathWasKnown && !entry && !checkpointer.bornSinceLastRun(st.birthtimeMs)) {
      const why = `start_at ${config.start_at}`;
      if (config.start_at === 'end' && st.size > 0) {
        const last = Buffer.alloc(1);
        await fh.read(last, 0, 1, st.size - 1);
        return { start: { offset: st.size, line: undefined, skipPartial: last[0] !== 10 }, why };
      }
      return { start: { offset: 0, line: 1, skipPartial: false }, why };
    }
    if (entry) {
      checkpointer.forget(entry);
      // Rotated (renamed away or copied and truncated) while the agent was down: its unread end is in a sibling.
      if (startup) replacedAtStartup.push(entry);
    }
    return { start: { offset: 0, line: 1, skipPartial: false }, why: entry ? 'new file (inode reused or content replaced)' : 'new file' };
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
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') options.readError(f.path, err);
      return undefined;
    }
    try {
      const st = await fh.stat();
      // The path moved on between the scan and the open: the next scan sorts it out.
      if (st.dev !== f.stats.dev || st.ino !== f.stats.ino) {
        await fh.close();
        return undefined;
      }
      const { start, why } = resumeAt
        ? { start: { ...resumeAt, skipPartial: false }, why: 'rotated copy: reading the lines past the offset that was reached' }
        : await startFor(f, fh, st, startup, pathWasKnown);
      const t = await createTailer(config, f.path, fh, st, start, now());
      reader.watch(t);
      log.info({ file: f.path, offset: start.offset, size: st.size, why }, 'Following file.');
      return t;
    } catch (err) {
      options.readError(f.path, err);
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
    const path = known ?? (await findRotatedCopy(lost, isFollowed));
    if (!path) return;
    let st;
    try {
      st = await stat(path);
    } catch {
      return;
    }
    if (isFollowed(st.dev, st.ino)) return;
    const t = await openTailer({ path, stats: st }, false, true, { offset: lost.offset, line: lost.line });
    if (!t) return;
    t.orphanedAt = now();
    t.lastGrowthAt = now();
    tailers.set(t.key, t);
    settled = false;
    if (before && before.readPos === 0 && !before.blockedBy) before.blockedBy = t;
    metrics.rotations.inc({ source });
    log.info({ file: lost.path, from: path, offset: lost.offset }, 'Reading the unread end of a rotated file from its copy.');
    options.wake();
  };

  /** A sibling read from its start, as a file born and rotated away unseen. */
  const recoverWhole = (sibling: string, before: Tailer | undefined): Promise<void> =>
    recoverRotated({ path: sibling, dev: -1, ino: -1, fingerprint: '', fingerprintBytes: 0, offset: 0, line: 1 }, before, sibling);

  const startsLikeKnown = async (path: string, known: ReadonlySet<string>): Promise<boolean> => {
    const fp = await readingFile(path, fingerprintOf);
    // Unreadable counts as known: there is nothing to recover from it.
    return fp === undefined || (fp.fingerprintBytes === FINGERPRINT_BYTES && known.has(fp.fingerprint));
  };

  /** A file starting so is read (or is being read from its offset): a copy starting like it is no unread copy. */
  const rememberRead = (start: { fingerprint: string; fingerprintBytes: number }): void => {
    if (start.fingerprintBytes !== FINGERPRINT_BYTES) return;
    releasedStarts.add(start.fingerprint);
    if (releasedStarts.size > MAX_RELEASED_STARTS) releasedStarts.delete(releasedStarts.values().next().value as string);
  };

  const readCopiesBornSince = async (t: Tailer, sinceMs: number): Promise<void> => {
    const known = new Set([...tailers.values()].filter((x) => x.fingerprintBytes === FINGERPRINT_BYTES).map((x) => x.fingerprint));
    for (const fingerprint of releasedStarts) known.add(fingerprint);
    for (const sibling of await rotatedSince(t.path, sinceMs - NEW_FILE_MARGIN_MS, isFollowed)) {
      if (await startsLikeKnown(sibling, known)) continue;
      await recoverWhole(sibling, undefined);
    }
  };

  /** Files left alone at the last scan because of max_files: warned about when that starts. */
  let leftAlone = 0;

  /**
   * The new files that may be followed: a file at a path already followed (a rotation's successor)
   * always; others while fewer than max_files are followed, the most recently written first.
   */
  const withinCap = (fresh: DiscoveredFile[]): Set<DiscoveredFile> => {
    let following = 0;
    for (const t of tailers.values()) if (t.orphanedAt === undefined) following += 1;
    const successors = fresh.filter((f) => byPath.has(f.path));
    let others = fresh.filter((f) => !byPath.has(f.path));
    const room = Math.max(0, config.max_files - following);
    const refused = Math.max(0, others.length - room);
    if (refused > 0) others = others.sort((a, b) => b.stats.mtimeMs - a.stats.mtimeMs).slice(0, room);
    if (refused > 0 && leftAlone === 0) {
      log.warn(
        { code: 'SENTINEL_ERR_TOO_MANY_FILES', maxFiles: config.max_files, notFollowed: refused },
        'More files match than sources[].max_files allows; the extra ones are not followed. Narrow the globs or raise max_files.',
      );
    }
    leftAlone = refused;
    metrics.filesNotFollowed.set({ source }, refused);
    return new Set([...successors, ...others]);
  };

  const updateGauges = (): void => {
    let lag = 0;
    for (const t of tailers.values()) lag += Math.max(0, t.size - t.readPos);
    metrics.tailLagBytes.set({ source }, lag);
    metrics.filesWatched.set({ source }, tailers.size);
  };

  return {
    tailers,
    byPath,
    updateGauges,
    async reconcile(startup, knownPaths) {
      const found = await discovery.scan();
      if (!startup && settled && discovery.lastScanReusedAll) return;
      settled = false;
      const seen = new Map<string, DiscoveredFile>();
      for (const f of found) {
        const key = identityKey(f.stats.dev, f.stats.ino);
        if (!seen.has(key)) seen.set(key, f);
      }
      const admitted = withinCap([...seen].filter(([key]) => !tailers.has(key)).map(([, f]) => f));
      const toOpen: Array<{ f: DiscoveredFile; previous: Tailer | undefined }> = [];
      for (const [key, f] of seen) {
        const existing = tailers.get(key);
        if (existing) {
          if (existing.path !== f.path && byPath.get(f.path) !== existing) {
            // Renamed to another path the globs still name: same file, same descriptor, same offset.
            if (byPath.get(existing.path) === existing) byPath.delete(existing.path);
            metrics.rotations.inc({ source });
            log.info({ from: existing.path, to: f.path }, 'File renamed; following it under its new name.');
            existing.path = f.path;
            existing.dirty = true;
          }
          existing.orphanedAt = undefined;
          byPath.set(f.path, existing);
          // Only a file that changed since its last turn needs another: with thousands followed, a
          // rescan must not cost a read of each. A reused listing's stats are old: its file's watches speak for it.
          if (!f.unchanged && (f.stats.size !== existing.size || f.stats.mtimeMs !== existing.seenMtimeMs)) existing.dirty = true;
          continue;
        }
        if (admitted.has(f)) toOpen.push({ f, previous: byPath.get(f.path) });
      }
      // Opened OPEN_CONCURRENCY at a time (10,000 files one after the other took seconds), then
      // followed in the order the scan found them.
      for (let i = 0; i < toOpen.length; i += OPEN_CONCURRENCY) {
        const chunk = toOpen.slice(i, i + OPEN_CONCURRENCY);
        const opened = await Promise.all(chunk.map(({ f, previous }) => openTailer(f, startup, knownPaths.has(f.path) || previous !== undefined)));
        opened.forEach((t, j) => {
          if (!t) return;
          const { f, previous } = chunk[j]!;
          if (previous && previous.key !== t.key) {
            // Rotation: the old file is read to its end (through its descriptor) before this one.
            t.blockedBy = previous;
            // It must have a turn that reads it to its end before this one is read.
            previous.drained = false;
            previous.dirty = true;
          }
          tailers.set(t.key, t);
          byPath.set(f.path, t);
        });
      }
      const at = now();
      let orphans = false;
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
        if (t.orphanedAt !== undefined) {
          t.dirty = true;
          orphans = true;
        }
      }
      settled = !orphans && [...seen.keys()].every((key) => tailers.has(key));
      updateGauges();
    },
    async recoverAtStartup() {
      // Files rotated while the agent was down: their unread ends are in a sibling (app.log.1).
      const replaced = new Set(replacedAtStartup.splice(0));
      const startupEntries = [...replaced, ...checkpointer.unmatched()];
      // Copies of files the checkpoint knew were handled by their entry (read from its offset, or fully read already).
      const knownStarts = new Set(startupEntries.filter((e) => e.fingerprintBytes === FINGERPRINT_BYTES).map((e) => e.fingerprint));
      for (const e of startupEntries) {
        const followed = byPath.get(e.path);
        // A replaced entry is looked for even when its inode is followed at its path again:
        // copytruncate empties the file in place, its unread end is only in the copy.
        if (replaced.has(e) || !followed || followed.dev !== e.dev || followed.ino !== e.ino) await recoverRotated({ ...e, line: e.line }, followed);
        // ...and stay handled once running: a later look for unread copies must not read them again.
        rememberRead(e);
      }
      // ...and files born and rotated away since the last checkpoint: never read at all.
      const writtenAt = checkpointer.loadedWrittenAt;
      if (writtenAt !== null) {
        for (const path of new Set([...byPath.keys(), ...checkpointer.unmatched().map((e) => e.path)])) {
          for (const sibling of await rotatedSince(path, writtenAt - NEW_FILE_MARGIN_MS, isFollowed)) {
            if (await startsLikeKnown(sibling, knownStarts)) continue;
            await recoverWhole(sibling, byPath.get(path));
          }
        }
      }
      // Entries for paths now followed under another identity were settled by the scan.
      checkpointer.retain((e) => !byPath.has(e.path) && !tailers.has(identityKey(e.dev, e.ino)));
    },
    async recoverCopy(t) {
      const lost = { path: t.path, dev: -1, ino: -1, fingerprint: t.fingerprint, fingerprintBytes: t.fingerprintBytes, offset: t.committed, line: t.committedLine };
      // Its copy is read from the committed offset (just below) or was read to its end: never an unread copy.
      rememberRead(t);
      await recoverRotated(lost, undefined);
      // A reader that lagged may have missed more than one copytruncate since its last look: the
      // copies in between (app.log.1 when our lines went on to app.log.2) were never read at all.
      await readCopiesBornSince(t, t.seenAt);
    },
    readCopiesBornSince,
    drop(t) {
      tailers.delete(t.key);
      settled = false;
      if (byPath.get(t.path) === t) byPath.delete(t.path);
      // A file rotated away, read to its end and released still sits beside its successor for a
      // while (app.log.1): it is no unread copy, whatever its birth time says.
      rememberRead(t);
    },
    markOrphansDirty() {
      for (const t of tailers.values()) if (t.orphanedAt !== undefined) t.dirty = true;
    },
  };
}
