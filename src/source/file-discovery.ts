// Finds the files a source's globs name: `scan()` walks each glob's base directory and filters
// with picomatch; it is what the source trusts. Watches on the directories it walked are hints
// that make the source look sooner: something was created, renamed or removed (rescan), or a file
// was written (read it). A symlinked directory is walked once, by device+inode, so a loop
// (`logs/sub/loop -> ..`) or a second path to the same directory names no file twice and costs
// no more than the tree itself (docs/adr/0015-discovery-walks-and-watches-directories.md).
// A directory watched since before it was listed, whose watch has told of no creation, rename or
// removal since, and whose mtime and ctime have not moved, holds the same names: a quick scan reuses
// that listing instead of a readdir and a stat per file (the backstop rescan of 10,000 idle files
// was ~0.4 s of CPU every 30 s). A full scan still comes at least every `fullScanEveryMs`, for
// writes whose watch events were lost (the kernel's queue overflowed).
import { watch, type FSWatcher, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import type { Logger } from '../log.js';
import { identityKey } from './file-identity.js';

export interface DiscoveredFile {
  path: string;
  /** stat() of the path, symlinks followed: the identity of the file it names now. */
  stats: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>;
  /** From a directory listing reused by a quick scan: `stats` are as of that listing, not now. */
  unchanged?: true;
}

export type DiscoveryHint = 'written' | 'moved';

export interface FileDiscoveryOptions {
  paths: string[];
  exclude: string[];
  /** Stat polling only (network filesystems): no watches; the source rescans every poll interval. */
  poll: boolean;
  logger: Logger;
  /** A watched directory saw `path` written, or something in it created, renamed or removed (`moved`). */
  onHint: (kind: DiscoveryHint, path: string) => void;
  /** A scan failed on a path for a reason other than "gone" (permissions, I/O). */
  onError: (path: string, err: NodeJS.ErrnoException) => void;
  /** A scan walks every directory and stats every file at least this often; scans in between may reuse listings. Default 0: always. */
  fullScanEveryMs?: number;
  now?: () => number;
}

export interface FileDiscovery {
  start(): Promise<void>;
  /** Walks the globs' directories (and watches those it walked); every matching file, each path once. */
  scan(): Promise<DiscoveredFile[]>;
  matches(path: string): boolean;
  /** Whether every directory of the last scan is watched (never in poll mode): if not, only rescans notice what happens there. */
  readonly watchingAll: boolean;
  /**
   * The last scan reused every directory's listing: it found the same paths, naming the same files,
   * as the scan before it (a creation, rename or removal in a directory moves its mtime).
   */
  readonly lastScanReusedAll: boolean;
  close(): Promise<void>;
}

/** A directory as its last readdir found it: reused while its watch is quiet and its mtime and ctime stay put. */
interface Listing {
  dev: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
  /** The directory's watch events (creations, renames, removals) counted when the readdir began. */
  moves: number;
  files: DiscoveredFile[];
  dirs: string[];
}


interface Root {
  dir: string;
  /** Directory levels below `dir` that can hold a match; Infinity for `**`. */
  depth: number;
}

function rootsOf(patterns: string[]): Root[] {
  const byDir = new Map<string, number>();
  for (const pattern of patterns) {
    const scan = picomatch.scan(pattern);
    const root: Root = scan.isGlob
      ? { dir: scan.base === '' ? '.' : scan.base, depth: scan.glob.includes('**') ? Infinity : scan.glob.split('/').length - 1 }
      : { dir: dirname(pattern), depth: 0 };
    byDir.set(root.dir, Math.max(byDir.get(root.dir) ?? 0, root.depth));
  }
  return [...byDir].map(([dir, depth]) => ({ dir, depth }));
}

export function createFileDiscovery(options: FileDiscoveryOptions): FileDiscovery {
  const log = options.logger;
  const paths = options.paths.map((p) => resolve(p));
  const include = picomatch(paths, { dot: true });
  const exclude = options.exclude.length > 0 ? picomatch(options.exclude, { dot: true, basename: true }) : () => false;
  const matches = (p: string): boolean => include(p) && !exclude(p);
  const roots = rootsOf(paths);
  const missing = new Set<string>();
  /** Watched directories by the path they were walked under. */
  const watches = new Map<string, FSWatcher>();
  let watchingAll = true;
  let watchFailureLogged = false;
  let closed = false;
  const now = options.now ?? Date.now;
  const fullScanEveryMs = options.fullScanEveryMs ?? 0;
  const listings = new Map<string, Listing>();
  /**
   * Creations, renames and removals each watched directory's watch told of. A listing taken after its
   * directory's watch was in place is stale once this moves: timestamps alone cannot tell, as a change
   * right after a readdir may leave the directory's coarse mtime where it was (git's "racily clean"
   * entries); the watch tells of it.
   */
  const moves = new Map<string, number>();
  let lastFullScanAt = -Infinity;
  /** Set by a walk that listed a directory afresh (or failed to look at one) during the scan under way. */
  let listedAfresh = false;
  let lastScanReusedAll = false;

  const watchDir = (dir: string): void => {
    if (options.poll || closed || watches.has(dir)) return;
    try {
      const w = watch(dir, { persistent: false }, (event, name) => {
        // No name: the kernel's queue overflowed or the directory itself went; a rescan sorts it out.
        const path = typeof name === 'string' && name !== '' ? join(dir, name) : dir;
        const kind = event === 'change' && path !== dir ? 'written' : 'moved';
        if (kind === 'moved') moves.set(dir, (moves.get(dir) ?? 0) + 1);
        options.onHint(kind, path);
      });
      w.on('error', () => {
        // The directory was removed (or became unreadable): the next scan watches it again if it is back.
        w.close();
        if (watches.get(dir) === w) watches.delete(dir);
        moves.set(dir, (moves.get(dir) ?? 0) + 1);
        options.onHint('moved', dir);
      });
      watches.set(dir, w);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // A directory this process may not read: its readdir, right after, fails and says so (onError);
      // there is nothing in it to follow, hence nothing a watch or a faster rescan would tell.
      if (e.code === 'EACCES' || e.code === 'EPERM') return;
      watchingAll = false;
      if (e.code === 'ENOENT') return;
      if (!watchFailureLogged) {
        watchFailureLogged = true;
        // ENOSPC: fs.inotify.max_user_watches is reached; the periodic rescan still covers these directories.
        log.warn({ dir, errno: e.code, err: e.message }, 'Cannot watch a log directory; it is rescanned every poll interval instead.');
      }
    }
  };

  /** The listing of `dir` if it still holds: watched, its watch quiet since, same directory, neither mtime nor ctime moved. */
  const unchangedListing = (dir: string, st: Stats): Listing | undefined => {
    const l = listings.get(dir);
    if (!l || !watches.has(dir) || (moves.get(dir) ?? 0) !== l.moves) return undefined;
    const same = l.dev === st.dev && l.ino === st.ino && l.mtimeMs === st.mtimeMs && l.ctimeMs === st.ctimeMs;
    return same ? l : undefined;
  };

  const walk = async (dir: string, depth: number, out: DiscoveredFile[], root: Root, walked: Map<string, string>, quick: boolean): Promise<void> => {
    let entries;
    let listing: Listing | undefined;
    try {
      const st = await stat(dir);
      const id = identityKey(st.dev, st.ino);
      // Already walked under another path (a symlink loop, or two links to one directory).
      if (walked.has(id)) return;
      walked.set(id, dir);
      const cached = quick ? unchangedListing(dir, st) : undefined;
      if (cached) {
        for (const f of cached.files) out.push(f);
        if (depth > 0) for (const sub of cached.dirs) await walk(sub, depth - 1, out, root, walked, quick);
        return;
      }
      listedAfresh = true;
      // Watched before it is read: whatever changes after the readdir, its watch tells of.
      watchDir(dir);
      const watchedBefore = watches.has(dir);
      const movesBefore = moves.get(dir) ?? 0;
      entries = await readdir(dir, { withFileTypes: true });
      // Symlinks may point anywhere, and an unwatched directory may change unseen: never reused.
      const reusable = watchedBefore && !entries.some((e) => e.isSymbolicLink());
      listings.delete(dir);
      if (reusable) listing = { dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, moves: movesBefore, files: [], dirs: [] };
    } catch (err) {
      listedAfresh = true;
      const e = err as NodeJS.ErrnoException;
      if (dir === root.dir && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) {
        if (!missing.has(dir)) {
          missing.add(dir);
          log.warn({ dir }, 'Log directory does not exist yet; watching for it.');
        }
        // Its parent, if there is one, says when it is created.
        watchDir(dirname(dir));
      } else if (e.code !== 'ENOENT' && e.code !== 'ELOOP') {
        options.onError(dir, e);
      }
      return;
    }
    if (dir === root.dir && missing.delete(dir)) log.info({ dir }, 'Log directory appeared.');
    watchDir(dir);
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        listing?.dirs.push(full);
        if (depth > 0) await walk(full, depth - 1, out, root, walked, quick);
        continue;
      }
      const link = entry.isSymbolicLink();
      if (!(entry.isFile() || link)) continue;
      // A symlink may name a directory (walked like one, once) or a log file.
      if (!link && !matches(full)) continue;
      try {
        const stats = await stat(full);
        if (stats.isDirectory()) {
          if (depth > 0) await walk(full, depth - 1, out, root, walked, quick);
        } else if (stats.isFile() && matches(full)) {
          out.push({ path: full, stats });
          listing?.files.push({ path: full, stats: { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs }, unchanged: true });
        }
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        // A dangling symlink, a link to itself, or a file removed between readdir and stat is simply not there.
        if (e.code !== 'ENOENT' && e.code !== 'ELOOP') {
          options.onError(full, e);
          // Tried again at the next scan, not hidden behind a listing.
          listing = undefined;
        }
      }
    }
    if (listing) listings.set(dir, listing);
  };

  return {
    matches,
    get watchingAll() {
      return !options.poll && watchingAll;
    },
    get lastScanReusedAll() {
      return lastScanReusedAll;
    },
    async start() {
      // Watches are set up by the first scan, on the directories it walks.
    },
    async scan() {
      const out: DiscoveredFile[] = [];
      const walked = new Map<string, string>();
      // Quick only while every directory is watched: a directory's watch is what tells of writes
      // to its files between full scans.
      const quick = !options.poll && watchingAll && now() - lastFullScanAt < fullScanEveryMs;
      if (!quick) lastFullScanAt = now();
      watchingAll = true;
      listedAfresh = false;
      for (const root of roots) await walk(root.dir, root.depth, out, root, walked, quick);
      lastScanReusedAll = quick && !listedAfresh && watchingAll;
      // Directories no longer walked (removed, or now reached under another path) are no longer watched.
      const current = new Set(walked.values());
      for (const dir of listings.keys()) if (!current.has(dir)) listings.delete(dir);
      for (const dir of moves.keys()) if (!current.has(dir)) moves.delete(dir);
      for (const [dir, w] of watches) {
        if (current.has(dir) || [...missing].some((m) => dirname(m) === dir)) continue;
        w.close();
        watches.delete(dir);
      }
      return out;
    },
    async close() {
      closed = true;
      for (const w of watches.values()) w.close();
      watches.clear();
      listings.clear();
      moves.clear();
    },
  };
}
