import { describe, it, expect, afterEach } from 'vitest';
import { appendFile, mkdir, readFile, readdir, readlink, rename, rm, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { harness, lines, metricValue, sourceConfig, tempDir, waitFor, type Harness } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(glob = '*.log', over: Parameters<typeof sourceConfig>[1] = {}, opts: Parameters<typeof harness>[2] = {}) {
  const { dir, cleanup } = await tempDir();
  const logs = join(dir, 'logs');
  await mkdir(logs);
  const state = join(dir, 'state');
  const make = (): Harness => {
    const h = harness(sourceConfig([join(logs, glob)], over), state, opts);
    cleanups.push(() => h.source.stop());
    return h;
  };
  cleanups.push(cleanup);
  return { dir, logs, state, make };
}

/** This process's descriptors that point at `path` (a deleted file shows as "path (deleted)"). */
async function openDescriptorsTo(path: string): Promise<string[]> {
  const out: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(path)) out.push(target);
  }
  return out;
}

describe('file source', () => {
  it('reads existing lines and follows appends (happy path)', async () => {
    const { logs, make } = await setup();
    const f = join(logs, 'app.log');
    await writeFile(f, lines('a', 0, 3).join('\n') + '\n');
    const h = make();
    await h.source.start();
    expect(h.source.ready).toBe(true);
    await h.waitForTexts(lines('a', 0, 3));
    await appendFile(f, lines('a', 3, 6).join('\n') + '\n');
    await h.waitForTexts(lines('a', 0, 6));
    const r = h.records[4]!;
    expect(r.origin).toMatchObject({ source: 'test', file: f, line: 5 });
    const content = await readFile(f);
    expect(content.subarray(r.origin.offset, r.origin.endOffset).toString()).toBe('a line 4\n');
    await waitFor('offset caught up', () => h.source.files()[0]?.offset === content.length, () => h.source.files());
    expect(await metricValue(h.metrics, 'sentinel_log_lines_total', { source: 'test' })).toBe(6);
    expect(await metricValue(h.metrics, 'sentinel_log_bytes_total', { source: 'test' })).toBe(content.length);
    expect(await metricValue(h.metrics, 'sentinel_files_watched', { source: 'test' })).toBe(1);
    await waitFor('lag gauge at 0', async () => (await metricValue(h.metrics, 'sentinel_tail_lag_bytes', { source: 'test' })) === 0, () => h.source.files());
    expect(await metricValue(h.metrics, 'sentinel_checkpoint_age_seconds')).toBeLessThan(2);
  });

  it('joins a stack trace written in two bursts into one record with the line that introduced it', async () => {
    const { logs, make } = await setup();
    const f = join(logs, 'app.log');
    await writeFile(f, '');
    const h = make();
    await h.source.start();
    await appendFile(f, 'ERROR load failed\nTraceback (most recent call last):\n  File "/app/load.py", line 3, in <module>\n');
    await new Promise((r) => setTimeout(r, 50));
    await appendFile(f, '    connect()\nConnectionError: refused\n{"level":"info","msg":"next"}\n');
    await h.waitForTexts([
      'ERROR load failed\nTraceback (most recent call last):\n  File "/app/load.py", line 3, in <module>\n    connect()\nConnectionError: refused',
      '{"level":"info","msg":"next"}',
    ]);
    expect(h.records[0]!.origin).toMatchObject({ offset: 0, line: 1 });
  });

  it('polling mode (network filesystems) finds files and appends without inotify', async () => {
    const { logs, make } = await setup('*.log', { poll: true, poll_interval_ms: 100 });
    await writeFile(join(logs, 'a.log'), 'one\n');
    const h = make();
    await h.source.start();
    await h.waitForTexts(['one']);
    await appendFile(join(logs, 'a.log'), 'two\n');
    await writeFile(join(logs, 'b.log'), 'three\n');
    await h.waitForCount(3);
    // Records of one file arrive in file order; two files' records may interleave either way (each
    // file's last line waits out its own multi-line timeout).
    const of = (name: string): string[] => h.records.filter((r) => r.origin.file === join(logs, name)).map((r) => r.text);
    expect({ a: of('a.log'), b: of('b.log') }).toEqual({ a: ['one', 'two'], b: ['three'] });
  });

  it('follows many files, each in order, honouring exclude', async () => {
    const { logs, make } = await setup('*.log', { exclude: ['skip-*.log'] });
    for (let i = 0; i < 40; i++) await writeFile(join(logs, `f${i}.log`), lines(`f${i}`, 0, 50).join('\n') + '\n');
    await writeFile(join(logs, 'skip-me.log'), 'never\n');
    const h = make();
    await h.source.start();
    await h.waitForCount(2000);
    for (let i = 0; i < 40; i++) {
      expect(h.records.filter((r) => r.origin.file.endsWith(`/f${i}.log`)).map((r) => r.text)).toEqual(lines(`f${i}`, 0, 50));
    }
    expect(h.texts()).not.toContain('never');
    expect(h.source.files()).toHaveLength(40);
  });

  it('picks up a file created later, and a log directory created later, within a second or so', async () => {
    const { dir, make } = await setup();
    const h = make();
    await h.source.start();
    const late = join(dir, 'logs', 'late.log');
    const t0 = Date.now();
    await writeFile(late, 'hello\n');
    await h.waitForTexts(['hello'], 3000);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('treats a missing log directory as "not yet", then follows files in it', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const h = harness(sourceConfig([join(dir, 'later', '*.log')]), join(dir, 'state'));
    cleanups.push(() => h.source.stop());
    await h.source.start();
    await mkdir(join(dir, 'later'));
    await writeFile(join(dir, 'later', 'x.log'), 'first\n');
    await h.waitForTexts(['first'], 4000);
    await appendFile(join(dir, 'later', 'x.log'), 'second\n');
    await h.waitForTexts(['first', 'second'], 4000);
  });

  it('releases a deleted file and reads a recreated one from the start', async () => {
    const { logs, make } = await setup();
    const f = join(logs, 'app.log');
    await writeFile(f, 'one\ntwo\n');
    const h = make();
    await h.source.start();
    await h.waitForTexts(['one', 'two']);
    await unlink(f);
    await waitFor('file released', () => h.source.files().length === 0, () => h.source.files());
    expect(await openDescriptorsTo(f), 'no descriptor left on the deleted file').toEqual([]);
    await writeFile(f, 'three\n');
    await h.waitForTexts(['one', 'two', 'three']);
    expect(await metricValue(h.metrics, 'sentinel_files_watched', { source: 'test' })).toBe(1);
  });

  it('reads again from 0 after truncation to zero, and counts it', async () => {
    const { logs, make } = await setup();
    const f = join(logs, 'app.log');
    await writeFile(f, lines('old', 0, 20).join('\n') + '\n');
    const h = make();
    await h.source.start();
    await h.waitForCount(20);
    await truncate(f, 0);
    await waitFor('truncation seen', async () => (await metricValue(h.metrics, 'sentinel_file_truncations_total')) === 1, () => h.source.files());
    await appendFile(f, 'new 1\nnew 2\n');
    await h.waitForTexts([...lines('old', 0, 20), 'new 1', 'new 2']);
    expect(h.records.at(-1)!.origin.offset).toBe(6);
  });

  it('notices a truncation in the middle of a catch-up, before the next look was due, at its next read', async () => {
    // A backlog of several reads; the consumer holds the first batch while the file is emptied and
    // written again, so the reader's next read comes moments after its last look of the file.
    let hold: (() => void) | undefined;
    let held = false;
    const { logs, make } = await setup('*.log', {}, {
      maxBatchRecords: 300,
      onRecords: async (rs) => {
        h.records.push(...rs);
        if (held) return;
        held = true;
        await new Promise<void>((go) => (hold = go));
      },
    });
    const f = join(logs, 'app.log');
    await writeFile(f, lines('old', 0, 200_000).join('\n') + '\n');
    const h = make();
    await h.source.start();
    await waitFor('first batch held', () => hold !== undefined, () => h.source.files());
    await truncate(f, 0);
    await appendFile(f, 'new 1\nnew 2\n');
    hold?.();
    await waitFor('truncation seen', async () => (await metricValue(h.metrics, 'sentinel_file_truncations_total')) === 1, () => h.source.files());
    await waitFor('new lines', () => h.texts().slice(-2).join() === 'new 1,new 2', () => h.texts().slice(-3));
    const old = h.texts().slice(0, -2);
    expect(old).toEqual(lines('old', 0, old.length));
  });

  it('reads a backlog of several chunks whole and in order, each chunk read while the one before is split, batches full or not', async () => {
    // Lines of every length, so chunk ends cut lines at every position; the file grows during the catch-up.
    const text = (i: number): string => `line ${i} ${'x'.repeat((i * 7919) % 3000)}`;
    const first = Array.from({ length: 4000 }, (_, i) => text(i));
    const more = Array.from({ length: 500 }, (_, i) => text(4000 + i));
    const expected = [...first, ...more];
    const offsets: number[] = [];
    let at = 0;
    for (const l of expected) {
      offsets.push(at);
      at += Buffer.byteLength(l) + 1;
    }
    for (const maxBatchRecords of [4096, 50]) {
      const { logs, make } = await setup('*.log', {}, { maxBatchRecords });
      const f = join(logs, 'app.log');
      await writeFile(f, first.join('\n') + '\n');
      expect((await readFile(f)).length).toBeGreaterThan(4 * (1 << 20));
      const h = make();
      await h.source.start();
      await appendFile(f, more.join('\n') + '\n');
      await h.waitForCount(expected.length, 20_000);
      expect(h.texts()).toEqual(expected);
      expect(h.records.map((r) => r.origin.offset)).toEqual(offsets);
      expect(h.records.map((r) => r.origin.line)).toEqual(expected.map((_, i) => i + 1));
    }
  });

  it('follows a symlinked path when it is retargeted', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const real = join(dir, 'real');
    await mkdir(real);
    await mkdir(join(dir, 'logs'));
    await writeFile(join(real, 'a.log'), 'from a\n');
    await writeFile(join(real, 'b.log'), 'from b\n');
    const link = join(dir, 'logs', 'current.log');
    await symlink(join(real, 'a.log'), link);
    const h = harness(sourceConfig([link]), join(dir, 'state'));
    cleanups.push(() => h.source.stop());
    await h.source.start();
    await h.waitForTexts(['from a']);
    await appendFile(join(real, 'a.log'), 'more a\n');
    await h.waitForTexts(['from a', 'more a']);
    await rm(link);
    await symlink(join(real, 'b.log'), link);
    await h.waitForTexts(['from a', 'more a', 'from b']);
    await appendFile(join(real, 'b.log'), 'more b\n');
    await h.waitForTexts(['from a', 'more a', 'from b', 'more b']);
    expect(h.records.at(-1)!.origin.file).toBe(link);
  });

  it('resumes from its checkpoint after a restart; start_at only applies to files never seen', async () => {
    const { logs, make, state } = await setup('*.log', { start_at: 'end' });
    const f = join(logs, 'app.log');
    await writeFile(f, 'before start\n');
    const h1 = make();
    await h1.source.start();
    await appendFile(f, 'seen 1\nseen 2\n');
    await h1.waitForTexts(['seen 1', 'seen 2']);
    await h1.source.stop();
    const saved = JSON.parse(await readFile(join(state, 'checkpoints-test.json'), 'utf8')) as { files: Array<{ offset: number; line?: number }> };
    expect(saved.files[0]!.offset).toBe((await readFile(f)).length);
    await appendFile(f, 'while down\n');
    const h2 = make();
    await h2.source.start();
    await appendFile(f, 'after restart\n');
    await h2.waitForTexts(['while down', 'after restart']);
  });

  it('keeps a partial last line across a restart and joins it when its newline arrives', async () => {
    const { logs, make } = await setup('*.log', {}, { partialLineTimeoutMs: 60_000 });
    const f = join(logs, 'app.log');
    await writeFile(f, 'whole\nhalf of a li');
    const h1 = make();
    await h1.source.start();
    await h1.waitForTexts(['whole']);
    await h1.source.stop();
    await appendFile(f, 'ne\nnext\n');
    const h2 = make();
    await h2.source.start();
    await h2.waitForTexts(['half of a line', 'next']);
    expect(h2.records[0]!.origin.line).toBe(2);
  });

  it('hands on a partial last line once the writer seems gone', async () => {
    const { logs, make } = await setup();
    await writeFile(join(logs, 'app.log'), 'done\nno newline at the end');
    const h = make();
    await h.source.start();
    await h.waitForTexts(['done', 'no newline at the end'], 4000);
  });

  it('cuts a line longer than max_line_bytes, counts it, and carries on with the next line', async () => {
    const { logs, make } = await setup('*.log', { max_line_bytes: 1000 });
    const f = join(logs, 'app.log');
    const huge = 'x'.repeat(3 * 1024 * 1024);
    await writeFile(f, `before\n${huge}\nafter\n`);
    const h = make();
    await h.source.start();
    await h.waitForCount(3);
    expect(h.texts()[0]).toBe('before');
    expect(h.texts()[1]).toBe('x'.repeat(1000));
    expect(h.texts()[2]).toBe('after');
    expect(h.texts()).toHaveLength(3);
    expect(await metricValue(h.metrics, 'sentinel_lines_truncated_total')).toBe(1);
    // A long line still being written: the head is handed on, the rest skipped as it arrives.
    await appendFile(f, 'y'.repeat(5000));
    await h.waitForCount(4);
    await appendFile(f, 'y'.repeat(5000) + '\nlast\n');
    await h.waitForCount(5);
    expect(h.texts().slice(3)).toEqual(['y'.repeat(1000), 'last']);
  });

  it('turns invalid UTF-8 into U+FFFD, strips CRLF, and is not stalled by binary garbage in another file', async () => {
    const { logs, make } = await setup('*.log', { max_line_bytes: 4096 });
    await writeFile(join(logs, 'bad.log'), Buffer.concat([Buffer.from('ok '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' end\r\nnext\r\n')]));
    const garbage = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 251 === 10 ? 0 : (i * 7919) % 251;
    await writeFile(join(logs, 'binary.log'), garbage);
    const h = make();
    await h.source.start();
    await waitFor('bad.log records', () => h.records.filter((r) => r.origin.file.endsWith('bad.log')).length === 2, () => h.texts().length);
    const bad = h.records.filter((r) => r.origin.file.endsWith('bad.log')).map((r) => r.text);
    expect(bad).toEqual(['ok \uFFFD\uFFFD\uFFFD end', 'next']);
    await appendFile(join(logs, 'bad.log'), 'still followed\n');
    await waitFor('append after binary', () => h.texts().includes('still followed'), () => h.texts().length);
  });

  it('renames within the glob keep the same descriptor and offset (no repeat)', async () => {
    const { logs, make } = await setup('app.log*');
    const f = join(logs, 'app.log');
    await writeFile(f, 'one\n');
    const h = make();
    await h.source.start();
    await h.waitForTexts(['one']);
    await rename(f, `${f}.1`);
    await writeFile(f, 'two\n');
    await appendFile(`${f}.1`, 'late to old\n');
    await waitFor('both', () => h.texts().length >= 3, () => h.texts());
    expect([...h.texts()].sort()).toEqual(['late to old', 'one', 'two']);
  });

  it('walks a symlinked directory once, by device+inode, and a symlink loop not at all; new files in it are found', async () => {
    const { dir, logs, make } = await setup('**/*.log');
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'linked.log'), 'through the link\n');
    await mkdir(join(logs, 'sub'));
    await writeFile(join(logs, 'sub', 'own.log'), 'own\n');
    await symlink(elsewhere, join(logs, 'sub', 'link'));
    // A second path to the same directory, and a loop back to the root.
    await symlink(elsewhere, join(logs, 'again'));
    await symlink('..', join(logs, 'sub', 'loop'));
    const h = make();
    await h.source.start();
    await waitFor('both files', () => h.texts().length >= 2, () => h.texts());
    expect([...h.texts()].sort()).toEqual(['own', 'through the link']);
    expect(h.source.files()).toHaveLength(2);
    // Inside the linked directory: reported under the path it was walked by.
    await writeFile(join(elsewhere, 'new.log'), 'new beside the link\n');
    await waitFor('the new file', () => h.texts().includes('new beside the link'), () => h.texts(), 3000);
    expect(h.source.files()).toHaveLength(3);
  });
});
