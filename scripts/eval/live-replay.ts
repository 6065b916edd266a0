// Plays one finished log into the live agent's own modules as a tailed file would deliver it, on a
// virtual clock: the file grows line by line; lines go through the source's splitter and multi-line
// joiner (with the source's join timeout), records through the agent's intake (screen, parse,
// detect, incidents, the lines it waits for after a failure), and each opened incident is
// diagnosed with the request the agent would send at the moment it announces. Nothing after that
// moment reaches the brain.
//
// Pace: a line whose timestamp is later than the last stamped line's arrives that much later
// (the log's own gaps, so a quiet spell after a failure is replayed as one); any other line
// arrives LINE_MS after the one before it, a fast writer, faster than the join timeout.
import type { Brain } from '../../src/brain/brain.js';
import type { SentinelConfig } from '../../src/config/config-types.js';
import { createDetector } from '../../src/detect/detector.js';
import { createIncidentTracker } from '../../src/incident/incident-tracker.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { silentLogger } from '../../src/log.js';
import { createRedactor } from '../../src/redact/redactor.js';
import { createLineSplitter } from '../../src/source/line-splitter.js';
import { createMultilineJoiner, type JoinedRecord } from '../../src/source/multiline-joiner.js';
import { TICK_MS } from '../../src/agent/agent.js';
import { oneShotSource } from '../../src/agent/diagnose-file.js';
import { liveFollowUp, type FollowUpPolicy } from '../../src/agent/follow-up-lines.js';
import { createIncidentIntake } from '../../src/agent/incident-intake.js';
import type { DiagnoseRequest, Diagnosis, Incident, RawRecord } from '../../src/types.js';

export const LINE_MS = 10;
/** A stamped gap longer than a day is a clock oddity (a time-only stamp past midnight), not a pause. */
const MAX_GAP_MS = 86_400_000;

export interface Announcement {
  incident: Incident;
  request: DiagnoseRequest;
  diagnosis: Diagnosis;
}

export interface LiveOutcome {
  /** Incidents opened, whether announced at once or held for a storm digest. */
  incidents: number;
  /** Incidents announced on their own, in the order they were announced. */
  announced: Announcement[];
}

export interface ReplayOptions {
  /** Default: the live agent's own policy, `incidents.lines_after` of the config. */
  followUp?: FollowUpPolicy;
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

export async function replayLive(log: string, config: SentinelConfig, brain: Brain, options: ReplayOptions = {}): Promise<LiveOutcome> {
  const source = oneShotSource(config, 'replay.log');
  let clock = 0;
  const now = (): number => clock;
  const metrics = createMetrics({ defaultMetrics: false });
  const tracker = createIncidentTracker({ config: config.incidents, stateDir: null, metrics, logger: silentLogger(), now });
  const detector = createDetector(config);
  const intake = createIncidentIntake({ detector: () => detector, tracker, redactor: createRedactor(config.redact.patterns), metrics, now, followUp: options.followUp ?? liveFollowUp(config.incidents.lines_after) });
  const joiner = createMultilineJoiner({
    startPattern: source.multiline.start_pattern,
    timeoutMs: source.multiline.timeout_ms,
    maxLines: source.multiline.max_lines,
    maxBytes: source.multiline.max_bytes,
  });
  const announced: Promise<Announcement>[] = [];
  const joined: JoinedRecord[] = [];
  let followUpDeadline = Infinity;
  let lastTick = 0;

  // The request is fixed when the intake ends its wait (on this virtual clock); the brain may answer later.
  const announce = (incident: Incident): void => {
    announced.push(intake.request(incident).then(async (request) => ({ incident, request, diagnosis: await brain.diagnose(request) })));
  };

  const deliver = (): void => {
    if (joined.length === 0) return;
    const records: RawRecord[] = joined.map((r) => ({
      text: r.text,
      origin: { source: source.name, file: 'replay.log', offset: r.offset, endOffset: r.endOffset, ...(r.line === undefined ? {} : { line: r.line }) },
      readAt: clock,
    }));
    joined.length = 0;
    for (const update of intake.take(source.format, records)) if (update.kind === 'opened' && update.incident) announce(update.incident);
  };
  const step = (): void => {
    joiner.flushIfDue(clock, joined);
    deliver();
    followUpDeadline = intake.expire(clock);
    if (clock - lastTick >= TICK_MS) {
      lastTick = clock;
      for (const update of tracker.tick()) if (update.kind === 'opened' && update.incident) announce(update.incident);
    }
  };

  const lines = linesOf(log, source.max_line_bytes, options.lineMs ?? LINE_MS);
  let lineNo = 1;
  for (const line of lines) {
    // Whatever falls due before this line arrives happens first, at its own time.
    for (let due = Math.min(joiner.deadline(), followUpDeadline); due < line.at; due = Math.min(joiner.deadline(), followUpDeadline)) {
      clock = due;
      step();
    }
    clock = line.at;
    joiner.push(line.text, line.start, line.end, lineNo++, clock, joined);
    step();
  }
  for (let due = Math.min(joiner.deadline(), followUpDeadline); due !== Infinity; due = Math.min(joiner.deadline(), followUpDeadline)) {
    clock = Math.max(clock, due);
    step();
  }
  intake.endAll();
  const opened = (await metrics.incidentsOpened.get()).values.reduce((n, v) => n + v.value, 0);
  return { incidents: opened, announced: await Promise.all(announced) };
}
