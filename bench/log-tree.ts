// A log tree for discovery benchmarks and tests: `count` small JSON log files, 100 per
// sub-directory of `logDir`, optionally with a symlink loop (`logDir/sub/loop -> ..`).
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes the files; returns their paths. */
export function writeLogTree(logDir: string, count: number, options: { symlinkLoop?: boolean } = {}): string[] {
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const dir = join(logDir, `job-${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const file = join(dir, `task-${String(i % 100).padStart(3, '0')}.log`);
    writeFileSync(file, `{"level":"info","msg":"task ${i} started"}\n`);
    files.push(file);
  }
  if (options.symlinkLoop) {
    mkdirSync(join(logDir, 'sub'), { recursive: true });
    symlinkSync('..', join(logDir, 'sub', 'loop'));
  }
  return files;
}
