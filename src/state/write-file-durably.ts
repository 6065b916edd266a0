// Every file Sentinel keeps in state_dir (checkpoints, incidents, the outbox, Slack threads) is
// written the same way: write-file-atomic (temp file, fsync, rename; concurrent writes to one path
// queued), then an fsync of the directory, because the rename is only durable once its directory
// entry is on disk. A crash leaves the old file or the new one, never a torn one.
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

export async function writeFileDurably(file: string, body: string): Promise<void> {
  await writeFileAtomic(file, body, { fsync: true });
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the file itself is already synced.
  } finally {
    await dir.close();
  }
}

/** write-file-atomic's temp names: `<file>.<hex>`; left behind only by a crash mid-write. */
export function isAbandonedTempFile(name: string): boolean {
  return /\.json\.[0-9a-f]+$/.test(name);
}
