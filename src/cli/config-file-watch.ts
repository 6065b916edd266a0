// Watches the agent's config file for edits. What tells of an edit is the file's stat (modification
// time, size, inode) against the last one seen: it survives editors and ConfigMap updates that
// replace the file (an inotify watch on the file would stay on the replaced inode). When to look is
// told by watches on the directories that name it (the file's own, and its real one when it is a
// symlink, as a ConfigMap's is): any change there is a look, a few ms later. A slow poll stays as the
// backstop for events that never come (a full inotify queue, a filesystem without them); where no
// directory can be watched, the poll is every second, as before (ADR 0029).
import { statSync, realpathSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

/** What a config file looked like when read: a later stat that differs means an edit. */
export type FileStamp = { mtimeMs: number; size: number; ino: number } | undefined;

/** The look when no directory could be watched. */
const CONFIG_POLL_MS = 1_000;
/** The backstop while the directories are watched: an edit whose events were lost waits at most this. */
export const CONFIG_BACKSTOP_MS = 30_000;
/** Events come in bursts (an editor's write, rename and chmod; a ConfigMap's symlink swap): one look after them. */
const SETTLE_MS = 50;

export function stampOf(file: string): FileStamp {
  try {
    const { mtimeMs, size, ino } = statSync(file);
    return { mtimeMs, size, ino };
  } catch {
    return undefined;
  }
}

const sameStamp = (a: NonNullable<FileStamp>, b: NonNullable<FileStamp>): boolean => a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;

/** The directories whose entries name the file: its own, and its target's when it is a symlink. */
function namingDirectories(file: string): string[] {
  const dirs = new Set([dirname(file)]);
  try {
    dirs.add(dirname(realpathSync(file)));
  } catch {
    // Not there (yet): its own directory tells when it comes.
  }
  return [...dirs];
}

export interface ConfigWatchOptions {
  /** The backstop poll while watched (default 30 s); the poll itself where nothing can be watched (1 s). */
  pollMs?: number;
  /** Tests: as if no directory could be watched. */
  noWatch?: boolean;
}

/**
 * Calls `onEdit` for every edit of `file` from the moment it was stamped `readAs` (take the stamp
 * before reading the file: an edit that races the read is then reported once more, never missed).
 * Every look compares with the last stamp seen, never with a baseline of the watcher's own: fs.watchFile
 * takes its first stat asynchronously, so an edit made between the read and that stat was lost.
 * A file that is gone is no edit; its return is. Returns the function that stops watching.
 */
export function watchConfigFile(file: string, readAs: FileStamp, onEdit: () => void, options: ConfigWatchOptions = {}): () => void {
  let seen = readAs;
  let stopped = false;
  const look = (): void => {
    if (stopped) return;
    const now = stampOf(file);
    if (!now || (seen && sameStamp(now, seen))) return;
    seen = now;
    onEdit();
  };
  look();

  let settling: NodeJS.Timeout | undefined;
  const lookSoon = (): void => {
    if (settling) return;
    settling = setTimeout(() => {
      settling = undefined;
      look();
    }, SETTLE_MS);
    settling.unref();
  };
  let watchers: FSWatcher[] = [];
  const unwatch = (): void => {
    for (const w of watchers) w.close();
    watchers = [];
  };
  const pollWhenUnwatched = Math.min(CONFIG_POLL_MS, options.pollMs ?? CONFIG_POLL_MS);
  let timer: NodeJS.Timeout | undefined;
  const pollEvery = (ms: number): void => {
    if (timer) clearInterval(timer);
    timer = setInterval(look, ms);
    timer.unref();
  };
  if (!options.noWatch) {
    try {
      for (const dir of namingDirectories(file)) {
        const watcher = watch(dir, { persistent: false }, lookSoon);
        // A watched directory removed or unreadable: back to looking every second.
        watcher.on('error', () => {
          unwatch();
          pollEvery(pollWhenUnwatched);
        });
        watchers.push(watcher);
      }
    } catch {
      unwatch();
    }
  }
  pollEvery(watchers.length > 0 ? (options.pollMs ?? CONFIG_BACKSTOP_MS) : pollWhenUnwatched);
  return () => {
    stopped = true;
    unwatch();
    if (timer) clearInterval(timer);
    if (settling) clearTimeout(settling);
  };
}
