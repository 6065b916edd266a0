// Bot-token mode threads repeats and the resolution under an incident's first message. The parent
// message's `ts` per incident fingerprint is kept in state_dir so threads survive a restart.
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileDurably } from '../state/write-file-durably.js';
import { dirname } from 'node:path';

export interface ThreadRef {
  ts: string;
  channel: string;
  at: number;
}

export interface ThreadStore {
  load(): Promise<void>;
  get(fingerprint: string): ThreadRef | undefined;
  set(fingerprint: string, ref: ThreadRef): Promise<void>;
  delete(fingerprint: string): Promise<void>;
}

export function createThreadStore(file: string, maxEntries = 10_000): ThreadStore {
  const threads = new Map<string, ThreadRef>();
  // Writes are chained so two quick updates can never land out of order.
  let writing: Promise<void> = Promise.resolve();

  function persist(): Promise<void> {
    const body = JSON.stringify(Object.fromEntries(threads));
    writing = writing.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await writeFileDurably(file, body);
    });
    return writing;
  }

  return {
    async load() {
      try {
        const data = JSON.parse(await readFile(file, 'utf8')) as Record<string, ThreadRef>;
        for (const [fp, ref] of Object.entries(data)) if (ref && typeof ref.ts === 'string') threads.set(fp, ref);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
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
