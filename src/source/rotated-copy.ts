// Where the unread end of a rotated file went. logrotate renames `app.log` to `app.log.1` (or
// `app.log-20261203`), or with copytruncate copies it there and empties the original; a glob like
// `*.log` names neither. When the agent was down across a rotation (a crash), or copytruncate
// emptied a file the agent had not finished reading, the lines past its offset are in that sibling:
// found by device+inode (a rename) or by the hash of its first bytes (a copy), and read from the
// offset on, so rotation never costs the lines an agent had not read yet.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readingFile, sameStart } from './file-identity.js';

export interface LostTail {
  /** The path the file had when it was followed. */
  path: string;
  dev: number;
  ino: number;
  fingerprint: string;
  fingerprintBytes: number;
  /** Everything before this offset was processed. */
  offset: number;
}

/** Compressed rotations cannot be tailed; logrotate's `delaycompress` keeps the newest one plain. */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|z)$/i;
/** Siblings looked at, newest first: rotations keep a handful. */
const MAX_CANDIDATES = 20;

interface Sibling {
  path: string;
  mtimeMs: number;
  birthtimeMs: number;
  dev: number;
  ino: number;
  size: number;
}

/** The rotation suffixes logrotate adds: `.1` (renamed on to `.2`, `.3` at each rotation) and `-20261203`. */
const ROTATION_SUFFIX = /(?:\.\d+|-\d{8,})$/;

/**
 * `app.log` for `app.log.2`: a rotated copy is renamed on under its original's name (`app.log.1`
 * becomes `app.log.2`, not `app.log.1.1`), so that is where a copy once followed as `app.log.1` is
 * looked for after the next rotation.
 */
function rotationStem(name: string): string {
  let stem = name;
  while (ROTATION_SUFFIX.test(stem)) stem = stem.replace(ROTATION_SUFFIX, '');
  return stem === '' ? name : stem;
}

/** Plain (uncompressed) files next to `path` named after its stem: `app.log`, `app.log.1`, `app.log-20261203`. */
async function siblings(path: string): Promise<Sibling[]> {
  const dir = dirname(path);
  const base = rotationStem(basename(path));
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: Sibling[] = [];
  for (const name of names) {
    if (!(name === base || name.startsWith(`${base}.`) || name.startsWith(`${base}-`)) || COMPRESSED.test(name)) continue;
    const file = join(dir, name);
    try {
      const st = await stat(file);
      if (st.isFile()) out.push({ path: file, mtimeMs: st.mtimeMs, birthtimeMs: st.birthtimeMs, dev: st.dev, ino: st.ino, size: st.size });
    } catch {
      // Gone meanwhile (the next rotation): not it.
    }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/**
 * Rotated siblings of `path` born after `sinceMs` that nobody follows: files that were created and
 * rotated away between the last checkpoint and now (the agent was down), never read at all.
 */
export async function rotatedSince(path: string, sinceMs: number, skip: (dev: number, ino: number) => boolean): Promise<string[]> {
  return (await siblings(path))
    .filter((s) => s.path !== path && s.size > 0 && s.birthtimeMs > 0 && s.birthtimeMs >= sinceMs && !skip(s.dev, s.ino))
    .map((s) => s.path);
}

/** The sibling (or the same path, if still unfollowed) that holds `lost`'s unread end; undefined when none does. */
export async function findRotatedCopy(lost: LostTail, skip: (dev: number, ino: number) => boolean): Promise<string | undefined> {
  const candidates = (await siblings(lost.path)).filter((c) => c.size > lost.offset && !skip(c.dev, c.ino));
  const byInode = candidates.find((c) => c.dev === lost.dev && c.ino === lost.ino);
  // An inode is reused once its file is deleted: the first bytes say whether it still holds the lost file.
  if (byInode && (lost.fingerprintBytes === 0 || (await startsLike(byInode.path, lost)))) return byInode.path;
  if (lost.fingerprintBytes === 0) return undefined;
  for (const c of candidates.slice(0, MAX_CANDIDATES)) {
    if (c !== byInode && c.path !== lost.path && (await startsLike(c.path, lost))) return c.path;
  }
  return undefined;
}

async function startsLike(path: string, lost: LostTail): Promise<boolean> {
  return (await readingFile(path, (fh) => sameStart(fh, lost))) ?? false;
}
