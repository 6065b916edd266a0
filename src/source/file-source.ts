// The source stage: follows the files a source's globs name and hands their records downstream,
// assembled from parts with one job each (in the spirit of Vector's file server):
//   file-discovery.ts   which paths the globs name now (a scan, with watch events as hints)
//   file-reconciler.ts  those paths matched to followed files: new, renamed, rotated, gone
//   file-tailer.ts      one followed file: rotation and truncation, partial lines, reading
//   record-batch.ts     the hand-off downstream; offsets move only once it is accepted
//   checkpointer.ts     the committed offsets, loaded at start and written every second
//   read-loop.ts        the loop that gives each file its turn and sleeps when idle
// Files are known by device+inode plus a hash of their first bytes (file-identity.ts), read by
// offset through descriptors held open (docs/adr/0001-file-reader-over-fs-not-node-tail.md).
import type { SourceConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import { initSourceSeries, type Metrics, type ReadErrorReason } from '../metrics/metrics.js';
import { createCheckpointer } from './checkpointer.js';
import { createFileDiscovery } from './file-discovery.js';
import { createFileReconciler } from './file-reconciler.js';
import { createTailReader } from './file-tailer.js';
import { createReadLoop } from './read-loop.js';
import { createRecordBatch, type RecordBatchOptions } from './record-batch.js';
import type { BufferSearch } from './screened-split.js';

export { readRecordsFromFile } from './read-records-from-file.js';
export { createMultilineJoiner } from './multiline-joiner.js';

export interface FileSourceOptions {
  config: SourceConfig;
  /** Checkpoints live here, in `checkpoints-${name}.json`. */
  stateDir: string;
  metrics: Metrics;
  logger: Logger;
  /**
   * Downstream, awaited: backpressure. Records of one file arrive in file order. After it resolves, the
   * records' origin.endOffset may be checkpointed. A TwoStepDownstream takes each batch at once and
   * only its durability is waited for (record-batch.ts).
   */
  onRecords: RecordBatchOptions['onRecords'];
  now?: () => number;
  /** Default 1000. */
  checkpointIntervalMs?: number;
  /** A last line without its newline is handed on after the file has not grown for this long. Default 2000. */
  partialLineTimeoutMs?: number;
  /** A file renamed away (still on disk) is released once it has not grown for this long. Default 5000. */
  rotatedIdleMs?: number;
  /** Records per `onRecords` call at most. Default 4096. */
  maxBatchRecords?: number;
  /**
   * Asked at each read: the detector's search over whole buffers and how many lines around a possible
   * hit to hand on (screened-split.ts). Null or absent: every line becomes a record.
   */
  bufferScreen?: () => { search: BufferSearch; before: number; after: number } | null;
}

export interface FileSource {
  /** Resolves once the initial scan is done and files are being followed. */
  start(): Promise<void>;
  /** Idempotent: stop reading, flush pending multi-line records downstream, write checkpoints, close descriptors. */
  stop(): Promise<void>;
  readonly ready: boolean;
  /** Files currently followed; `offset` is what has been processed downstream (what a checkpoint stores). */
  files(): Array<{ path: string; offset: number; size: number }>;
}

const MAX_RESCAN_MS = 30_000;
const RESCAN_MS_PER_FILE = 5;
/** Rescan periods double at most this often while nothing changes (1 s × 2⁵ > 30 s). */
const QUIET_DOUBLINGS = 5;
/**
 * Rescans in between reuse the listings of watched directories that did not change (file-discovery.ts);
 * a write whose watch events were all lost (the kernel's queue overflowed) is read within this.
 */
const FULL_RESCAN_MS = 300_000;
const READ_ERROR_REASON: Record<string, ReadErrorReason> = { EACCES: 'eacces', EPERM: 'eacces', ENOENT: 'enoent', EIO: 'eio' };

export function createFileSource(options: FileSourceOptions): FileSource {
  const { config, metrics } = options;
  const now = options.now ?? Date.now;
  const log = options.logger.child({ source: config.name });
  const source = config.name;
  const partialTimeoutMs = options.partialLineTimeoutMs ?? 2000;
  const tickMs = config.poll ? Math.max(20, config.poll_interval_ms) : Math.min(1000, Math.max(20, config.poll_interval_ms || 1000));
  const warned = new Set<string>();

  const readError = (path: string, err: unknown): void => {
    const e = err as NodeJS.ErrnoException;
    const reason = READ_ERROR_REASON[e.code ?? ''] ?? 'other';
    metrics.readErrors.inc({ source, reason });
    const key = `${path}\0${e.code ?? ''}`;
    if (!warned.has(key)) {
      if (warned.size >= 10_000) warned.clear();
      warned.add(key);
      log.warn({ code: 'SENTINEL_ERR_SOURCE_READ', file: path, errno: e.code, err: e.message }, 'Cannot read log file; will retry.');
    }
  };

  const linesCounter = metrics.logLines.labels({ source });
  const bytesCounter = metrics.logBytes.labels({ source });
  const batch = createRecordBatch({
    source,
    maxRecords: options.maxBatchRecords ?? 4096,
    onRecords: options.onRecords,
    counted: (lines, bytes) => {
      linesCounter.inc(lines);
      bytesCounter.inc(bytes);
    },
    logger: log,
  });
  // The parts refer to each other through these late-bound calls (a tailer's truncation asks the
  // reconciler for the copy; watch events wake the loop); everything else flows one way.
  const reader = createTailReader({
    config,
    source,
    batch,
    metrics,
    logger: log,
    now,
    partialTimeoutMs,
    bufferScreen: options.bufferScreen,
    readError,
    recoverCopy: (t) => reconciler.recoverCopy(t),
    readCopiesBornSince: (t, sinceMs) => reconciler.readCopiesBornSince(t, sinceMs),
    onWatchEvent: (t, event) => {
      if (event === 'change') t.dirty = true;
      else loop.rescanSoon();
      loop.wake();
    },
  });
  const discovery = createFileDiscovery({
    paths: config.paths,
    exclude: config.exclude,
    poll: config.poll,
    logger: log,
    fullScanEveryMs: FULL_RESCAN_MS,
    onHint: (kind, path) => {
      if (kind === 'moved') loop.rescanSoon();
      else {
        const t = reconciler.byPath.get(path);
        // A followed file with its own watch has said so already.
        if (t?.watcher) return;
        if (t) t.dirty = true;
        // Not followed under this name: perhaps a file renamed away beside it, still written to.
        else reconciler.markOrphansDirty();
      }
      loop.wake();
    },
    onError: readError,
  });
  const checkpointer = createCheckpointer({
    stateDir: options.stateDir,
    source,
    metrics,
    logger: log,
    now,
    intervalMs: options.checkpointIntervalMs ?? 1000,
    followed: () => reconciler.tailers.values(),
  });
  const reconciler = createFileReconciler({ config, discovery, checkpointer, reader, metrics, logger: log, now, readError, wake: () => loop.wake() });
  // While every directory is watched, the full rescan is only a backstop for events that never
  // came, and its cost grows with the files followed: so does its period (the tick up to 200
  // files, 30 s from 6,000). Each rescan that found every directory as it was doubles it, up to
  // 30 s: a quiet agent is not woken every second for a backstop (issue 14, "idle is idle"), and an
  // event lost while nothing else moves waits at most 30 s, as it does with 6,000 files. New files
  // and renames still wake a rescan at once, and the next one that finds a change starts over.
  let quietRescans = 0;
  const rescanMs = (): number => {
    if (!discovery.watchingAll) return tickMs;
    quietRescans = discovery.lastScanReusedAll ? Math.min(quietRescans + 1, QUIET_DOUBLINGS) : 0;
    return Math.min(MAX_RESCAN_MS, Math.max(tickMs, reconciler.tailers.size * RESCAN_MS_PER_FILE) * 2 ** quietRescans);
  };
  const loop = createReadLoop({ reconciler, reader, batch, logger: log, now, tickMs, rescanMs, partialTimeoutMs, rotatedIdleMs: options.rotatedIdleMs ?? 5000 });

  let started = false;
  let ready = false;
  let stopPromise: Promise<void> | undefined;
  let loopPromise: Promise<void> | undefined;

  return {
    get ready() {
      return ready;
    },
    async start() {
      if (started) return;
      started = true;
      initSourceSeries(metrics, source);
      await checkpointer.load();
      const knownPaths = new Set(checkpointer.unmatched().map((e) => e.path));
      await discovery.start();
      await reconciler.reconcile(true, knownPaths);
      await reconciler.recoverAtStartup();
      loop.rescanInOneTick();
      ready = true;
      // A first checkpoint at once: after a crash, files born since this start are then known to be
      // new (read from their start), not mistaken for files that predate the agent (start_at).
      await checkpointer.save();
      loopPromise = loop.run();
      checkpointer.startTimer();
    },
    stop() {
      stopPromise ??= (async () => {
        loop.stop();
        checkpointer.stopTimer();
        await loopPromise;
        await discovery.close();
        for (const t of reconciler.tailers.values()) reader.flushJoiner(t, 'now');
        await batch.flush();
        if (started) await checkpointer.saveFinal();
        // All at once: one after the other, 10,000 descriptors took longer than the agent's stop budget.
        const closing: Array<Promise<void>> = [];
        for (const t of reconciler.tailers.values()) {
          reader.close(t);
          closing.push(t.fh.close().catch(() => undefined));
        }
        await Promise.all(closing);
        reconciler.tailers.clear();
        reconciler.byPath.clear();
        ready = false;
        reconciler.updateGauges();
      })();
      return stopPromise;
    },
    files() {
      return [...reconciler.tailers.values()].map((t) => ({ path: t.path, offset: t.committed, size: t.size }));
    },
  };
}
