// Every file Sentinel keeps in state_dir (checkpoints, incidents, the outbox, Slack threads) is
// written the same way: a temp file beside it, written and fsynced, renamed over it, then an fsync
// of the directory, because the rename is only durable once its directory entry is on disk. A crash
// leaves the old file or the new one, never a torn one. Writes to one path are queued, so the last
// call's body is the one that stays. An existing file keeps its mode, and its owner when the agent
// runs as root (a `sentinel silence add` by root must not take the agent's files from it).
// This was write-file-atomic until issue 14: it names its temp files with a SHA-1 (node:crypto,
// ~1.5 MB of an idle agent's RSS, loaded by the first checkpoint) and resolves, stats, chowns and
// chmods the path on every write (docs/benchmarks.md, "Eleventh round").
import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The write under way (and those queued behind it) per path. */
const queues = new Map<string, Promise<void>>();
let tempFiles = 0;

export async function writeFileDurably(file: string, body: string): Promise<void> {
  const before = queues.get(file);
  const mine = (before ?? Promise.resolve()).catch(() => undefined).then(() => replace(file, body));
  queues.set(file, mine);
  try {
    await mine;
  } finally {
    if (queues.get(file) === mine) queues.delete(file);
  }
}

async function replace(file: string, body: string): Promise<void> {
  const existing = await stat(file).catch(() => undefined);
  // Unique among this process's writes (the counter) and the processes sharing state_dir (the pid).
  tempFiles += 1;
  const temp = `${file}.${process.pid.toString(16)}${tempFiles.toString(16).padStart(8, '0')}`;
  try {
    const fh = await open(temp, 'w', existing ? existing.mode & 0o7777 : 0o666);
    try {
      if (existing) {
        await fh.chmod(existing.mode & 0o7777);
        if (process.getuid?.() === 0) await fh.chown(existing.uid, existing.gid);
      }
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the file itself is already synced.
  } finally {
    await dir.close();
  }
}

/** Temp files' names: `<file>.<hex>`; left behind only by a crash mid-write. */
export function isAbandonedTempFile(name: string): boolean {
  return /\.json\.[0-9a-f]+$/.test(name);
}
