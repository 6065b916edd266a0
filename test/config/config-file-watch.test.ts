// The config watcher must see every edit from the moment the file was read, including one made
// between the read and the watch (an agent starting while its ConfigMap updates).
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stampOf, watchConfigFile } from '../../src/cli/config-file-watch.js';
import { waitFor } from '../helpers/wait.js';

describe('watchConfigFile', () => {
  const stops: Array<() => void> = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function configFile(text: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-config-watch-'));
    dirs.push(dir);
    const file = join(dir, 'sentinel.yaml');
    writeFileSync(file, text);
    return file;
  }

  it('reports an edit made after the file was read and before the watch was set, at once', () => {
    const file = configFile('rules: []\n');
    const readAs = stampOf(file);
    writeFileSync(file, 'rules: []\npacks: []\n');
    let edits = 0;
    stops.push(watchConfigFile(file, readAs, () => edits++));
    expect(edits).toBe(1);
  });

  it('reports nothing at start when the file is as it was read, then each later edit', async () => {
    const file = configFile('rules: []\n');
    let edits = 0;
    stops.push(watchConfigFile(file, stampOf(file), () => edits++, { pollMs: 20, noWatch: true }));
    expect(edits).toBe(0);
    writeFileSync(file, 'rules: []\n# edited\n');
    await waitFor('the edit to be reported', () => edits === 1);
  });

  it('reports a file that appeared after a read that found none', () => {
    const file = configFile('rules: []\n');
    let edits = 0;
    stops.push(watchConfigFile(file, undefined, () => edits++));
    expect(edits).toBe(1);
  });

  it('stops reporting once stopped', async () => {
    const file = configFile('rules: []\n');
    let stoppedEdits = 0;
    let liveEdits = 0;
    const stop = watchConfigFile(file, stampOf(file), () => stoppedEdits++, { pollMs: 20 });
    stops.push(watchConfigFile(file, stampOf(file), () => liveEdits++, { pollMs: 20 }));
    stop();
    writeFileSync(file, 'rules: []\n# edited after the first watcher stopped\n');
    // Both poll every 20 ms: once the live one has seen the edit, a still-running one would have too.
    await waitFor('the live watcher to report the edit', () => liveEdits === 1);
    expect(stoppedEdits).toBe(0);
  });

  // The poll is only a backstop now: with it at a minute, whatever is reported within the test came
  // from a directory's watch.
  const NO_POLL = { pollMs: 60_000 };

  it('reports an edit in place through the directory watch, without waiting for the poll', async () => {
    const file = configFile('rules: []\n');
    let edits = 0;
    stops.push(watchConfigFile(file, stampOf(file), () => edits++, NO_POLL));
    writeFileSync(file, 'rules: []\n# edited in place\n');
    await waitFor('the edit to be reported', () => edits === 1, { timeoutMs: 3_000 });
  });

  it("reports a file replaced by a rename (an editor's save), even at the same size", async () => {
    const file = configFile('rules: []\n');
    let edits = 0;
    stops.push(watchConfigFile(file, stampOf(file), () => edits++, NO_POLL));
    writeFileSync(`${file}.tmp`, 'rules: []\n');
    renameSync(`${file}.tmp`, file);
    await waitFor('the replacement to be reported', () => edits === 1, { timeoutMs: 3_000 });
  });

  it("reports a ConfigMap-style update: the file a symlink through ..data, the ..data link swapped", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-config-map-'));
    dirs.push(dir);
    const version = (name: string, text: string): void => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'sentinel.yaml'), text);
    };
    version('..v1', 'rules: []\n');
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync('..data/sentinel.yaml', join(dir, 'sentinel.yaml'));
    const file = join(dir, 'sentinel.yaml');
    let edits = 0;
    stops.push(watchConfigFile(file, stampOf(file), () => edits++, NO_POLL));
    version('..v2', 'rules: []\npacks: []\n');
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    rmSync(join(dir, '..v1'), { recursive: true });
    await waitFor('the swap to be reported', () => edits === 1, { timeoutMs: 3_000 });
  });

  it('reports nothing for changes beside the file that leave it as it was', async () => {
    const file = configFile('rules: []\n');
    let edits = 0;
    stops.push(watchConfigFile(file, stampOf(file), () => edits++, NO_POLL));
    writeFileSync(join(file, '..', 'other.log'), 'a line\n');
    writeFileSync(join(file, '..', 'other.log'), 'a line\nanother\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(edits).toBe(0);
  });

  it('still sees an edit by its poll where no directory is watched', async () => {
    const file = configFile('rules: []\n');
    let edits = 0;
    stops.push(watchConfigFile(file, stampOf(file), () => edits++, { pollMs: 20, noWatch: true }));
    writeFileSync(file, 'rules: []\n# seen by the poll\n');
    await waitFor('the edit to be reported', () => edits === 1);
  });
});
