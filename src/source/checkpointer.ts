// Offsets that survive a restart: loads the checkpoint file at start, answers where a file it
// names resumes, and writes the committed offset of every followed file (record-batch.ts moves
// them, only past records downstream made durable) within a second of a change and at stop. Entries
// not yet matched to a file are kept, so a file that shows up later still resumes. While nothing
// changes it keeps no timer: the next change arms one (an idle agent is not woken every second).
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { createCheckpointStore, type CheckpointEntry } from './checkpoint-store.js';
import { FINGERPRINT_BYTES, fingerprintOf, identityKey } from './file-identity.js';
import { checkpointedFieldChanges, onCheckpointedFieldChange, type Tailer } from './file-tailer.js';

/** Discovery can lag a file's creation by a poll interval or so: a file born this long before the last checkpoint may not be in it yet. */
export const NEW_FILE_MARGIN_MS = 5_000;

export interface CheckpointerOptions {
  stateDir: string;
  source: string;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  intervalMs: number;
  /** The files whose offsets are written. */
  followed: () => Iterable<Tailer>;
}

export interface Checkpointer {
  /** Reads the checkpoint file; an unreadable one is set aside and reported. */
  load(): Promise<void>;
  /** When the loaded file was written (epoch ms); null on a first run. */
  readonly loadedWrittenAt: number | null;
  /** Saved entries not yet matched to a followed file. */
  unmatched(): readonly CheckpointEntry[];
  /** The saved entry for the file at `path` with this identity: by device+inode, else by path with a full fingerprint. */
  find(path: string, dev: number, ino: number): CheckpointEntry | undefined;
  /** The entry now belongs to a followed file (or is settled otherwise). */
  forget(entry: CheckpointEntry): void;
  /** Drops unmatched entries `keep` refuses. */
  retain(keep: (entry: CheckpointEntry) => boolean): void;
  /**
   * A file created after (or just before) the last checkpoint was written appeared while the agent
   * ran or was down: a crash before its first checkpoint must not skip it as start_at: end would.
   * Needs the file's birth time (statx); without it start_at applies as before.
   */
  bornSinceLastRun(birthtimeMs: number): boolean;
  /** Writes now (one write at a time); a failure is counted and reported once per episode. */
  save(): Promise<void>;
  /** From now on writes `intervalMs` after a change (and retries a failed write as often), until stopTimer. */
  startTimer(): void;
  stopTimer(): void;
  /** After a write under way, one more with the offsets as they are now (at stop). */
  saveFinal(): Promise<void>;
}

