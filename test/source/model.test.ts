// A randomized model test: any sequence of writes, rename rotations, truncations (of a file read
// to its end), clean restarts and crashes loses no line; only a crash may repeat lines.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { appendFile, mkdir, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createFileSource, type FileSource } from '../../src/source/file-source.js';
import { sourceConfig, tempDir, waitFor } from './helpers.js';

type Action = { kind: 'write'; n: number } | { kind: 'rotate' } | { kind: 'truncate' } | { kind: 'restart' } | { kind: 'crash' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => ({ kind: 'write' as const, n })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'rotate' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'truncate' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

describe('source model', () => {
  it('no loss under rename rotation, truncation and restarts; no duplicates unless it crashed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 10 }), async (actions) => {
        const { dir, cleanup } = await tempDir('sentinel-model-');
        const logs = join(dir, 'logs');
        const state = join(dir, 'state');
        await mkdir(logs);
        const file = join(logs, 'app.log');
        const checkpoint = join(state, 'checkpoints-test.json');
        await writeFile(file, '');
        const config = sourceConfig([join(logs, 'app.log*')], { poll_interval_ms: 50 });
        const got: string[] = [];
        const written: string[] = [];
        let inCurrent: string[] = [];
        let seq = 0;
        let rotations = 0;
        let crashed = false;
        let snapshot: string | undefined;
        const make = async (): Promise<FileSource> => {
          const s = createFileSource({
            config,
            stateDir: state,
            metrics: createMetrics({ defaultMetrics: false }),
            logger: silentLogger(),
            checkpointIntervalMs: 50,
            onRecords: (rs) => {
              for (const r of rs) got.push(r.text);
            },
          });
          await s.start();
          return s;
        };
        let source = await make();
        const seen = (): Set<string> => new Set(got);
        try {
          for (const a of actions) {
            if (existsSync(checkpoint)) snapshot = await readFile(checkpoint, 'utf8');
            switch (a.kind) {
              case 'write': {
                const batch = Array.from({ length: a.n }, () => `L${seq++}`);
                await appendFile(file, batch.join('\n') + '\n');
                written.push(...batch);
                inCurrent.push(...batch);
                break;
              }
              case 'rotate':
                rotations += 1;
                await rename(file, `${file}.${rotations}`);
                await writeFile(file, '');
                inCurrent = [];
                break;
              case 'truncate': {
                // Only what was read can be truncated away without loss.
                const need = inCurrent;
                await waitFor('current file read before truncating', () => need.every((l) => seen().has(l)), () => ({ missing: need.filter((l) => !seen().has(l)) }));
                await truncate(file, 0);
                inCurrent = [];
                break;
              }
              case 'restart':
                await source.stop();
                source = await make();
                break;
              case 'crash':
                // A crash loses the checkpoints written since the last one that reached disk.
                await source.stop();
                if (snapshot !== undefined) await writeFile(checkpoint, snapshot);
                crashed = true;
                source = await make();
                break;
            }
          }
          await waitFor(
            `all ${written.length} lines`,
            () => written.every((l) => seen().has(l)),
            () => ({ actions, missing: written.filter((l) => !seen().has(l)).slice(0, 20) }),
            8000,
          );
          if (!crashed) expect(got.length, `duplicates after ${JSON.stringify(actions)}`).toBe(new Set(got).size);
        } finally {
          await source.stop();
          await cleanup();
        }
      }),
      { numRuns: 25, interruptAfterTimeLimit: 30_000 },
    );
  }, 60_000);
});
