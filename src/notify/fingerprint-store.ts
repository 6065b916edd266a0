// A bounded map from incident fingerprint to what a destination remembers about it (Slack bot
// threads, Alertmanager's firing alerts), kept in one JSON file in state_dir so it survives a
// restart. Writes are chained so two quick updates can never land out of order; a failed one does
// not fail the ones after it (each writes the whole current map).
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileDurably } from '../state/write-file-durably.js';

export interface FingerprintStore<V> {
  /** A damaged file is renamed `.corrupt`, reported through `onCorrupt`, and the map starts afresh. */
  load(onCorrupt?: (file: string) => void): Promise<void>;
  get(fingerprint: string): V | undefined;
  values(): V[];
  /** Sets (a value) or deletes (null) several entries, then writes once. */
  update(changes: ReadonlyArray<readonly [fingerprint: string, value: V | null]>): Promise<void>;
}

/** `isValue` screens entries read back from the file; `maxEntries` bounds it, the oldest set go first. */
export function createFingerprintStore<V>(file: string, isValue: (v: unknown) => v is V, maxEntries = 10_000): FingerprintStore<V> {
  const entries = new Map<string, V>();
  let writing: Promise<void> = Promise.resolve();

  function persist(): Promise<void> {
    const next = writing.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await writeFileDurably(file, JSON.stringify(Object.fromEntries(entries)));
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
        const data = JSON.parse(text) as Record<string, unknown>;
        if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not a fingerprint map');
        for (const [fp, value] of Object.entries(data)) if (isValue(value)) entries.set(fp, value);
      } catch {
        await rename(file, `${file}.corrupt`).catch(() => undefined);
        onCorrupt?.(`${file}.corrupt`);
      }
    },
    get: (fp) => entries.get(fp),
    values: () => [...entries.values()],
    async update(changes) {
      let changed = false;
      for (const [fp, value] of changes) {
        changed = entries.delete(fp) || changed;
        if (value !== null) {
          entries.set(fp, value);
          changed = true;
        }
      }
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      if (changed) await persist();
    },
  };
}
