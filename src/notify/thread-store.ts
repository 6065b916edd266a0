// Bot-token mode threads repeats and the resolution under an incident's first message. The parent
// message's `ts` per incident fingerprint is kept in state_dir so threads survive a restart.
import { createFingerprintStore } from './fingerprint-store.js';

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

const isThreadRef = (v: unknown): v is ThreadRef => typeof (v as Partial<ThreadRef> | null)?.ts === 'string';

/** Bounded: the oldest incidents' threads are forgotten first (a later repeat starts a new thread). */
export function createThreadStore(file: string, maxEntries = 10_000): ThreadStore {
  const store = createFingerprintStore(file, isThreadRef, maxEntries);
  return {
    load: (onCorrupt) => store.load(onCorrupt),
    get: (fp) => store.get(fp),
    set: (fp, ref) => store.update([[fp, ref]]),
    delete: (fp) => store.update([[fp, null]]),
  };
}
