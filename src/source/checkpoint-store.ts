// Per-source offsets in `${stateDir}/checkpoints-${source}.json`, written atomically (temp file,
// fsync, rename) so a crash leaves either the old file or the new one, never a torn one.
import { mkdir, readFile, rename } from 'node:fs/promises';
import { writeFileDurably } from '../state/write-file-durably.js';
import { join } from 'node:path';
import type { FileIdentity } from './file-identity.js';

export interface CheckpointEntry extends FileIdentity {
  path: string;
  /** Offset after the last record fully processed downstream. */
  offset: number;
  /** 1-based number of the line at `offset`, when known. */
  line?: number;
}

export interface CheckpointFile {
  version: 1;
  source: string;
  /** When it was written, or the last look at a file the reader had not caught up with, if earlier. */
  writtenAt: number;
  files: CheckpointEntry[];
}

export interface CheckpointStore {
  readonly path: string;
  /** The saved entries, or null when this source never wrote any (first run). */
  load(): Promise<CheckpointEntry[] | null>;
  /** When the loaded file was written (epoch ms); null before load or on a first run. */
  readonly loadedWrittenAt: number | null;
  save(entries: CheckpointEntry[], now: number): Promise<void>;
  /** Renames an unreadable file `.corrupt` (kept for inspection); returns the new path. */
  setAside(): Promise<string>;
}

export function checkpointPath(stateDir: string, source: string): string {
  return join(stateDir, `checkpoints-${source.replace(/[^\w.-]/g, '_')}.json`);
}

export function createCheckpointStore(stateDir: string, source: string): CheckpointStore {
  const path = checkpointPath(stateDir, source);
  let loadedWrittenAt: number | null = null;
  return {
    path,
    get loadedWrittenAt() {
      return loadedWrittenAt;
    },
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      const parsed = JSON.parse(text) as Partial<CheckpointFile>;
      if (parsed.version !== 1 || !Array.isArray(parsed.files)) throw new Error(`${path}: not a version 1 checkpoint file`);
      if (typeof parsed.writtenAt === 'number') loadedWrittenAt = parsed.writtenAt;
      return parsed.files.filter(
        (f) => typeof f.path === 'string' && Number.isSafeInteger(f.offset) && f.offset >= 0 && typeof f.fingerprint === 'string',
      );
    },
    async setAside() {
      await rename(path, `${path}.corrupt`).catch(() => undefined);
      return `${path}.corrupt`;
    },
    async save(entries, now) {
      await mkdir(stateDir, { recursive: true });
      const body: CheckpointFile = { version: 1, source, writtenAt: now, files: entries };
      await writeFileDurably(path, JSON.stringify(body));
    },
  };
}
