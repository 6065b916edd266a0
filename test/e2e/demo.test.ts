// The quickstart's first command: `npm run demo` (= node dist/scripts/demo.js) with nothing
// configured prints the alert with its diagnosis and exits 0 once it has been delivered.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startProcess } from '../helpers/sentinel-process.js';
import { staleReason } from '../../scripts/build-if-stale.js';

/** What the demo and its pipeline leave in TMPDIR (Node's own compile cache there is not theirs). */
const leftovers = (tmp: string): string[] => readdirSync(tmp).filter((name) => /^(sentinel-demo-|aio-pipeline-)/.test(name));

/** `npm run demo -- ARGS` as a user types it, with its own TMPDIR so what it leaves behind can be seen. */
async function npmRunDemo(args: string[], tmp: string): Promise<{ code: number | null; out: string; ms: number }> {
  const started = Date.now();
  const child = spawn('npm', ['run', '--silent', 'demo', ...(args.length > 0 ? ['--', ...args] : [])], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, out, ms: Date.now() - started };
}

const DEMO = fileURLToPath(new URL('../../dist/scripts/demo.js', import.meta.url));

describe('npm run demo', () => {
  it('shows the pipeline failing in transform_data and Sentinel delivering its diagnosis', async () => {
    const demo = startProcess([DEMO]);
    const { code } = await demo.exited;
    const out = demo.stdout();
    expect(code, out + demo.stderr()).toBe(0);
    expect(out).toContain('RangeError: Division by zero');
    expect(out).toMatch(/transform-data\.ts:\d+ in transformData/);
    expect(out).toMatch(/Guard the zero/);
    expect(out).toMatch(/Sentinel delivered its alert \d+ ms after the run started/);
  });

  it('runs the other failure scenarios too', async () => {
    const demo = startProcess([DEMO, 'missing-column']);
    const { code } = await demo.exited;
    expect(code, demo.stdout() + demo.stderr()).toBe(0);
    expect(demo.stdout()).toMatch(/Column `amount_cents` is missing/);
  });

  it('through npm: no rebuild when dist/ is current, and nothing left in the temp folder', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sentinel-demo-test-'));
    try {
      const entry = join(REPO_ROOT, 'dist', 'scripts', 'demo.js');
      const builtAt = statSync(entry).mtimeMs;
      expect(staleReason(REPO_ROOT), 'the suite runs on a fresh build').toBeUndefined();
      const { code, out, ms } = await npmRunDemo([], tmp);
      expect(code, out).toBe(0);
      expect(out).not.toContain('Building');
      expect(statSync(entry).mtimeMs).toBe(builtAt);
      // The agent's folder (sentinel-demo-*) and the pipeline's (aio-pipeline-*) are both gone.
      expect(leftovers(tmp)).toEqual([]);
      console.log(`npm run demo with dist/ current: exit 0 in ${ms} ms`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('through npm: an unknown scenario fails at once with the list of scenarios', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sentinel-demo-test-'));
    try {
      const { code, out, ms } = await npmRunDemo(['bogus'], tmp);
      expect(code).toBe(2);
      expect(out).toContain('unknown scenario "bogus"');
      expect(out).toContain('Scenarios: division-by-zero, missing-input, connection-refused, missing-column, timeout, success');
      expect(out).not.toContain('Sentinel is watching');
      expect(leftovers(tmp)).toEqual([]);
      console.log(`npm run demo -- bogus: exit 2 in ${ms} ms`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('build-if-stale', () => {
  it('calls dist/ stale when a source is newer than its output or has none, current otherwise', () => {
    const root = mkdtempSync(join(tmpdir(), 'sentinel-stale-'));
    try {
      const write = (path: string, at: number): void => {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), '');
        utimesSync(join(root, path), at, at);
      };
      expect(staleReason(root)).toBe('dist/ has not been built');
      write('tsconfig.json', 1000);
      write('src/a.ts', 1000);
      write('dist/src/cli/main.js', 2000);
      expect(staleReason(root)).toBe('the CLI bundle is behind dist/');
      write('dist/bundle/sentinel.js', 2000);
      expect(staleReason(root)).toBe('src/a.ts changed');
      write('dist/src/a.js', 2000);
      expect(staleReason(root)).toBeUndefined();
      write('rolldown.config.js', 2500);
      expect(staleReason(root)).toBe('rolldown.config.js changed');
      write('dist/bundle/sentinel.js', 2500);
      expect(staleReason(root)).toBeUndefined();
      write('scripts/b.ts', 3000);
      write('dist/scripts/b.js', 2000);
      expect(staleReason(root)).toBe('scripts/b.ts changed');
      write('dist/scripts/b.js', 3000);
      write('src/types.d.ts', 9000);
      expect(staleReason(root)).toBeUndefined();
      write('tsconfig.json', 4000);
      expect(staleReason(root)).toBe('tsconfig.json changed');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
