// SIGKILL mid-stream, then restart: at-least-once. Runs a real child process on the compiled
// tree (npm test builds dist/ before vitest).
import { describe, it, expect, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sourceConfig, tempDir, waitFor } from './helpers.js';

const CHILD = resolve(import.meta.dirname, 'fixtures', 'tail-child.js');
const DIST = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'source', 'file-source.js');

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});

async function startChild(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('child READY', () => out.includes('READY') || child.exitCode !== null, () => ({ out, exit: child.exitCode }), 15_000);
  if (!out.includes('READY')) throw new Error(`child exited ${child.exitCode} before READY`);
  return child;
}

async function received(out: string): Promise<number[]> {
  const text = existsSync(out) ? await readFile(out, 'utf8') : '';
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Number(l.split(' ')[1]));
}

describe('crash and restart', () => {
  it('after SIGKILL mid-stream, a restart resumes from the checkpoint: nothing lost, replay bounded', async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first (npm test does).`);
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const logs = join(dir, 'logs');
    await mkdir(logs);
    const file = join(logs, 'app.log');
    const out = join(dir, 'out.txt');
    const args = [JSON.stringify(sourceConfig([file])), join(dir, 'state'), out, '20'];
    await appendFile(file, '');
    const first = await startChild(args);
    let n = 0;
    const writeSome = async (count: number): Promise<void> => {
      let chunk = '';
      for (let i = 0; i < count; i++) chunk += `line ${n++} ${'x'.repeat(60)}\n`;
      await appendFile(file, chunk);
    };
    // The child's downstream takes 20 ms per 200 records, so the kill lands mid-stream.
    for (let i = 0; i < 20; i++) await writeSome(500);
    await waitFor('child has processed some', async () => (await received(out)).length > 2000, async () => (await received(out)).length);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const beforeRestart = (await received(out)).length;
    expect(beforeRestart, 'the kill landed mid-stream').toBeLessThan(n);
    await writeSome(5000);
    const second = await startChild(args);
    await waitFor(
      `all ${n} lines`,
      async () => new Set(await received(out)).size === n,
      async () => ({ distinct: new Set(await received(out)).size, n }),
      20_000,
    );
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    const got = await received(out);
    const distinct = new Set(got);
    expect(distinct.size).toBe(n);
    const replayed = got.length - n;
    // Replay is what was processed after the last checkpoint (written every 100 ms here).
    expect(replayed).toBeGreaterThanOrEqual(0);
    expect(replayed).toBeLessThan(beforeRestart);
    console.log(`crash test: ${beforeRestart} of ${n} processed before SIGKILL, ${replayed} replayed after restart`);
  });
});
