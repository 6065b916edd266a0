// copytruncate with a reader that lags behind, and a crash on top: the lines a rotated copy holds
// that the reader never reached are read from that copy, found by its first bytes (and inode), not
// by its name. Each case lays out what a lagging reader would have met (files, and a checkpoint for
// the restart case), then starts the real file source on it. The file operations of one case run
// in one synchronous block, so the source's next look sees them all at once, as a lagging reader
// would: deterministic, with no load needed.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { checkpointPath, type CheckpointEntry, type CheckpointFile } from '../../src/source/checkpoint-store.js';
import { createCheckpointer } from '../../src/source/checkpointer.js';
import type { Tailer } from '../../src/source/file-tailer.js';
import { FINGERPRINT_BYTES, hashBytes } from '../../src/source/file-identity.js';
import { harness, sourceConfig, tempDir, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function lines(tag: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${tag} line ${i + 1} ${'.'.repeat(30)}`);
}

const text = (ls: string[]): string => ls.map((l) => `${l}\n`).join('');

/** What logrotate's copytruncate does (copy to `app.log.1`, empty the file in place), then the writer's next lines. */
function copytruncate(file: string, thenWritten: string): void {
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  appendFileSync(file, thenWritten);
}

/** The checkpoint entry a source would have written for `file`, as followed under `path` up to `offset`. */
function entryFor(file: string, path: string, offset: number, line: number): CheckpointEntry {
  const st = statSync(file);
  const content = readFileSync(file);
  const fingerprintBytes = Math.min(content.length, FINGERPRINT_BYTES);
  return { path, dev: st.dev, ino: st.ino, fingerprint: hashBytes(content, fingerprintBytes), fingerprintBytes, offset, line };
}

async function world() {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const logs = join(dir, 'logs');
  await mkdir(logs);
  return { logs, file: join(logs, 'app.log'), stateDir: join(dir, 'state') };
}

function started(logs: string, stateDir: string) {
  const h = harness(sourceConfig([join(logs, '*.log')], { start_at: 'end' }), stateDir);
  cleanups.push(() => h.source.stop());
  return h;
}

/** Waits for as many records as `expected` holds, then checks they are `expected`: any order, each once. */
async function expectEach(h: ReturnType<typeof started>, expected: string[]): Promise<void> {
  await waitFor(`${expected.length} records`, () => h.texts().length >= expected.length, () => ({ got: h.texts(), files: h.source.files() }));
  expect([...h.texts()].sort()).toEqual([...expected].sort());
}

describe('rotated copies a lagging reader had not read', () => {
  it('restart: a copy followed as app.log.1 but renamed on to app.log.2 before it was read is read from its checkpoint offset', async () => {
    const { logs, file, stateDir } = await world();
    const unread = lines('x', 40);
    // The copy the last run followed (as app.log.1) and had read 10 lines of; one more rotation
    // since renamed it app.log.2, and app.log.1 is a newer copy the last run had read in full.
    const x = join(logs, 'app.log.2');
    const y = join(logs, 'app.log.1');
    writeFileSync(x, text(unread));
    writeFileSync(y, text(lines('y', 10)));
    writeFileSync(file, '');
    const tenLines = Buffer.byteLength(text(unread.slice(0, 10)));
    await mkdir(stateDir);
    // Written a minute after these files were born: none is new since the last run.
    const files = [entryFor(file, file, 0, 1), entryFor(x, y, tenLines, 11), entryFor(y, y, statSync(y).size, 11)];
    await writeFile(checkpointPath(stateDir, 'test'), JSON.stringify({ version: 1, source: 'test', writtenAt: Date.now() + 60_000, files }));

    const h = started(logs, stateDir);
    await h.source.start();
    await expectEach(h, unread.slice(10));
    appendFileSync(file, 'after restart\n');
    await expectEach(h, [...unread.slice(10), 'after restart']);
  });

  it('restart: copytruncate while the agent was down (same inode, emptied) is read from the copy at the checkpoint offset', async () => {
    const { logs, file, stateDir } = await world();
    const segment = lines('segment', 40);
    writeFileSync(file, text(segment));
    const tenLines = Buffer.byteLength(text(segment.slice(0, 10)));
    await mkdir(stateDir);
    // Read 10 lines, then died; the copy was born long before the checkpoint was written.
    const files = [entryFor(file, file, tenLines, 11)];
    await writeFile(checkpointPath(stateDir, 'test'), JSON.stringify({ version: 1, source: 'test', writtenAt: Date.now() + 60_000, files }));
    copytruncate(file, 'written since\n');
    const h = started(logs, stateDir);
    await h.source.start();
    await expectEach(h, [...segment.slice(10), 'written since']);
  });

  it('restart: the same after a copytruncate that left the first bytes alike (a fixed banner), the file now shorter than the offset', async () => {
    const { logs, file, stateDir } = await world();
    const banner = `banner ${'='.repeat(FINGERPRINT_BYTES)}`;
    const segment = lines('segment', 40);
    writeFileSync(file, text([banner, ...segment]));
    const readUpTo = Buffer.byteLength(text([banner, ...segment.slice(0, 10)]));
    await mkdir(stateDir);
    const files = [entryFor(file, file, readUpTo, 12)];
    await writeFile(checkpointPath(stateDir, 'test'), JSON.stringify({ version: 1, source: 'test', writtenAt: Date.now() + 60_000, files }));
    copytruncate(file, text([banner, 'written since']));
    const h = started(logs, stateDir);
    await h.source.start();
    await expectEach(h, [...segment.slice(10), banner, 'written since']);
  });

  it('restart: a file checkpointed empty (offset 0) whose copy was born after the last look is read from the copy, in full', async () => {
    const { logs, file, stateDir } = await world();
    const unread = lines('copied', 30);
    writeFileSync(file, '');
    await mkdir(stateDir);
    const files = [entryFor(file, file, 0, 1)];
    // The last run looked at app.log (empty) a minute ago and lagged behind it since.
    await writeFile(checkpointPath(stateDir, 'test'), JSON.stringify({ version: 1, source: 'test', writtenAt: Date.now() - 60_000, files }));
    // Then it was written, copied, emptied and written again; the agent died before it looked.
    appendFileSync(file, text(unread));
    copytruncate(file, 'written since\n');
    const h = started(logs, stateDir);
    await h.source.start();
    await expectEach(h, [...unread, 'written since']);
  });

  it('a checkpoint says the files were seen only as of the oldest look still due, however recent its write', async () => {
    const { stateDir } = await world();
    const tailer = (dirty: boolean, seenAt: number) =>
      ({ closed: false, dirty, seenAt, path: '/l/app.log', dev: 1, ino: dirty ? 2 : 3, fingerprint: 'f', fingerprintBytes: FINGERPRINT_BYTES, size: 10, committed: 10, committedLine: 2 }) as unknown as Tailer;
    const followed = [tailer(false, 90_000), tailer(true, 40_000)];
    const checkpointer = createCheckpointer({ stateDir, source: 'test', metrics: createMetrics({ defaultMetrics: false }), logger: silentLogger(), now: () => 100_000, intervalMs: 1000, followed: () => followed });
    await checkpointer.save();
    const saved = JSON.parse(await readFile(checkpointPath(stateDir, 'test'), 'utf8')) as CheckpointFile;
    expect(saved.files).toHaveLength(2);
    // The lagging file's last look, not the time of writing: copies born since then are unread after a crash.
    expect(saved.writtenAt).toBe(40_000);
  });

  it('running: an empty file written, copied, emptied and written again before the reader looked loses nothing', async () => {
    const { logs, file, stateDir } = await world();
    writeFileSync(file, '');
    writeFileSync(join(logs, 'other.log'), '');
    const h = started(logs, stateDir);
    await h.source.start();
    // A record from the other file: the source has had its first look at both and is idle.
    appendFileSync(join(logs, 'other.log'), 'other\n');
    await expectEach(h, ['other']);
    const first = lines('first', 30);
    const second = lines('second', 5);
    appendFileSync(file, text(first));
    copytruncate(file, text(second));
    await expectEach(h, ['other', ...first, ...second]);
  });

  it('running: two copytruncates between two looks: the copy in between is read in full, the older one from the offset reached', async () => {
    const { logs, file, stateDir } = await world();
    const read = lines('read', 20);
    writeFileSync(file, '');
    const h = started(logs, stateDir);
    await h.source.start();
    appendFileSync(file, text(read));
    await expectEach(h, read);
    const tail = lines('tail', 10);
    const between = lines('between', 30);
    const last = lines('last', 3);
    // logrotate copytruncate twice (rotate 2), with the reader looking at neither.
    appendFileSync(file, text(tail));
    copytruncate(file, text(between));
    renameSync(join(logs, 'app.log.1'), join(logs, 'app.log.2'));
    copytruncate(file, text(last));
    await expectEach(h, [...read, ...tail, ...between, ...last]);
  });
});
