// The agent's hand-off (src/source/record-batch.ts, TwoStepDownstream) through the real file source:
// batches are taken as soon as they are read, while the writes that make them durable run behind,
// fail for a while, and recover. Whatever the timing, every record is taken once, in file order, a
// multi-line record cut by the read-buffer boundary arrives whole, and no offset is ever committed
// past a record whose durability was not confirmed (a crash then reads it again, never forgets it).
import { describe, it, expect, afterEach } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createFileSource } from '../../src/source/file-source.js';
import { READ_CHUNK_BYTES } from '../../src/source/read-records-from-file.js';
import type { RawRecord } from '../../src/types.js';
import { sourceConfig, tempDir, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TRACEBACK = ['Traceback (most recent call last):', '  File "/app/steps/load.py", line 42, in run', '    total / count', 'ZeroDivisionError: division by zero'];

/** ~2.5 read buffers of plain lines, with a traceback whose first line ends just before the first buffer does. */
function content(): { text: string; records: string[] } {
  const records: string[] = [];
  let size = 0;
  let i = 0;
  const push = (line: string): void => {
    records.push(line);
    size += line.length + 1;
  };
  while (size < READ_CHUNK_BYTES - 60) push(`2026-12-03 03:00:00 INFO batch ${i++} rows=${i % 977}`);
  push(`2026-12-03 03:00:01 ERROR step load failed`);
  const cutAt = records.length;
  while (size < 2.5 * READ_CHUNK_BYTES) push(`2026-12-03 03:00:02 INFO batch ${i++} rows=${i % 977}`);
  const lines = [...records.slice(0, cutAt), ...TRACEBACK, ...records.slice(cutAt)];
  // The joiner makes the ERROR line and the traceback under it one record.
  const expected = [...records.slice(0, cutAt - 1), [records[cutAt - 1], ...TRACEBACK].join('\n'), ...records.slice(cutAt)];
  return { text: lines.join('\n') + '\n', records: expected };
}

describe('a two-step downstream behind the real file source', () => {
  it('takes every record once and in order while writes fail and recover; offsets never pass what is durable', async () => {
    const { dir, cleanup } = await tempDir('sentinel-two-step-');
    cleanups.push(cleanup);
    await mkdir(join(dir, 'logs'));
    const { text, records: expected } = content();
    const file = join(dir, 'logs', 'app.log');
    await writeFile(file, text);
    const size = Buffer.byteLength(text);
    expect(TRACEBACK[0] && text.indexOf(TRACEBACK[0]) < READ_CHUNK_BYTES).toBe(true);
    expect(text.indexOf(TRACEBACK[3] as string)).toBeGreaterThan(READ_CHUNK_BYTES);

    const taken: RawRecord[] = [];
    /** End offset of the last record taken before the latest write that succeeded. */
    let durableUpTo = 0;
    let writes = 0;
    const violations: string[] = [];
    const source = createFileSource({
      config: sourceConfig([join(dir, 'logs', '*.log')]),
      stateDir: dir,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger(),
      checkpointIntervalMs: 50,
      // Small batches: many of them wait for durability at once.
      maxBatchRecords: 500,
      onRecords: {
        take(records) {
          const committed = source.files()[0]?.offset ?? 0;
          if (committed > durableUpTo) violations.push(`offset ${committed} committed past ${durableUpTo}`);
          taken.push(...records);
        },
        async durable() {
          const upTo = taken.at(-1)?.origin.endOffset ?? 0;
          writes += 1;
          const fails = writes <= 3;
          // Writes finish out of step with the reader (an fsync on a busy disk).
          await new Promise((r) => setTimeout(r, writes % 3));
          if (fails) throw new Error('ENOSPC: state directory full');
          durableUpTo = Math.max(durableUpTo, upTo);
        },
      },
    });
    cleanups.push(() => source.stop());
    await source.start();
    await waitFor('the whole file committed', () => source.files()[0]?.offset === size, () => ({ files: source.files(), taken: taken.length, writes, durableUpTo }));
    expect(violations).toEqual([]);
    expect(writes).toBeGreaterThan(3);
    expect(taken.map((r) => r.text)).toEqual(expected);
    // Each record's offsets follow the one before it: nothing repeated, nothing skipped.
    for (let k = 1; k < taken.length; k++) expect(taken[k]?.origin.offset).toBe(taken[k - 1]?.origin.endOffset);
    expect(taken.at(-1)?.origin.endOffset).toBe(size);
  });
});
