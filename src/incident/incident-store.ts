// The tracker's state on disk: one JSON file, replaced atomically (write a temp file, fsync,
// rename) so a crash mid-write leaves the previous state, never a torn one.
import { mkdir, readFile, rename } from 'node:fs/promises';
import { writeFileDurably } from '../state/write-file-durably.js';
import path from 'node:path';
import { SentinelError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Incident } from '../types.js';
import type { StormState } from './storm-batcher.js';
import { type JournalEntry, wellFormedEntries } from './announcement-journal.js';

export const STATE_FILE = 'incidents.json';
export const STATE_VERSION = 1;

export interface PersistedIncident {
  incident: Incident;
  /** Tracker clock of the last match. */
  seenAt: number;
  /** Tracker clock of the last alert about it; null while it waits to be announced. */
  lastAlertAt: number | null;
  /** The count the last alert carried. */
  alertedCount: number;
}

export interface IncidentState {
  version: typeof STATE_VERSION;
  savedAt: number;
  /** Each list in least-recently-seen-first order, so eviction order survives a restart. */
  open: PersistedIncident[];
  resolved: PersistedIncident[];
  windows: [key: string, hits: number[]][];
  storm: StormState;
  /** Incidents waiting for a digest that were evicted from tracking meanwhile: still owed an announcement. */
  held: PersistedIncident[];
  /** Announcements decided but not yet in the notifier's outbox (absent in state saved before 0.3). */
  announcing?: JournalEntry[];
}

export async function writeIncidentState(file: string, body: string): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileDurably(file, body);
  } catch (err) {
    throw new SentinelError('SENTINEL_ERR_STATE_DIR', `Cannot write incident state to ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** The saved state, or null when there is none. A file that cannot be parsed is set aside (renamed `.corrupt`) and logged. */
export async function readIncidentState(stateDir: string, logger: Logger): Promise<IncidentState | null> {
  const file = path.join(stateDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SentinelError('SENTINEL_ERR_STATE_DIR', `Cannot read incident state ${file}: ${(err as Error).message}`, { cause: err });
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    state = undefined;
  }
  if (isIncidentState(state)) return keepWellFormed(state, file, logger);
  const aside = `${file}.corrupt`;
  await rename(file, aside).catch(() => undefined);
  logger.error({ code: 'SENTINEL_ERR_STATE_CORRUPT', file, movedTo: aside }, 'Incident state unreadable; kept for inspection, starting with no open incidents.');
  return null;
}

/** One damaged entry costs that entry, not the file: the rest is kept and the loss reported once. */
function keepWellFormed(state: IncidentState, file: string, logger: Logger): IncidentState {
  const good = (p: PersistedIncident): boolean =>
    !!p && typeof p === 'object' && typeof p.incident?.id === 'string' && typeof p.incident.fingerprint === 'string' && !!p.incident.rule && Array.isArray(p.incident.samples);
  const open = state.open.filter(good);
  const resolved = state.resolved.filter(good);
  const held = state.held.filter(good);
  const { entries: announcing, bad } = wellFormedEntries(state.announcing);
  const dropped = state.open.length - open.length + (state.resolved.length - resolved.length) + (state.held.length - held.length) + bad;
  if (dropped > 0) logger.error({ code: 'SENTINEL_ERR_STATE_CORRUPT', file, dropped }, 'Incident state had damaged entries; they were skipped, the rest restored.');
  return { ...state, open, resolved, held, announcing };
}

function isIncidentState(v: unknown): v is IncidentState {
  if (v === null || typeof v !== 'object') return false;
  const s = v as Partial<IncidentState>;
  return (
    s.version === STATE_VERSION &&
    Array.isArray(s.open) &&
    Array.isArray(s.resolved) &&
    Array.isArray(s.windows) &&
    Array.isArray(s.held) &&
    s.storm !== null &&
    typeof s.storm === 'object' &&
    Array.isArray(s.storm.pending) &&
    Array.isArray(s.storm.deferredResolved)
  );
}
