// `npm run demo` builds only when dist/ is behind the sources: a TypeScript build costs about 11 s of
// a 13 s demo. Plain JavaScript on purpose: it runs before anything is compiled.
// Stale means: a .ts file under src/, pipeline/, scripts/ or bench/ has no .js in dist/, or is newer
// than it, or a tsconfig is newer than the CLI's entry point, or the CLI bundle (dist/bundle, built
// from dist/ by rolldown after tsc) is missing or older than that entry point or its config. (tsc
// rewrites every output on each build, so an output older than its source was built from an older
// source.)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_DIRS = ['src', 'pipeline', 'scripts', 'bench'];

function mtimeMs(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function* typescriptFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** The first reason dist/ under `root` is behind its sources, or undefined when it is current. */
export function staleReason(root) {
  const entry = mtimeMs(join(root, 'dist', 'src', 'cli', 'main.js'));
  if (entry === undefined) return 'dist/ has not been built';
  for (const config of ['tsconfig.json', 'tsconfig.build.json']) if ((mtimeMs(join(root, config)) ?? 0) > entry) return `${config} changed`;
  const bundle = mtimeMs(join(root, 'dist', 'bundle', 'sentinel.js'));
  if (bundle === undefined || bundle < entry) return 'the CLI bundle is behind dist/';
  if ((mtimeMs(join(root, 'rolldown.config.js')) ?? 0) > bundle) return 'rolldown.config.js changed';
  for (const dir of SOURCE_DIRS) {
    for (const source of typescriptFiles(join(root, dir))) {
      const output = join(root, 'dist', relative(root, source).replace(/\.ts$/, '.js'));
      const built = mtimeMs(output);
      if (built === undefined || (mtimeMs(source) ?? 0) > built) return `${relative(root, source)} changed`;
    }
  }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const reason = staleReason(root);
  if (reason) {
    console.error(`Building (${reason})…`);
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    process.exitCode = build.status ?? 1;
  }
}
