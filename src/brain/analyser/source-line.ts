// Reads the failing line from disk when the trace does not show it (Node and JVM stacks never do).
// Bounded: only regular files under a size cap, and a small cache keyed by path, size and mtime.
// The path comes from log text, which is untrusted: only source files are read (a crafted frame
// must not make the brain quote a line of /etc/shadow into a Slack alert).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';

const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_CACHED_FILES = 64;
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|py|go|java|scala|kt|rb|sql|php|cs|rs|sc)$/;

const cache = new Map<string, { size: number; mtimeMs: number; lines: string[] }>();

function readLines(path: string): string[] | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat || !stat.isFile() || stat.size > MAX_FILE_BYTES) return undefined;
  const hit = cache.get(path);
  if (hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) return hit.lines;
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    const lines = buffer.subarray(0, read).toString('utf8').split(/\r?\n/);
    if (cache.size >= MAX_CACHED_FILES) cache.delete(cache.keys().next().value as string);
    cache.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, lines });
    return lines;
  } finally {
    closeSync(fd);
  }
}

/** The trimmed source line, or undefined when the file is not an absolute, readable, small regular file. */
export function readSourceLine(file: string, line: number): string | undefined {
  if (!isAbsolute(file) || line < 1 || !SOURCE_FILE.test(file)) return undefined;
  try {
    const text = readLines(file)?.[line - 1]?.trim();
    return text ? text.slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}
