// Discovery's quick scans (issue 14, "idle is idle"): a watched directory whose mtime and ctime did
// not move is not listed again, yet what the backstop rescan is for is still found: a file created
// or renamed without any watch event reaching the source, and a write whose events were lost, by the
// full scan that comes at least every `fullScanEveryMs`.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFile, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { createFileDiscovery, type DiscoveredFile, type FileDiscovery } from '../../src/source/file-discovery.js';
import { tempDir } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A discovery whose clock runs `skewMs` ahead and can be moved on (past `fullScanEveryMs`). */
async function setUp(skewMs = 10_000): Promise<{ logs: string; discovery: FileDiscovery; advance: (ms: number) => void }> {
  const { dir, cleanup } = await tempDir('sentinel-discovery-');
  const logs = join(dir, 'logs');
  await mkdir(join(logs, 'job-1'), { recursive: true });
  await writeFile(join(logs, 'job-1', 'a.log'), 'one\n');
  let offset = skewMs;
  // Hints are ignored on purpose: scan() must find everything without them.
  const discovery = createFileDiscovery({
    paths: [join(logs, '**', '*.log')],
    exclude: [],
    poll: false,
    logger: silentLogger(),
    onHint: () => undefined,
    onError: () => undefined,
    fullScanEveryMs: 60_000,
    now: () => Date.now() + offset,
  });
  cleanups.push(async () => {
    await discovery.close();
    await cleanup();
  });
  return { logs, discovery, advance: (ms) => (offset += ms) };
}

const byPath = (found: DiscoveredFile[]): Map<string, DiscoveredFile> => new Map(found.map((f) => [f.path, f]));

describe('file discovery, quick scans', () => {
  it('reuses the listing of an unchanged watched directory, and lists it again once a file is created there', async () => {
    const { logs, discovery } = await setUp();
    const a = join(logs, 'job-1', 'a.log');
    const first = byPath(await discovery.scan());
    expect(discovery.lastScanReusedAll).toBe(false);
    expect([...first.keys()]).toEqual([a]);
    expect(first.get(a)?.unchanged).toBeUndefined();

    const second = byPath(await discovery.scan());
    expect([...second.keys()]).toEqual([a]);
    expect(second.get(a)?.unchanged).toBe(true);

    // Every listing reused: the source's matching of files to followed ones may be skipped.
    expect(discovery.lastScanReusedAll).toBe(true);

    const b = join(logs, 'job-1', 'b.log');
    await writeFile(b, 'two\n');
    const third = byPath(await discovery.scan());
    expect(discovery.lastScanReusedAll).toBe(false);
    expect([...third.keys()].sort()).toEqual([a, b]);
    expect(third.get(b)?.unchanged).toBeUndefined();
    expect(third.get(b)?.stats.ino).toBe((await stat(b)).ino);
  });

  it('sees a rotation (rename away, new file at the path) and a new sub-directory in a quick scan', async () => {
    const { logs, discovery } = await setUp();
    const a = join(logs, 'job-1', 'a.log');
    await discovery.scan();
    await discovery.scan();
    await rename(a, `${a}.1`);
    await writeFile(a, 'fresh\n');
    await mkdir(join(logs, 'job-2'));
    const c = join(logs, 'job-2', 'c.log');
    await writeFile(c, 'three\n');
    const found = byPath(await discovery.scan());
    expect([...found.keys()].sort()).toEqual([a, c]);
    expect(found.get(a)?.stats.ino).toBe((await stat(a)).ino);
    expect(found.get(a)?.unchanged).toBeUndefined();
  });

  it('stats every file again once fullScanEveryMs has passed: a write whose watch events were lost is seen', async () => {
    const { logs, discovery, advance } = await setUp();
    const a = join(logs, 'job-1', 'a.log');
    await discovery.scan();
    await appendFile(a, 'more\n');
    const quick = byPath(await discovery.scan());
    expect(quick.get(a)?.unchanged).toBe(true);
    advance(60_000);
    const full = byPath(await discovery.scan());
    expect(discovery.lastScanReusedAll).toBe(false);
    expect(full.get(a)?.unchanged).toBeUndefined();
    expect(full.get(a)?.stats.size).toBe('one\nmore\n'.length);
  });

  it('trusts a directory watched before it was listed, however fresh, and lists it again once its watch tells of a creation', async () => {
    // No clock skew: the directory and its file are milliseconds old at the first listing. Its watch
    // was in place before the readdir, so a creation right after it is told even when the
    // directory's coarse timestamps do not move.
    const { dir, cleanup } = await tempDir('sentinel-discovery-');
    const logs = join(dir, 'logs');
    await mkdir(logs, { recursive: true });
    const a = join(logs, 'a.log');
    await writeFile(a, 'one\n');
    const moved: string[] = [];
    const discovery = createFileDiscovery({
      paths: [join(logs, '*.log')],
      exclude: [],
      poll: false,
      logger: silentLogger(),
      onHint: (kind, path) => {
        if (kind === 'moved') moved.push(path);
      },
      onError: () => undefined,
      fullScanEveryMs: 60_000,
    });
    cleanups.push(async () => {
      await discovery.close();
      await cleanup();
    });
    await discovery.scan();
    const again = byPath(await discovery.scan());
    expect(again.get(a)?.unchanged).toBe(true);
    expect(discovery.lastScanReusedAll).toBe(true);

    const b = join(logs, 'b.log');
    await writeFile(b, 'two\n');
    await waitFor('the watch event for b.log', () => moved.includes(b));
    const third = byPath(await discovery.scan());
    expect(discovery.lastScanReusedAll).toBe(false);
    expect([...third.keys()].sort()).toEqual([a, b]);
  });
});
