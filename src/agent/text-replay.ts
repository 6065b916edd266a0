// A finished log played into the pipeline as a tailed file would deliver it, on a virtual clock:
// the file grows line by line; lines go through the source's splitter and multi-line joiner (with
// the source's join timeout), records through the pipeline, and whatever falls due on the way (a
// joined record's timeout, the end of a wait for the lines after a failure, the incident tick)
// happens at its own time. `npm run eval` scores what the live agent would announce this way, and
// `sentinel test-rules` checks rules on the incidents the lines open.
//
// Pace: a line whose timestamp is later than the last stamped line's arrives that much later (the
// log's own gaps, so a quiet spell after a failure is replayed as one, and a threshold's window is
// measured on the log's time); any other line arrives LINE_MS after the one before it, a fast
// writer, faster than the join timeout.
import type { SourceConfig } from '../config/config-types.js';
import type { IncidentUpdate } from '../incident/incident-update.js';
import { neutraliseControls } from '../redact/control-chars.js';
import { createLineSplitter } from '../source/line-splitter.js';
import { createMultilineJoiner, type JoinedRecord } from '../source/multiline-joiner.js';
import type { RawRecord } from '../types.js';
import { TICK_MS, type Pipeline } from './pipeline.js';

export const LINE_MS = 10;
/** A stamped gap longer than a day is a clock oddity (a time-only stamp past midnight), not a pause. */
const MAX_GAP_MS = 86_400_000;

/** The pipeline's clock when a replay drives it: time moves only when the replay says so. */
export interface VirtualClock {
  readonly now: () => number;
  set(ms: number): void;
}

export function createVirtualClock(start = 0): VirtualClock {
  let clock = start;
  return {
    now: () => clock,
    set(ms) {
      clock = ms;
    },
  };
}

export interface ReplayOptions {
  /** Whose reading rules apply (max_line_bytes, multiline, format); its name labels the records. */
  source: SourceConfig;
  /** The file name the records carry. */
  file: string;
  clock: VirtualClock;
  lineMs?: number;
}

interface Line {
  text: string;
  start: number;
  end: number;
  at: number;
}

const STAMP = [
  // 2023-09-08T10:14:54.123Z, 2023-09-08 10:14:54,123, Airflow's [2023-09-08, 10:14:54 +07]
  { re: /(\d{4})-(\d\d)-(\d\d)(?:[T ]|, )(\d\d):(\d\d):(\d\d)(?:[.,](\d{1,6}))?/, date: true, yy: false },
  // log4j/Spark: 23/01/01 10:00:00
  { re: /\b(\d\d)\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)(?:[.,](\d{1,6}))?/, date: true, yy: true },
  // time of day only: 10:14:54.123
  { re: /\b(\d\d):(\d\d):(\d\d)(?:[.,](\d{1,6}))?\b/, date: false, yy: false },
];

/** The epoch-ish ms a line's leading timestamp names, when it has one near its start. */
export function stampMs(text: string): number | undefined {
  const head = text.length > 200 ? text.slice(0, 200) : text;
  for (const { re, date, yy } of STAMP) {
    const m = re.exec(head);
    if (!m) continue;
    const n = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
    const frac = (s: string | undefined): number => (s ? Number(s.padEnd(3, '0').slice(0, 3)) : 0);
    if (!date) return ((n[0] ?? 0) * 3600 + (n[1] ?? 0) * 60 + (n[2] ?? 0)) * 1000 + frac(m[4]);
    const year = yy ? 2000 + (n[0] ?? 0) : (n[0] ?? 0);
    return Date.UTC(year, (n[1] ?? 1) - 1, n[2] ?? 1, n[3], n[4], n[5]) + frac(m[7]);
  }
  return undefined;
}

function linesOf(log: string, maxLineBytes: number, lineMs: number): Line[] {
  const buf = Buffer.from(log, 'utf8');
  const lines: Line[] = [];
  const sink = (text: string, start: number, end: number): void => {
    lines.push({ text, start, end, at: 0 });
  };
  const splitter = createLineSplitter({ maxLineBytes });
  const next = splitter.push(buf, buf.length, 0, sink);
  if (next < buf.length) splitter.flushPartial(buf.subarray(next), buf.length - next, next, sink);
  let at = 0;
  let lastStamp: number | undefined;
  for (const line of lines) {
    const stamp = stampMs(line.text);
    const gap = stamp !== undefined && lastStamp !== undefined ? stamp - lastStamp : 0;
    at += gap > lineMs && gap <= MAX_GAP_MS ? gap : lineMs;
    if (stamp !== undefined) lastStamp = stamp;
    line.at = at;
  }
  return lines;
}

/**
 * Plays `log` into the pipeline to its end, then ends every wait (no more lines will come).
 * Returns every update the pipeline gave, in order; the pipeline announced them as it went.
 */
export function replayText(log: string, pipeline: Pipeline, options: ReplayOptions): IncidentUpdate[] {
  const { source, file, clock } = options;
  const joiner = createMultilineJoiner({
    startPattern: source.multiline.start_pattern,
    timeoutMs: source.multiline.timeout_ms,
    maxLines: source.multiline.max_lines,
    maxBytes: source.multiline.max_bytes,
  });
  const updates: IncidentUpdate[] = [];
  const joined: JoinedRecord[] = [];
  let followUpDeadline = Infinity;
  let lastTick = clock.now();

  const deliver = (): void => {
    if (joined.length === 0) return;
    const records: RawRecord[] = joined.map((r) => ({
      text: r.text,
      origin: { source: source.name, file, offset: r.offset, endOffset: r.endOffset, ...(r.line === undefined ? {} : { line: r.line }) },
      readAt: clock.now(),
    }));
    joined.length = 0;
    updates.push(...pipeline.take(source.format, records));
  };
  const step = (): void => {
    const at = clock.now();
    joiner.flushIfDue(at, joined);
    deliver();
    followUpDeadline = pipeline.expire(at);
    if (at - lastTick >= TICK_MS) {
      lastTick = at;
      updates.push(...pipeline.tick());
    }
  };
  const nextDue = (): number => Math.min(joiner.deadline(), followUpDeadline);

  const lines = linesOf(log, source.max_line_bytes, options.lineMs ?? LINE_MS);
  let lineNo = 1;
  for (const line of lines) {
    // Whatever falls due before this line arrives happens first, at its own time.
    for (let due = nextDue(); due < line.at; due = nextDue()) {
      clock.set(due);
      step();
    }
    clock.set(line.at);
    // As the live source does (file-source.ts): control sequences go before the joiner and parse.
    joiner.push(neutraliseControls(line.text), line.start, line.end, lineNo++, line.at, joined);
    step();
  }
  for (let due = nextDue(); due !== Infinity; due = nextDue()) {
    clock.set(Math.max(clock.now(), due));
    step();
  }
  pipeline.endAll();
  return updates;
}
