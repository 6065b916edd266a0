// Announcements the agent has decided on but the notifier has not taken yet: a diagnosis can take
// seconds (an LLM call), and ingest must not wait for it, or one slow diagnosis would hold back
// every failure behind it. Instead the update is journaled durably before ingest returns (so the
// source may checkpoint past its records) and replayed on start: a crash mid-diagnosis delays the
// alert, never drops it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncidentUpdate } from '../incident/incident-tracker.js';
import { writeFileDurably } from '../state/write-file-durably.js';

export interface JournalEntry {
  id: string;
  update: IncidentUpdate;
}

export interface AnnouncementJournal {
  /** What was pending when the last process ended. */
  load(): Promise<JournalEntry[]>;
  /** Journals the updates; resolves once they are on disk. */
  add(updates: IncidentUpdate[]): Promise<JournalEntry[]>;
  /** The notifier has the alert: forget the entry (written with the next change or on flush). */
  remove(id: string): void;
  flush(): Promise<void>;
  readonly size: number;
}

export function createAnnouncementJournal(stateDir: string): AnnouncementJournal {
  const file = join(stateDir, 'announcing.json');
  const pending = new Map<string, IncidentUpdate>();
  let seq = 0;
  let dirty = false;
  // Writes are chained: the file always reflects a moment of `pending`, in order.
  let writing: Promise<void> = Promise.resolve();

  function write(): Promise<void> {
    dirty = false;
    const body = JSON.stringify({ version: 1, pending: [...pending].map(([id, update]) => ({ id, update })) });
    writing = writing.then(() => writeFileDurably(file, body));
    return writing;
  }

  return {
    async load() {
      let entries: JournalEntry[] = [];
      try {
        const parsed = JSON.parse(await readFile(file, 'utf8')) as { version?: number; pending?: JournalEntry[] };
        if (parsed.version === 1 && Array.isArray(parsed.pending)) entries = parsed.pending;
      } catch {
        // No journal (first start) or an unreadable one: nothing to replay.
      }
      for (const entry of entries) pending.set(entry.id, entry.update);
      seq = entries.length;
      return entries;
    },
    async add(updates) {
      const entries = updates.map((update) => ({ id: `${Date.now().toString(36)}-${(seq++).toString(36)}`, update }));
      for (const entry of entries) pending.set(entry.id, entry.update);
      await write();
      return entries;
    },
    remove(id) {
      if (pending.delete(id)) dirty = true;
    },
    flush() {
      return dirty ? write() : writing;
    },
    get size() {
      return pending.size;
    },
  };
}
