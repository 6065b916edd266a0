// The lines a file prints after a failing record, collected for a bounded while before the
// incident is diagnosed: the cause often comes just below the record that first reports a failure
// (a framework's "Task failed" summary, Spark's driver stacktrace, dbt's error summary). Clock-driven
// like the multi-line joiner: the caller passes the time, so the live agent (timers), the one-shot
// `sentinel diagnose FILE` (end of input) and the eval's replay (virtual time) share the same rules.
import type { IncidentsConfig } from '../config/config-types.js';
import { type Analyse, loadAnalyser, loadedAnalyser } from '../brain/lazy-analyser.js';
import type { DiagnoseRequest } from '../types.js';

export interface FollowUpPolicy {
  /** At most this many lines after the failing record. */
  maxLines: number;
  /** The wait ends once the file has printed nothing for this long (ms). Infinity: never on quiet. */
  quietMs: number;
  /** The wait ends this long after it started, whatever the file does (ms). Infinity: no limit. */
  maxWaitMs: number;
  /**
   * No wait at all when the failing record already explains itself (the question as it stands
   * then); the lines after it would only delay the alert. A promise while the analyser that
   * answers is still loading (an agent's first failure): the wait starts meanwhile and is dropped
   * if the answer is yes, so the diagnosis is the same either way.
   */
  explainsItself?: (request: DiagnoseRequest) => boolean | Promise<boolean>;
}

/** No wait: the incident is diagnosed from its own record and what came before it. */
export const NO_FOLLOW_UP: FollowUpPolicy = { maxLines: 0, quietMs: 0, maxWaitMs: 0 };

/** The live agent's policy (`sentinel run`, and what `npm run eval` replays): `incidents.lines_after`. */
export function liveFollowUp(config: IncidentsConfig['lines_after']): FollowUpPolicy {
  return { maxLines: config.max_lines, quietMs: config.quiet_ms, maxWaitMs: config.max_wait_ms, explainsItself: confidentFromRecordAlone };
}

/**
 * How sure the built-in analyser must be of the record alone to skip the wait. Chosen on the real
 * development corpus (`npm run eval`, 536 failures): at 0.8, 91 of 524 incidents skip the wait and
 * category and location accuracy are unchanged (63.2% / 65.1% against 63.1% / 65.1% with the full
 * wait); at 0.5 category falls to 62.5%.
 */
const EXPLAINS_ITSELF_CONFIDENCE = 0.8;

/**
 * The built-in analyser, on the record and what came before it, names a category and a location
 * with confidence: the error chain is complete (a traceback with its frames, a JSON record with
 * its stack), so the lines after it would be a framework's summary of the same failure.
 */
export function confidentFromRecordAlone(request: DiagnoseRequest): boolean | Promise<boolean> {
  const analyse = loadedAnalyser();
  return analyse ? confidentWith(analyse, request) : loadAnalyser().then((loaded) => confidentWith(loaded, request));
}

function confidentWith(analyse: Analyse, request: DiagnoseRequest): boolean {
  // The signatures' own answer and hand-set confidence, which the threshold was chosen on: the wait
  // must not move when the learned category model is retrained (its replays depend on the wait).
  const diagnosis = analyse(request, { readSourceFiles: false, learned: false });
  // A step name is where a frame was not found (yet): the frames may be on the lines below.
  return diagnosis.category !== 'unknown' && diagnosis.location !== null && diagnosis.location.line !== null && diagnosis.confidence >= EXPLAINS_ITSELF_CONFIDENCE;
}

/** A finished file read at once: the 50 lines below the record, however late they were written. */
export const FINISHED_FILE_FOLLOW_UP: FollowUpPolicy = { maxLines: 50, quietMs: Infinity, maxWaitMs: Infinity };

export interface FollowUpLines {
  /** Starts collecting the lines `file` prints from now on, for the wait named `key`. */
  start(key: string, file: string, now: number): void;
  /** A record of `file` arrived (its text may span lines). Cheap when nothing waits. */
  push(file: string, text: string, now: number): void;
  /** Resolves with the lines once the wait named `key` is over; at once with [] for an unknown key. */
  wait(key: string): Promise<string[]>;
  /** Drops the wait named `key` and its lines, as if it had never started. */
  forget(key: string): void;
  /** Ends the waits whose quiet period or limit has passed; returns the next deadline (Infinity: none). */
  expire(now: number): number;
  /** Ends every wait now: end of input, or the agent stopping. */
  endAll(): void;
  readonly waiting: number;
}

interface Wait {
  file: string;
  lines: string[];
  startedAt: number;
  lastLineAt: number;
  resolve?: (lines: string[]) => void;
}

/** Finished waits nobody has asked for yet (an announcement not yet started) are kept, this many at most. */
const MAX_UNCLAIMED = 1000;

export function createFollowUpLines(policy: FollowUpPolicy): FollowUpLines {
  const waits = new Map<string, Wait>();
  const unclaimed = new Map<string, string[]>();

  const deadlineOf = (w: Wait): number => Math.min(w.lastLineAt + policy.quietMs, w.startedAt + policy.maxWaitMs);

  const finish = (key: string, w: Wait): void => {
    waits.delete(key);
    if (w.resolve) {
      w.resolve(w.lines);
      return;
    }
    if (unclaimed.size >= MAX_UNCLAIMED) unclaimed.delete(unclaimed.keys().next().value as string);
    unclaimed.set(key, w.lines);
  };

  return {
    start(key, file, now) {
      if (policy.maxLines <= 0) return;
      waits.set(key, { file, lines: [], startedAt: now, lastLineAt: now });
    },
    push(file, text, now) {
      if (waits.size === 0) return;
      for (const [key, w] of waits) {
        if (w.file !== file) continue;
        const room = policy.maxLines - w.lines.length;
        const lines = text.split('\n');
        w.lines.push(...(lines.length > room ? lines.slice(0, room) : lines));
        w.lastLineAt = now;
        if (w.lines.length >= policy.maxLines) finish(key, w);
      }
    },
    wait(key) {
      const done = unclaimed.get(key);
      if (done) {
        unclaimed.delete(key);
        return Promise.resolve(done);
      }
      const w = waits.get(key);
      if (!w) return Promise.resolve([]);
      return new Promise((resolve) => {
        w.resolve = resolve;
      });
    },
    forget(key) {
      const w = waits.get(key);
      waits.delete(key);
      unclaimed.delete(key);
      w?.resolve?.([]);
    },
    expire(now) {
      let next = Infinity;
      for (const [key, w] of waits) {
        const due = deadlineOf(w);
        if (due <= now) finish(key, w);
        else next = Math.min(next, due);
      }
      return next;
    },
    endAll() {
      for (const [key, w] of waits) finish(key, w);
    },
    get waiting() {
      return waits.size;
    },
  };
}
