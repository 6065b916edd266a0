// Finds the files a source's globs name. chokidar 4+ has no globs, so we watch each glob's base
// directory and filter with picomatch. chokidar's events are only hints (it throttles `change`
// and may drop the last one of a burst: paulmillr/chokidar#1455; it also misses files created in
// a directory that did not exist when watching began), so `scan()` walks the directories itself
// and is what the source trusts; the hints just make it look sooner.
import { watch, type FSWatcher } from 'chokidar';
import picomatch from 'picomatch';
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '../log.js';

export interface DiscoveredFile {
  path: string;
  /** stat() of the path, symlinks followed: the identity of the file it names now. */
  stats: Stats;
}

export interface FileDiscoveryOptions {
  paths: string[];
  exclude: string[];
  poll: boolean;
  pollIntervalMs: number;
  logger: Logger;
  /** A file matching the globs was added, changed or removed (path), or something else moved (undefined). */
  onHint: (kind: 'add' | 'change' | 'unlink', path: string) => void;
  /** A scan failed on a path for a reason other than "gone" (permissions, I/O). */
  onError: (path: string, err: NodeJS.ErrnoException) => void;
}

export interface FileDiscovery {
  start(): Promise<void>;
  scan(): Promise<DiscoveredFile[]>;
  matches(path: string): boolean;
  close(): Promise<void>;
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
  const paths = options.paths.map((p) => resolve(p));
  const include = picomatch(paths, { dot: true });
  const exclude = options.exclude.length > 0 ? picomatch(options.exclude, { dot: true, basename: true }) : () => false;
  const matches = (p: string): boolean => include(p) && !exclude(p);
  const roots = rootsOf(paths);
  const missing = new Set<string>();
  let watcher: FSWatcher | undefined;

  const walk = async (dir: string, depth: number, out: DiscoveredFile[], root: Root): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (dir === root.dir && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) {
        if (!missing.has(dir)) {
          missing.add(dir);
          options.logger.warn({ dir }, 'Log directory does not exist yet; watching for it.');
        }
      } else if (e.code !== 'ENOENT') {
        options.onError(dir, e);
      }
      return;
    }
    if (dir === root.dir && missing.delete(dir)) {
      options.logger.info({ dir }, 'Log directory appeared.');
      // chokidar does not see files in a directory that appeared after watching began: watch it again.
      watcher?.unwatch(dir);
      watcher?.add(dir);
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth > 0) await walk(full, depth - 1, out, root);
        continue;
      }
      if (!(entry.isFile() || entry.isSymbolicLink()) || !matches(full)) continue;
      try {
        const stats = await stat(full);
        if (stats.isFile()) out.push({ path: full, stats });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        // A dangling symlink or a file removed between readdir and stat is simply not there.
        if (e.code !== 'ENOENT') options.onError(full, e);
      }
    }
  };

  return {
    matches,
    async start() {
      // A missing root is reported (once) by scan(), which re-arms the watcher when it appears.
      const maxDepth = Math.max(...roots.map((r) => r.depth));
      watcher = watch(
        roots.map((r) => r.dir),
        {
          ignoreInitial: true,
          persistent: true,
          followSymlinks: true,
          usePolling: options.poll,
          interval: options.pollIntervalMs,
          depth: Number.isFinite(maxDepth) ? maxDepth : undefined,
          // Keep chokidar from putting watchers on files no glob names (a busy /var/log).
          ignored: (p: string, stats?: Stats) => stats !== undefined && stats.isFile() && !matches(p),
        },
      );
      watcher.on('add', (p) => options.onHint('add', p));
      watcher.on('change', (p) => options.onHint('change', p));
      watcher.on('unlink', (p) => options.onHint('unlink', p));
      watcher.on('addDir', (p) => options.onHint('add', p));
      watcher.on('unlinkDir', (p) => options.onHint('unlink', p));
      watcher.on('error', (err) => options.logger.warn({ err }, 'File watcher error; the periodic scan still runs.'));
      const w = watcher;
      await new Promise<void>((done) => {
        const timer = setTimeout(done, 5000);
        timer.unref();
        w.once('ready', () => {
          clearTimeout(timer);
          done();
        });
      });
    },
    async scan() {
      const out: DiscoveredFile[] = [];
      for (const root of roots) await walk(root.dir, root.depth, out, root);
      return out;
    },
    async close() {
      const w = watcher;
      watcher = undefined;
      if (w) await w.close();
    },
  };
}
