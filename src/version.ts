// The package version, read once from package.json: `--version` and sentinel_build_info both report it.
import { readFileSync } from 'node:fs';

function readVersion(): string {
  // src/version.ts under vitest, dist/src/version.js once built: package.json is one or two levels up.
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pipeline-sentinel' && pkg.version) return pkg.version;
    } catch {
      // not at this level; try the next
    }
  }
  return 'unknown';
}

export const VERSION = readVersion();
