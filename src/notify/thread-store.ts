// Bot-token mode threads repeats and the resolution under an incident's first message. The parent
// message's `ts` per incident fingerprint is kept in state_dir so threads survive a restart.
import { mkdir, readFile, rename } from 'node:fs/promises';
import { writeFileDurably } from '../state/write-file-durably.js';
import { dirname } from 'node:path';

export interface ThreadRef {
  ts: string;
  channel: string;
  at: number;
}

export interface ThreadStore {
  /** A damaged file is renamed `.corrupt`, reported through `onCorrupt`, and the threads start afresh. */
  load(onCorrupt?: (file: string) => void): Promise<void>;
  get(fingerprint: string): ThreadRef | undefined;
  set(fingerprint: string, ref: ThreadRef): Promise<void>;
  delete(fingerprint: string): Promise<void>;
}

export function createThreadStore(file: string, maxEntries = 10_000): ThreadStore {
  const threads = new Map<string, ThreadRef>();
  // Writes are chained so two quick updates can never land out of order; a failed one does not
  // fail the ones after it (each writes the whole current map).
  let writing: Promise<void> = Promise.resolve();

  function persist(): Promise<void> {
    const next = writing.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await writeFileDurably(file, JSON.stringify(Object.fromEntries(threads)));
    });
    writing = next.catch(() => undefined);
    return next;
  }

  return {
    async load(onCorrupt) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return; // None yet (or unreadable: the next write replaces it).
      }
      try {
        const data = JSON.parse(text) as Record<string, ThreadRef>;
        if (!data || typeof data !== 'object') throw new Error('not a thread map');
        for (const [fp, ref] of Object.entries(data)) if (ref && typeof ref.ts === 'string') threads.set(fp, ref);
      } catch {
        await rename(file, `${file}.corrupt`).catch(() => undefined);
        onCorrupt?.(`${file}.corrupt`);
      }
    },
    get: (fp) => threads.get(fp),
    async set(fp, ref) {
      threads.delete(fp);
      threads.set(fp, ref);
      // Bounded: the oldest incidents' threads are forgotten first (a later repeat starts a new thread).
      while (threads.size > maxEntries) threads.delete(threads.keys().next().value as string);
      await persist();
    },
    async delete(fp) {
      if (threads.delete(fp)) await persist();
    },
  };
}
