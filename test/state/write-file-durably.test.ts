// How every state file is written (src/state/write-file-durably.ts): whole or not at all, the last of
// concurrent writes to one path wins, an existing file keeps its mode, and a failed write leaves
// neither a torn file nor its temp file behind.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAbandonedTempFile, writeFileDurably } from '../../src/state/write-file-durably.js';

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'write-durably-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('writeFileDurably', () => {
  it('creates and replaces a file, leaving no temp file beside it', async () => {
    const dir = freshDir();
    const file = join(dir, 'checkpoints-app.json');
    await writeFileDurably(file, '{"a":1}');
    await writeFileDurably(file, '{"a":2}');
    expect(readFileSync(file, 'utf8')).toBe('{"a":2}');
    expect(readdirSync(dir)).toEqual(['checkpoints-app.json']);
  });

  it('queues concurrent writes to one path: the last call is what stays, each one whole', async () => {
    const dir = freshDir();
    const file = join(dir, 'incidents.json');
    const bodies = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(10_000 * (i % 3)) }));
    await Promise.all(bodies.map((b) => writeFileDurably(file, b)));
    expect(readFileSync(file, 'utf8')).toBe(bodies.at(-1));
    expect(readdirSync(dir)).toEqual(['incidents.json']);
  });

  it('keeps the mode of the file it replaces', async () => {
    const dir = freshDir();
    const file = join(dir, 'silence.json');
    writeFileSync(file, 'old');
    chmodSync(file, 0o640);
    await writeFileDurably(file, 'new');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readFileSync(file, 'utf8')).toBe('new');
  });

  it('fails with the error and removes its temp file when the rename cannot happen', async () => {
    const dir = freshDir();
    // A directory where the file should be: the temp file is written, the rename over it refused.
    const file = join(dir, 'outbox.json');
    mkdirSync(file);
    await expect(writeFileDurably(file, 'body')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTDIR|EEXIST|ENOTEMPTY/) });
    expect(readdirSync(dir)).toEqual(['outbox.json']);
    // The next write to another path is not held up by the failed one.
    await writeFileDurably(join(dir, 'next.json'), 'ok');
    expect(readFileSync(join(dir, 'next.json'), 'utf8')).toBe('ok');
  });

  it('names its temp files so that the outbox recognises one a crash left behind', async () => {
    expect(isAbandonedTempFile(`a.json.${process.pid.toString(16)}0000002a`)).toBe(true);
    expect(isAbandonedTempFile('a.json')).toBe(false);
  });
});
