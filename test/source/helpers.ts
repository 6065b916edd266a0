// Shared fixtures for the source tests: a config builder, a collecting sink and a poll-with-timeout
// wait whose failure message says what it saw.
import { expect } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceConfig } from '../../src/config/config-types.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { createFileSource, type FileSource, type FileSourceOptions } from '../../src/source/file-source.js';
import { createMultilineJoiner, type JoinedRecord, type MultilineJoinerOptions } from '../../src/source/multiline-joiner.js';
import type { RawRecord } from '../../src/types.js';
import { waitFor as sharedWaitFor } from '../helpers/wait.js';

export function sourceConfig(paths: string[], over: Partial<SourceConfig> = {}): SourceConfig {
  return {
    name: 'test',
    paths,
    exclude: [],
    start_at: 'beginning',
    format: 'auto',
    max_line_bytes: 256 * 1024,
    multiline: { timeout_ms: 200, max_lines: 500, max_bytes: 1 << 20 },
    poll: false,
    poll_interval_ms: 100,
    max_files: 10_000,
    ...over,
  };
}

export async function tempDir(prefix = 'sentinel-src-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls until `probe` gives a truthy value; on timeout the error shows `seen()` (test/helpers/wait.ts). */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, seen: () => unknown, timeoutMs = 8000): Promise<T> {
  return sharedWaitFor(what, async () => (await probe()) || undefined, { timeoutMs }, () => JSON.stringify(seen()).slice(0, 2000)) as Promise<T>;
}

export interface Harness {
  source: FileSource;
  records: RawRecord[];
  metrics: Metrics;
  texts(): string[];
  /** Wait until the texts received (in order) include `expected` as their tail, or exactly equal it. */
  waitForTexts(expected: string[], timeoutMs?: number): Promise<void>;
  waitForCount(n: number, timeoutMs?: number): Promise<void>;
}

export function harness(config: SourceConfig, stateDir: string, over: Partial<FileSourceOptions> = {}): Harness {
  const records: RawRecord[] = [];
  const metrics = createMetrics({ defaultMetrics: false });
  const source = createFileSource({
    config,
    stateDir,
    metrics,
    logger: silentLogger(),
    onRecords: (rs) => {
      records.push(...rs);
    },
    checkpointIntervalMs: 100,
    partialLineTimeoutMs: 400,
    rotatedIdleMs: 1500,
    ...over,
  });
  const texts = (): string[] => records.map((r) => r.text);
  return {
    source,
    records,
    metrics,
    texts,
    async waitForTexts(expected, timeoutMs) {
      await waitFor(`${expected.length} records`, () => texts().length >= expected.length, () => ({ got: texts(), files: source.files() }), timeoutMs);
      expect(texts()).toEqual(expected);
    },
    async waitForCount(n, timeoutMs) {
      await waitFor(`${n} records`, () => records.length >= n, () => ({ got: records.length, last: texts().slice(-3), files: source.files() }), timeoutMs);
    },
  };
}

export async function metricValue(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const json = await metrics.registry.getMetricsAsJSON();
  const m = json.find((x) => x.name === name);
  if (!m) throw new Error(`no metric ${name}`);
  let total = 0;
  for (const v of m.values) {
    if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) total += v.value;
  }
  return total;
}

export function lines(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`${prefix} line ${i}`);
  return out;
}

/** The records a fresh joiner makes of `lines` (line numbers from 1, no timeout), as texts. */
export function joinLines(lines: string[], opts: Partial<MultilineJoinerOptions> = {}): string[] {
  const j = createMultilineJoiner({ timeoutMs: 1000, maxLines: 500, maxBytes: 1 << 20, ...opts });
  const out: JoinedRecord[] = [];
  let off = 0;
  lines.forEach((l, i) => {
    j.push(l, off, off + l.length + 1, i + 1, 0, out);
    off += l.length + 1;
  });
  j.flush(out);
  return out.map((r) => r.text);
}
