// Agents before 0.3 kept owed announcements in their own file, `announcing.json`. Its entries are
// taken over by the incident state once (owed again, so announced on this start), and the file is
// removed only after the state that now holds them is on disk. A damaged file is reported with its
// path and kept as `announcing.json.corrupt`; its well-formed entries are still announced.
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { IncidentTracker } from '../incident/incident-tracker.js';
import { wellFormedEntries } from '../incident/announcement-journal.js';

export async function importLegacyJournal(stateDir: string, tracker: IncidentTracker, logger: Logger): Promise<void> {
  const file = join(stateDir, 'announcing.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const { entries, bad } = wellFormedEntries((parsed as { pending?: unknown } | undefined)?.pending ?? null);
  tracker.owe(entries.map((e) => e.update));
  try {
    await tracker.save();
  } catch {
    return; // Left in place: imported again on the next start (a duplicate at worst).
  }
  if (parsed === undefined || bad > 0) {
    await rename(file, `${file}.corrupt`).catch(() => undefined);
    logger.error({ code: 'SENTINEL_ERR_STATE_CORRUPT', file, movedTo: `${file}.corrupt`, salvaged: entries.length }, 'Announcement journal damaged; kept for inspection, its readable entries announced.');
  } else await rm(file, { force: true });
}
