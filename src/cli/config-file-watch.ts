// Watches the agent's config file for edits by polling its stat, so it survives editors and
// ConfigMap updates that replace the file (an inotify watch would stay on the replaced inode).
import { statSync } from 'node:fs';

/** What a config file looked like when read: a later stat that differs means an edit. */
export type FileStamp = { mtimeMs: number; size: number } | undefined;

const CONFIG_POLL_MS = 1_000;

export function stampOf(file: string): FileStamp {
  try {
    const { mtimeMs, size } = statSync(file);
    return { mtimeMs, size };
  } catch {
    return undefined;
  }
}

/**
 * Calls `onEdit` for every edit of `file` from the moment it was stamped `readAs` (take the stamp
 * before reading the file: an edit that races the read is then reported once more, never missed).
 * Every look compares with the last stamp seen, never with a baseline of the poller's own: fs.watchFile
 * takes its first stat asynchronously, so an edit made between the read and that stat was lost.
 * A file that is gone is no edit; its return is. Returns the function that stops watching.
 */
export function watchConfigFile(file: string, readAs: FileStamp, onEdit: () => void, pollMs = CONFIG_POLL_MS): () => void {
  let seen = readAs;
  const look = (): void => {
    const now = stampOf(file);
    if (!now || (seen && now.mtimeMs === seen.mtimeMs && now.size === seen.size)) return;
    seen = now;
    onEdit();
  };
  look();
  const timer = setInterval(look, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
