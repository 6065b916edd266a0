// The one loop that reads every followed file in turn, a bounded chunk per turn, and hands each
// batch downstream once the one before it was accepted: downstream sets the pace and memory stays
// bounded (one batch being filled, one being made durable while the next chunk is read). Between turns it rescans (every tick, or at once when a watch says something moved),
// hands on multi-line records and partial lines whose timeouts are due, releases files rotated
// away once drained and idle, and otherwise sleeps until the next deadline or a wake-up.
import type { Logger } from '../log.js';
import type { FileReconciler } from './file-reconciler.js';
import type { Tailer, TailReader } from './file-tailer.js';
import type { RecordBatch } from './record-batch.js';

export interface ReadLoopOptions {
  reconciler: FileReconciler;
  reader: TailReader;
  batch: RecordBatch;
  logger: Logger;
  now: () => number;
  /** The shortest rescan period, and the wait after a failed pass. */
  tickMs: number;
  /** The rescan period now: a backstop for watch events that never came, longer with more files. */
  rescanMs: () => number;
  partialTimeoutMs: number;
  /** A file renamed away (still on disk) is released once it has not grown for this long. */
  rotatedIdleMs: number;
}

export interface ReadLoop {
  /** Runs until `stop()`; resolves once the current turn has ended. */
  run(): Promise<void>;
  /** Something changed: look at dirty files now instead of at the next deadline. */
  wake(): void;
  /** Something was added, moved or removed: rescan at the next wake-up. */
  rescanSoon(): void;
  /** The next rescan is one period from now (the start-up scan was just done). */
  rescanInOneTick(): void;
  stop(): void;
}

export function createReadLoop(options: ReadLoopOptions): ReadLoop {
  const { reconciler, reader, batch, now, tickMs } = options;
  const log = options.logger;
  let stopping = false;
  let nextTickAt = 0;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  const wake = (): void => {
    woken = true;
    const w = wakeUp;
    wakeUp = undefined;
    w?.();
  };

  const sleep = async (ms: number): Promise<void> => {
    if (woken || ms <= 0) {
      woken = false;
      return;
    }
    await new Promise<void>((done) => {
      // Not unref'd: a running source keeps its process alive (its watches do not); stop() wakes it.
      const timer = setTimeout(() => {
        wakeUp = undefined;
        done();
      }, ms);
      wakeUp = () => {
        clearTimeout(timer);
        done();
      };
    });
    woken = false;
  };

  const release = async (t: Tailer): Promise<void> => {
    await reader.flushPartial(t);
    reader.flushJoiner(t, 'now');
    await batch.flush();
    reconciler.drop(t);
    reader.close(t);
    await t.fh.close().catch(() => undefined);
    log.info({ file: t.path, offset: t.readPos, deleted: t.nlink === 0 }, 'Released a file no longer named by the source.');
  };

  const pass = async (): Promise<void> => {
    if (now() >= nextTickAt) {
      nextTickAt = now() + options.rescanMs();
      await reconciler.reconcile(false, new Set());
    }
    let busy = false;
    for (const t of [...reconciler.tailers.values()]) {
      if (stopping) break;
      if (t.closed) continue;
      if (t.blockedBy) {
        if (!t.blockedBy.closed && !t.blockedBy.drained) continue;
        t.blockedBy = undefined;
      }
      if (t.dirty && (await reader.turn(t)) > 0) busy = true;
      if (t.dirty) busy = true;
      if (batch.full) await batch.handOff();
    }
    const at = now();
    let deadline = nextTickAt;
    for (const t of [...reconciler.tailers.values()]) {
      reader.flushIfDue(t, at);
      deadline = Math.min(deadline, t.joinerIfAny()?.deadline() ?? Infinity);
      if (t.readPos < t.scanned) {
        const due = t.lastGrowthAt + options.partialTimeoutMs;
        if (due <= at) t.dirty = true;
        deadline = Math.min(deadline, due);
      }
      if (t.orphanedAt !== undefined && t.drained && !t.dirty) {
        if (t.nlink === 0 || at - t.lastGrowthAt >= options.rotatedIdleMs) await release(t);
        else deadline = Math.min(deadline, t.lastGrowthAt + options.rotatedIdleMs);
      }
    }
    // Not waited for: the next turn reads while downstream makes this batch durable.
    await batch.handOff();
    if (!busy) {
      reconciler.updateGauges();
      await sleep(deadline - now());
    }
  };

  return {
    async run() {
      while (!stopping) {
        try {
          await pass();
        } catch (err) {
          log.error({ err }, 'Source loop failed; retrying.');
          await sleep(tickMs);
        }
      }
    },
    wake,
    rescanSoon() {
      nextTickAt = 0;
    },
    rescanInOneTick() {
      nextTickAt = now() + options.rescanMs();
    },
    stop() {
      stopping = true;
      wake();
    },
  };
}
