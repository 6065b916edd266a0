// The runtime image ships dist/bundle and no node_modules (Dockerfile; ADR 0006). Here the bundle is
// copied, with package.json and bin/, to a folder no node_modules can be found from, and every chunk
// is imported there: a package left external by rolldown.config.js, or a chunk reaching for a file
// of its own package, fails here rather than in a container on its first Gemini call.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './repo-facts.js';

const BUNDLE = join(REPO, 'dist', 'bundle');
const root = mkdtempSync(join(tmpdir(), 'sentinel-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function copyRuntime(): void {
  mkdirSync(join(root, 'dist'));
  cpSync(BUNDLE, join(root, 'dist', 'bundle'), { recursive: true });
  cpSync(join(REPO, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
}

describe('dist/bundle (npm run build)', () => {
  copyRuntime();
  const chunks = readdirSync(join(root, 'dist', 'bundle')).filter((f) => f.endsWith('.js'));

  it('runs the CLI without node_modules', () => {
    const version = spawnSync(process.execPath, [join(root, 'bin', 'sentinel.js'), '--version'], { cwd: root, encoding: 'utf8' });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = spawnSync(process.execPath, [join(root, 'bin', 'sentinel.js'), 'check', '--help'], { cwd: root, encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
  });

  it('loads every chunk, the lazily imported ones too, without node_modules', () => {
    // Not the entry: it runs the CLI. No chunk imports it (each command is a chunk of its own).
    const lazy = chunks.filter((f) => f !== 'sentinel.js');
    expect(lazy.length).toBeGreaterThan(10);
    const script = `
      const failed = [];
      for (const chunk of ${JSON.stringify(lazy)}) {
        try { await import('./dist/bundle/' + chunk); } catch (error) { failed.push(chunk + ': ' + error.message); }
      }
      console.log(JSON.stringify(failed));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]')).toEqual([]);
  });

  it('imports no Node built-in as an ES module (their facades load undici and Web Crypto at start)', () => {
    const esImports = chunks.flatMap((chunk) =>
      [...readFileSync(join(BUNDLE, chunk), 'utf8').matchAll(/^import [^;]*? from "([^"]+)";$/gm)]
        .map((m) => m[1] ?? '')
        .filter((id) => isBuiltin(id) && id !== 'node:module')
        .map((id) => `${chunk}: ${id}`),
    );
    expect(esImports).toEqual([]);
  });

  // The analyser's knowledge base and category model load with an agent's first failure, not with
  // the agent (src/brain/lazy-analyser.ts): a static import anywhere would put them back in every start.
  it('loads the built-in analyser only on demand', () => {
    const analyser = chunks.find((chunk) => readFileSync(join(BUNDLE, chunk), 'utf8').includes('// dist/src/brain/analyser/knowledge-base.js'));
    expect(analyser).toBeDefined();
    const staticImporters = chunks.filter((chunk) => new RegExp(`^import [^;]*from "\\./${analyser}";$`, 'm').test(readFileSync(join(BUNDLE, chunk), 'utf8')));
    const dynamicImporters = chunks.filter((chunk) => readFileSync(join(BUNDLE, chunk), 'utf8').includes(`import("./${analyser}")`));
    expect(staticImporters).toEqual([]);
    expect(dynamicImporters.length).toBeGreaterThan(0);
  });
});
