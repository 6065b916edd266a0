// One state file kept up to date from memory: each write takes a fresh snapshot of the current
// state, so a failed write (a full disk, a read-only mount) is simply retried by the next call and
// never poisons the ones after it. Callers that arrive while a write is running share the one
// write queued behind it (group commit): a burst of a hundred batches costs two writes, not a
// hundred, and every caller's change is in a write that started after the caller asked.
import { writeFileDurably } from './write-file-durably.js';

export interface StateWriter {
  /** Resolves once a snapshot taken after this call is on disk; rejects when that write failed. */
  persist(): Promise<void>;
  /** The in-memory state changed since the last successful write (or a write failed). */
  markDirty(): void;
  readonly dirty: boolean;
  /** The error of the last write when it failed; null once a write succeeds again. */
  readonly failure: Error | null;
}

export interface StateWriterOptions {
  file: string;
  snapshot: () => string;
  /** For tests: how the body reaches the disk. Default: temp file, fsync, rename, fsync of the directory. */
  write?: (file: string, body: string) => Promise<void>;
  /** Told of every failed write and of the first success after failures. */
  onOutcome?: (error: Error | null, previous: Error | null) => void;
}

export function createStateWriter(options: StateWriterOptions): StateWriter {
  const write = options.write ?? writeFileDurably;
  let dirty = false;
  let failure: Error | null = null;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  function settle(error: Error | null): void {
    const previous = failure;
    failure = error;
    if (error) dirty = true;
    if (error || previous) options.onOutcome?.(error, previous);
  }

  async function writeOnce(): Promise<void> {
    dirty = false;
    let body: string;
    try {
      body = options.snapshot();
      await write(options.file, body);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      settle(error);
      throw error;
    }
    settle(null);
  }

  function start(): Promise<void> {
    const current = writeOnce();
    running = current;
    const clear = (): void => {
      if (running === current) running = null;
    };
    current.then(clear, clear);
    return current;
  }

  return {
    persist() {
      if (queued) return queued;
      if (!running) return start();
      const next = running.then(
        () => undefined,
        () => undefined,
      );
      queued = next.then(() => {
        queued = null;
        return start();
      });
      return queued;
    },
    markDirty() {
      dirty = true;
    },
    get dirty() {
      return dirty;
    },
    get failure() {
      return failure;
    },
  };
}