export function createCheckpointer(options: CheckpointerOptions): Checkpointer {
  const { metrics, now } = options;
  const log = options.logger;
  const store = createCheckpointStore(options.stateDir, options.source);
  // The loaded entries not yet matched, indexed: with thousands of files, a linear search per
  // file opened made start-up quadratic.
  let saved: CheckpointEntry[] = [];
  const matched = new Set<CheckpointEntry>();
  let byIdentity = new Map<string, CheckpointEntry[]>();
  let byFullPath = new Map<string, CheckpointEntry[]>();
  /** Bumped whenever the unmatched entries change. */
  let version = 0;
  let unmatchedCache: { version: number; entries: CheckpointEntry[] } | undefined;
  const index = (entries: CheckpointEntry[]): void => {
    saved = entries;
    matched.clear();
    byIdentity = new Map();
    byFullPath = new Map();
    const add = (map: Map<string, CheckpointEntry[]>, key: string, e: CheckpointEntry): void => {
      const list = map.get(key);
      if (list) list.push(e);
      else map.set(key, [e]);
    };
    for (const e of entries) {
      add(byIdentity, identityKey(e.dev, e.ino), e);
      if (e.fingerprintBytes === FINGERPRINT_BYTES) add(byFullPath, e.path, e);
    }
    version += 1;
    armTimer();
  };
  const unmatched = (): CheckpointEntry[] => {
    if (unmatchedCache?.version !== version) unmatchedCache = { version, entries: saved.filter((e) => !matched.has(e)) };
    return unmatchedCache.entries;
  };
  const firstUnmatched = (list: CheckpointEntry[] | undefined): CheckpointEntry | undefined => list?.find((e) => !matched.has(e));
  let failing = false;
  let saving: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timerOn = false;
  let stopListening: (() => void) | undefined;
  let lastSavedAt = now();
  let lastSavedBody = '';
  /** What the last write stored for each file, and the unmatched entries it stored. */
  let written = new Map<Tailer, { path: string; offset: number; line: number | undefined; fingerprintBytes: number }>();
  let writtenVersion = -1;
  /** checkpointedFieldChanges() as of the last write (or the last comparison that found nothing new). */
  let writtenChanges = -1;

  /**
   * Whether a write would store what the last one did: with thousands of files followed and none
   * growing, building and comparing the whole file every second was most of the agent's idle CPU.
   * While no followed file changed what a checkpoint stores of it, not even the comparison runs.
   */
  const unchanged = (): boolean => {
    if (writtenVersion !== version) return false;
    const changes = checkpointedFieldChanges();
    if (changes === writtenChanges) return true;
    if (!sameAsWritten()) return false;
    writtenChanges = changes;
    return true;
  };
  const sameAsWritten = (): boolean => {
    let count = 0;
    for (const t of options.followed()) {
      if (t.closed) continue;
      count += 1;
      const w = written.get(t);
      if (!w || w.offset !== t.committed || w.line !== t.committedLine || w.path !== t.path || w.fingerprintBytes !== t.fingerprintBytes) return false;
      if (t.fingerprintBytes < FINGERPRINT_BYTES && t.size > t.fingerprintBytes) return false;
    }
    return count === written.size;
  };

  const write = async (): Promise<void> => {
    if (unchanged()) {
      lastSavedAt = now();
      metrics.checkpointAgeSeconds.set(0);
      return;
    }
    const snapshot = new Map<Tailer, { path: string; offset: number; line: number | undefined; fingerprintBytes: number }>();
    // Taken before the snapshot: a change while it is built (the fingerprints below are awaited) makes the next look compare again.
    const changesBefore = checkpointedFieldChanges();
    const entries: CheckpointEntry[] = [];
    const at = now();
    // The files are known as of the oldest look still due: a reader lagging behind a file has not
    // seen the rotations since its last look at it, so after a crash the copies born since then
    // must count as unread (recoverAtStartup), however long ago that look was.
    let seenAsOf = at;
    for (const t of options.followed()) {
      if (t.closed) continue;
      if (t.dirty) seenAsOf = Math.min(seenAsOf, t.seenAt);
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
      snapshot.set(t, { path: t.path, offset: t.committed, line: t.committedLine, fingerprintBytes: t.fingerprintBytes });
    }
    const unmatchedVersion = version;
    entries.push(...unmatched().slice(0, 1000));
    const body = JSON.stringify(entries);
    if (body !== lastSavedBody) {
      await store.save(entries, seenAsOf);
      lastSavedBody = body;
    }
    written = snapshot;
    writtenVersion = unmatchedVersion;
    writtenChanges = changesBefore;
    lastSavedAt = at;
    metrics.checkpointAgeSeconds.set(0);
  };

  const save = async (): Promise<void> => {
    if (saving) return saving;
    saving = write()
      .then(() => {
        if (failing) log.info({ file: store.path }, 'Checkpoints written again.');
        failing = false;
      })
      .catch((err: unknown) => {
        metrics.stateWriteErrors.inc({ kind: 'checkpoints' });
        // Once per episode: a full disk must not print a line a second.
        if (!failing) log.error({ code: 'SENTINEL_ERR_STATE_DIR', err, file: store.path }, 'Cannot write checkpoints; will retry.');
        failing = true;
      })
      .finally(() => {
        saving = undefined;
      });
    return saving;
  };

  /** Whether the last write (or comparison) may be behind what a checkpoint would store now. */
  const maybeBehind = (): boolean => failing || writtenVersion !== version || checkpointedFieldChanges() !== writtenChanges;
  const tick = (): void => {
    timer = undefined;
    metrics.checkpointAgeSeconds.set((now() - lastSavedAt) / 1000);
    // Armed again while a write fails (retried every interval) or something changed during it.
    void save().then(() => {
      if (maybeBehind()) armTimer();
    });
  };
  function armTimer(): void {
    if (!timerOn || timer) return;
    timer = setTimeout(tick, options.intervalMs);
    timer.unref();
  }

  return {
    async load() {
      try {
        index((await store.load()) ?? []);
      } catch (err) {
        const movedTo = await store.setAside();
        log.error({ code: 'SENTINEL_ERR_STATE_CORRUPT', err, file: store.path, movedTo }, 'Checkpoint file unreadable; kept for inspection, starting without it.');
        index([]);
      }
    },
    get loadedWrittenAt() {
      return store.loadedWrittenAt;
    },
    unmatched,
    find: (path, dev, ino) => firstUnmatched(byIdentity.get(identityKey(dev, ino))) ?? firstUnmatched(byFullPath.get(path)),
    forget(entry) {
      matched.add(entry);
      version += 1;
      armTimer();
    },
    retain(keep) {
      index(unmatched().filter(keep));
    },
    bornSinceLastRun(birthtimeMs) {
      const writtenAt = store.loadedWrittenAt;
      return writtenAt !== null && birthtimeMs > 0 && birthtimeMs >= writtenAt - NEW_FILE_MARGIN_MS;
    },
    save,
    startTimer() {
      timerOn = true;
      stopListening ??= onCheckpointedFieldChange(armTimer);
      armTimer();
    },
    stopTimer() {
      timerOn = false;
      stopListening?.();
      stopListening = undefined;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    async saveFinal() {
      if (saving) await saving;
      await save();
    },
  };
}
