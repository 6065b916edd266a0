// What `sentinel incidents` shows: every incident the agent's state holds (open, held for a
// digest, recently resolved) with whether and when it was announced, read from incidents.json
// without changing anything in state_dir (the agent may be running).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SentinelError } from '../errors.js';
import type { Incident } from '../types.js';
import { STATE_FILE, type IncidentState, type PersistedIncident } from './incident-store.js';

export type Announcement = 'announced' | 'announcing' | 'held_for_digest' | 'not_yet';

export interface IncidentListing {
  id: string;
  status: 'open' | 'resolved';
  rule: string;
  severity: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  resolvedAt?: string;
  /** Why it resolved ("attempt 2 of etl › load succeeded …", "no new occurrence for 30 min"). */
  resolvedBecause?: string;
  pipeline?: string;
  step?: string;
  source: string;
  file: string;
  summary: string;
  category?: string;
  /** announced: handed to the notifier; announcing: decided, being diagnosed or queued; held_for_digest: waits for the storm digest. */
  announcement: Announcement;
  announcedAt?: string;
}

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

export async function readIncidentListing(stateDir: string): Promise<IncidentListing[]> {
  const file = path.join(stateDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SentinelError('SENTINEL_ERR_STATE_DIR', `Cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let state: IncidentState;
  try {
    state = JSON.parse(text) as IncidentState;
    if (!Array.isArray(state.open) || !Array.isArray(state.resolved)) throw new Error('not an incident state file');
  } catch (err) {
    throw new SentinelError('SENTINEL_ERR_STATE_CORRUPT', `${file} is damaged: ${(err as Error).message}`, { cause: err });
  }
  return listIncidents(state);
}

export function listIncidents(state: IncidentState): IncidentListing[] {
  const held = new Set(state.storm?.pending ?? []);
  const owed = new Set<string>();
  for (const entry of state.announcing ?? []) {
    const u = entry.update;
    if (u?.incident) owed.add(u.incident.id);
    for (const i of u?.incidents ?? []) owed.add(i.id);
  }
  const rows: IncidentListing[] = [];
  const add = (p: PersistedIncident): void => {
    if (!p?.incident?.id) return;
    const i: Incident = p.incident;
    const announcement: Announcement = held.has(i.id) ? 'held_for_digest' : owed.has(i.id) ? 'announcing' : p.lastAlertAt !== null ? 'announced' : 'not_yet';
    const row: IncidentListing = {
      id: i.id,
      status: i.status,
      rule: i.rule?.id ?? '?',
      severity: i.severity,
      count: i.count,
      firstSeen: iso(i.firstSeen),
      lastSeen: iso(i.lastSeen),
      source: i.source,
      file: i.file,
      summary: i.diagnosis?.summary || i.title,
      announcement,
    };
    if (i.resolvedAt !== undefined) row.resolvedAt = iso(i.resolvedAt);
    if (i.resolvedBecause !== undefined) row.resolvedBecause = i.resolvedBecause;
    if (i.pipeline) row.pipeline = i.pipeline;
    if (i.step) row.step = i.step;
    if (i.diagnosis?.category) row.category = i.diagnosis.category;
    if (p.lastAlertAt !== null && announcement !== 'held_for_digest') row.announcedAt = iso(p.lastAlertAt);
    rows.push(row);
  };
  for (const p of [...state.open, ...(state.held ?? [])]) add(p);
  for (const p of state.resolved) add(p);
  // Newest first within open, then resolved.
  return rows.sort((a, b) => (a.status === b.status ? b.lastSeen.localeCompare(a.lastSeen) : a.status === 'open' ? -1 : 1));
}
