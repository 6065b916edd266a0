// File arguments as a user types them: plain paths, or quoted globs (`"logs/**/*.log"`) that the
// shell did not expand. Every argument must name at least one readable file; a directory, a missing
// path or a glob that matches nothing is an error naming that argument, not a silent skip.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import picomatch from 'picomatch';
import { SentinelError } from '../errors.js';

/** A walk below a glob's base stops here: a diagnose run is for a handful of finished files. */
const MAX_FILES_WALKED = 100_000;

function walk(base: string, visit: (path: string) => void): void {
  let walked = 0;
  const stack = [base];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (++walked > MAX_FILES_WALKED) return;
      const path = join(dir, entry.name);
      // Symbolic links are not followed: a link loop must not make a one-shot command run forever.
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile()) visit(path);
    }
  }
}

export function expandFileArgs(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    const scan = picomatch.scan(arg);
    if (!scan.isGlob) {
      let isFile = false;
      try {
        isFile = statSync(arg).isFile();
      } catch (error) {
        throw new SentinelError('SENTINEL_ERR_FILE_NOT_FOUND', `cannot read ${arg}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
      }
      if (!isFile) throw new SentinelError('SENTINEL_ERR_FILE_NOT_FOUND', `${arg} is a directory, not a log file (quote a glob such as "${join(arg, '*.log')}")`);
      files.push(arg);
      continue;
    }
    const base = scan.base || '.';
    const isMatch = picomatch(scan.glob, { dot: false });
    const matched: string[] = [];
    walk(base, (path) => {
      if (isMatch(relative(base, path))) matched.push(path);
    });
    if (matched.length === 0) throw new SentinelError('SENTINEL_ERR_FILE_NOT_FOUND', `no file matches ${arg}`);
    files.push(...matched.sort());
  }
  return [...new Set(files)];
}
