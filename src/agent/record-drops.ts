// Failure isolation per record: a record the agent cannot process (a bug in a parser, a rule over
// its match budget) is counted in sentinel_dropped_total{stage,reason}, logged with its file and
// offset, and skipped; the records around it go on. Logging is bounded: a flood of bad records
// gives at most LOG_PER_MINUTE lines a minute per stage and reason, the rest are only counted.
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RawRecord } from '../types.js';

export const RECORD_DROP_STAGES = ['parse', 'detect', 'incident'] as const;
export const RECORD_DROP_REASONS = ['exception', 'match_budget'] as const;
export type RecordDropStage = (typeof RECORD_DROP_STAGES)[number];
export type RecordDropReason = (typeof RECORD_DROP_REASONS)[number];

const LOG_PER_MINUTE = 10;

export interface RecordDrops {
  drop(stage: RecordDropStage, reason: RecordDropReason, record: RawRecord, err: unknown): void;
}

export function createRecordDrops(deps: { metrics: Metrics; logger: Logger; now: () => number }): RecordDrops {
  const windows = new Map<string, { startedAt: number; logged: number; quiet: number }>();
  for (const stage of RECORD_DROP_STAGES) for (const reason of RECORD_DROP_REASONS) deps.metrics.dropped.labels({ stage, reason }).inc(0);
  return {
    drop(stage, reason, record, err) {
      deps.metrics.dropped.inc({ stage, reason });
      const key = `${stage}:${reason}`;
      const now = deps.now();
      let w = windows.get(key);
      if (!w || now - w.startedAt >= 60_000) {
        if (w && w.quiet > 0) deps.logger.warn({ stage, reason, count: w.quiet }, 'More records were skipped in the last minute; they were only counted.');
        w = { startedAt: now, logged: 0, quiet: 0 };
        windows.set(key, w);
      }
      if (w.logged >= LOG_PER_MINUTE) {
        w.quiet++;
        return;
      }
      w.logged++;
      const { file, offset, line } = record.origin;
      const detail = err instanceof Error ? err.message : String(err);
      deps.logger.warn({ stage, reason, file, offset, line, err: detail }, 'Record skipped: it could not be processed; the rest of its batch goes on.');
    },
  };
}
