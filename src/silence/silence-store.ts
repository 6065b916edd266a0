// Operator silences, kept in state_dir/silences/ as one small JSON file per silence. One file each,
// so `sentinel silence` and a running agent never read-modify-write the same file: adding is a
// durable write of a new name, removing is an unlink, and the agent reads the folder again whenever
// its modification time moves (once per tick at most).
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crypto } from '../crypto-on-demand.js';
import { writeFileDurably } from '../state/write-file-durably.js';

export interface Silence {
  id: string;
  /** Exactly one of rule and fingerprint is set. */
  rule?: string;
  fingerprint?: string;
  reason?: string;
  createdAt: number;
  expiresAt: number;
}

export type NewSilence = Omit<Silence, 'id' | 'createdAt' | 'expiresAt'> & { durationMs: number };

/** What a silence is matched against: an incident, or anything that names its rule and fingerprint. */
export interface Silenceable {
  rule: { id: string };
  fingerprint: string;
}

export const SILENCES_DIR = 'silences';
const FILE = /^(sil-[0-9a-f]{8})\.json$/;

export function silencesDir(stateDir: string): string {
  return join(stateDir, SILENCES_DIR);
}

export function isActive(silence: Silence, now: number): boolean {
  return silence.createdAt <= now && now < silence.expiresAt;
}

export function covers(silence: Silence, incident: Silenceable): boolean {
  return silence.rule !== undefined ? incident.rule.id === silence.rule : incident.fingerprint === silence.fingerprint;
}

function isSilence(value: Partial<Silence> | null, id: string): value is Silence {
  return (
    value?.id === id &&
    typeof value.createdAt === 'number' &&
    typeof value.expiresAt === 'number' &&
    (typeof value.rule === 'string') !== (typeof value.fingerprint === 'string')
  );
}

export async function addSilence(stateDir: string, request: NewSilence, now: number): Promise<Silence> {
  const dir = silencesDir(stateDir);
  await mkdir(dir, { recursive: true });
  const { durationMs, ...what } = request;
  const silence: Silence = { id: `sil-${crypto().randomBytes(4).toString('hex')}`, ...what, createdAt: now, expiresAt: now + durationMs };
  await writeFileDurably(join(dir, `${silence.id}.json`), `${JSON.stringify(silence)}\n`);
  return silence;
}

/** False when no silence has that id. */
export async function removeSilence(stateDir: string, id: string): Promise<boolean> {
  if (!FILE.test(`${id}.json`)) return false;
  try {
    await unlink(join(silencesDir(stateDir), `${id}.json`));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Every silence on disk, expired ones included, oldest first. A file that cannot be read or is not
 * a silence is reported through `onBad` and skipped: one bad file never lifts the others.
 */
export async function readSilences(stateDir: string, onBad: (file: string, error: unknown) => void = () => undefined): Promise<Silence[]> {
  const dir = silencesDir(stateDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const silences: Silence[] = [];
  for (const name of names.sort()) {
    const id = FILE.exec(name)?.[1];
    if (!id) continue;
    try {
      const value = JSON.parse(await readFile(join(dir, name), 'utf8')) as Partial<Silence> | null;
      if (!isSilence(value, id)) throw new Error('not a silence');
      silences.push(value);
    } catch (error) {
      // Removed between readdir and read (`silence --remove`): simply gone.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onBad(join(dir, name), error);
    }
  }
  return silences.sort((a, b) => a.createdAt - b.createdAt);
}

/** Deletes the files of silences that ended before `now`; returns how many. */
export async function pruneExpired(stateDir: string, silences: readonly Silence[], now: number): Promise<number> {
  let pruned = 0;
  for (const s of silences) if (s.expiresAt <= now && (await removeSilence(stateDir, s.id))) pruned++;
  return pruned;
}

/** The folder's modification time, or null when it does not exist: a cheap "did anything change". */
export async function silencesVersion(stateDir: string): Promise<number | null> {
  try {
    return (await stat(silencesDir(stateDir))).mtimeMs;
  } catch {
    return null;
  }
}
