// Offsets that survive a restart: loads the checkpoint file at start, answers where a file it
// names resumes, and writes the committed offset of every followed file (record-batch.ts moves
// them, only past records downstream made durable) once a second and at stop. Entries not yet
// matched to a file are kept, so a file that shows up later still resumes.
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { createCheckpointStore, type CheckpointEntry } from './checkpoint-store.js';
import { FINGERPRINT_BYTES, fingerprintOf } from './file-identity.js';
import type { Tailer } from './file-tailer.js';

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
  /** Writes every `intervalMs` from now on. */
  startTimer(): void;
  stopTimer(): void;
  /** After a write under way, one more with the offsets as they are now (at stop). */
  saveFinal(): Promise<void>;
}

export function createCheckpointer(options: CheckpointerOptions): Checkpointer {
  const { metrics, now } = options;
  const log = options.logger;
  const store = createCheckpointStore(options.stateDir, options.source);
  let saved: CheckpointEntry[] = [];
  let failing = false;
  let saving: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastSavedAt = now();
  let lastSavedBody = '';

  const write = async (): Promise<void> => {
    const entries: CheckpointEntry[] = [];
    for (const t of options.followed()) {
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

  return {
    async load() {
      try {
        saved = (await store.load()) ?? [];
      } catch (err) {
        const movedTo = await store.setAside();
        log.error({ code: 'SENTINEL_ERR_STATE_CORRUPT', err, file: store.path, movedTo }, 'Checkpoint file unreadable; kept for inspection, starting without it.');
        saved = [];
      }
    },
    get loadedWrittenAt() {
      return store.loadedWrittenAt;
    },
    unmatched: () => saved,
    find: (path, dev, ino) =>
      saved.find((e) => e.dev === dev && e.ino === ino) ?? saved.find((e) => e.path === path && e.fingerprintBytes === FINGERPRINT_BYTES),
    forget(entry) {
      saved = saved.filter((e) => e !== entry);
    },
    retain(keep) {
      saved = saved.filter(keep);
    },
    bornSinceLastRun(birthtimeMs) {
      const writtenAt = store.loadedWrittenAt;
      return writtenAt !== null && birthtimeMs > 0 && birthtimeMs >= writtenAt - NEW_FILE_MARGIN_MS;
    },
    save,
    startTimer() {
      timer = setInterval(() => {
        metrics.checkpointAgeSeconds.set((now() - lastSavedAt) / 1000);
        void save();
      }, options.intervalMs);
      timer.unref();
    },
    stopTimer() {
      if (timer) clearInterval(timer);
    },
    async saveFinal() {
      if (saving) await saving;
      await save();
    },
  };
}
