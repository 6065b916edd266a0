// The config watcher must see every edit from the moment the file was read, including one made
// between the read and the watch (an agent starting while its ConfigMap updates).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
    stops.push(watchConfigFile(file, stampOf(file), () => edits++, 20));
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
    const stop = watchConfigFile(file, stampOf(file), () => stoppedEdits++, 20);
    stops.push(watchConfigFile(file, stampOf(file), () => liveEdits++, 20));
    stop();
    writeFileSync(file, 'rules: []\n# edited after the first watcher stopped\n');
    // Both poll every 20 ms: once the live one has seen the edit, a still-running one would have too.
    await waitFor('the live watcher to report the edit', () => liveEdits === 1);
    expect(stoppedEdits).toBe(0);
  });
});
