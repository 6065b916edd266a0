// Announcements the agent has decided on but the notifier has not taken yet. A diagnosis can take
// seconds (an LLM call) and ingest must not wait for it, so each update is journaled instead and
// the journal is saved in the same file, in the same write, as the incident state that decided it
// (incidents.json): the state never says "announced" without the announcement being owed on disk
// beside it. An entry is settled once the notifier's outbox holds the alert; whatever is still owed
// when the process dies is announced again on start: late, perhaps twice, never lost.
import type { IncidentUpdate } from './incident-update.js';

export interface JournalEntry {
  id: string;
  update: IncidentUpdate;
}

export interface AnnouncementJournal {
  /** Adds the updates; they are on disk after the tracker's next successful save. */
  add(updates: IncidentUpdate[], now: number): JournalEntry[];
  /** The notifier has the alert: forget the entry. Returns whether it was owed. */
  settle(id: string): boolean;
  entries(): JournalEntry[];
  /** Entries read back from disk, kept in their order. */
  restore(entries: JournalEntry[]): void;
  readonly size: number;
}

export function createAnnouncementJournal(): AnnouncementJournal {
  const pending = new Map<string, IncidentUpdate>();
  let seq = 0;
  return {
    add(updates, now) {
      const entries = updates.map((update) => ({ id: `${Math.floor(now).toString(36)}-${(seq++).toString(36)}`, update }));
      for (const entry of entries) pending.set(entry.id, entry.update);
      return entries;
    },
    settle: (id) => pending.delete(id),
    entries: () => [...pending].map(([id, update]) => ({ id, update })),
    restore(entries) {
      for (const entry of entries) pending.set(entry.id, entry.update);
      seq = Math.max(seq, pending.size);
    },
    get size() {
      return pending.size;
    },
  };
}

/** Journal entries from an untrusted file: the well-formed ones are kept, the count of the others returned. */
export function wellFormedEntries(value: unknown): { entries: JournalEntry[]; bad: number } {
  if (!Array.isArray(value)) return { entries: [], bad: value === undefined ? 0 : 1 };
  const entries: JournalEntry[] = [];
  let bad = 0;
  for (const item of value as unknown[]) {
    const e = item as Partial<JournalEntry> | null;
    const u = e?.update;
    const ok = typeof e?.id === 'string' && !!u && typeof u.kind === 'string' && (!!u.incident?.id || (Array.isArray(u.incidents) && u.incidents.length > 0));
    if (ok) entries.push(e as JournalEntry);
    else bad++;
  }
  return { entries, bad };
}
