// Parse stage: one RawRecord in, one LogEvent out, whatever the format. It never throws: a record
// that claims a format and breaks it (a cut JSON line) is parsed as text and the reason reported.
import type { ErrorInfo, Level, LogEvent, RawRecord, StackFrame } from '../types.js';
import { parseLogfmt, looksLikeLogfmt } from './logfmt.js';
import { callerFrame } from './stack-trace/structured-caller.js';
import { clipJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';

export type RecordFormat = 'auto' | 'json' | 'logfmt' | 'text';

export interface ParseResult {
  event: LogEvent;
  /**
   * `invalid_json`: the record looked like JSON but was not; the event is then plain text.
   * `too_deep`: nested deeper than MAX_JSON_DEPTH; the deep parts are kept as text.
   */
  problem?: 'invalid_json' | 'too_deep';
}

export const LEVEL_ALIASES: Readonly<Record<string, Level>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  information: 'info',
  notice: 'info',
  note: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  exception: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  panic: 'fatal',
  emerg: 'fatal',
  alert: 'fatal',
  severe: 'error',
};

// Numeric levels as pino / bunyan write them.
export const NUMERIC_LEVELS: ReadonlyArray<readonly [number, Level]> = [
  [60, 'fatal'],
  [50, 'error'],
  [40, 'warn'],
  [30, 'info'],
  [20, 'debug'],
  [10, 'trace'],
];

export function normaliseLevel(value: unknown): Level {
  if (typeof value === 'number') return NUMERIC_LEVELS.find(([n]) => value >= n)?.[1] ?? 'trace';
  if (typeof value !== 'string') return 'unknown';
  return LEVEL_ALIASES[value.trim().toLowerCase()] ?? 'unknown';
}

// The first level word of a text line: `2026-01-01 12:00:00 ERROR foo`, `[2026-…] {x.py:12} ERROR - …`,
// glog / klog's letter is read only with the whole header after it (`E1203 12:00:00.123456   1234
// file.go:42] …`: month and day, the time to the microsecond, the thread id, the call site); a letter
// and four digits alone are too easy to misread.
const TEXT_LEVEL = /\b(TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|FATAL|CRITICAL|SEVERE|PANIC)\b/;
// Telegraf / InfluxDB's level letters: `2020-09-16T16:55:47Z E! [inputs.exec] …`, or `E! [agent] …` at
// the line's start, either behind syslog's `telegraf[5518]: `. Only there: a letter and `!` anywhere
// else is a word of the message. After a timestamp the line holds ` E! `, else `E! [`: the words
// levelWords gives the screen.
const AGENT_LETTER_LEVEL = /^(?:[^\n[]{0,100}\[\d{1,10}\]: )?(?:\d{4}-\d\d-\d\dT[\d:.]{8,18}(?:Z|[+-]\d\d:?\d\d) ([EWID])! |([EWID])! \[)/;
const AGENT_LETTERS: Readonly<Record<string, Level>> = { E: 'error', W: 'warn', I: 'info', D: 'debug' };
const GLOG_HEADER = /^([IWEF])(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]) \d\d:\d\d:\d\d\.\d{6} +\d{1,10} [^\s:\]]{1,300}:\d{1,7}\] /;
const GLOG_LETTERS: Readonly<Record<string, Level>> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' };
// librdkafka's default log line (every language's Kafka client built on it: confluent-kafka, kcat,
// node-rdkafka): `%3|1612345678.123|FAIL|rdkafka#producer-1| …`, its syslog severity first. Read
// before the level words: its facility (`|ERROR|`, `|FAIL|`) is no level, and a `%7|` debug line
// quotes errors it is only tracing. Anywhere in the first line behind a space or colon: runners
// prefix it with their clock (`13:02:12  %4|…`) or relay it (`… - Log: %5|…`).
const RDKAFKA_LEVEL = /(?:^|[\s:])%([0-7])\|\d{9,11}\.\d{3}\|[A-Z][A-Z0-9_]{0,30}\|/;
const SYSLOG_SEVERITIES: readonly Level[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'];

/**
 * The level a glog / klog header at the start of `text` gives, if any. No literal every such line
 * holds can stand in levelWords: the record screen probes with glogLetters and asks this.
 */
export function glogLevel(text: string): Level | undefined {
  const m = GLOG_HEADER.exec(text.slice(0, 400));
  return m ? GLOG_LETTERS[m[1] as string] : undefined;
}

/** The names a level table gives `level`, lower-cased (the record screen folds ASCII case). */
function namesOf(table: Readonly<Record<string, Level>>, level: Level): string[] {
  return Object.entries(table)
    .filter(([, l]) => l === level)
    .map(([name]) => name.toLowerCase());
}

/** The lower-case letters glog / klog write for `level` (`e` for error), for the record screen. */
export function glogLetters(level: Level): string[] {
  return namesOf(GLOG_LETTERS, level);
}
const TRACEBACK_START = /^(Traceback \(most recent call last\)|Exception in thread |panic: |goroutine \d+ \[)/m;

/**
 * Lower-case words one of which a record's text must contain (ASCII case aside) for it to be given
 * `level` from a level word: the alias table (JSON / logfmt values, which are trimmed and lower-cased;
 * TEXT_LEVEL's words are aliases too) plus, for `error`, the starts of TRACEBACK_START. A numeric
 * level (pino's 50) is not covered: see NUMERIC_LEVELS; nor a glog header: see glogLevel. The record screen (detect/record-screen.ts)
 * relies on this list being complete, so it lives beside the code it describes.
 */
export function levelWords(level: Level): string[] {
  const words = namesOf(LEVEL_ALIASES, level);
  if (level === 'error') words.push('traceback (most recent call last)', 'exception in thread ', 'panic: ', 'goroutine ');
  // AGENT_LETTER_LEVEL's letters: ` E! ` after a timestamp, `E! [` at the line's start.
  for (const letter of namesOf(AGENT_LETTERS, level)) words.push(` ${letter}! `, `${letter}! [`);
  // RDKAFKA_LEVEL's severities: `%3|`.
  SYSLOG_SEVERITIES.forEach((l, severity) => {
    if (l === level) words.push(`%${severity}|`);
  });
  return words;
}

/** The keys a JSON / logfmt record's level is read from, in order. */
export const LEVEL_KEY_NAMES: readonly string[] = ['level', 'severity', 'levelname', 'lvl', 'log.level', 'loglevel', 'log_level'];
/** The keys a record's message is read from, in order. */
export const MESSAGE_KEY_NAMES: readonly string[] = ['msg', 'message', 'event', 'log', 'text'];
/** Keys whose object value becomes the event's error. */
export const ERROR_KEY_NAMES: readonly string[] = ['error', 'err', 'exception'];
/** Keys whose string value becomes the event's error (a formatted traceback). */
export const STACK_TEXT_KEY_NAMES: readonly string[] = ['exc_info', 'exc_text', 'stack_trace', 'stacktrace', 'stack', 'traceback'];

// A severe level word right after a debug or trace one, closed by its own delimiter.
const RELAYED_LEVEL = /^[:[\]|)> -]{1,4}(ERROR|FATAL|CRITICAL|SEVERE|PANIC)(?:[:\]|]| -)/;

// A wrapper that logs its child's stderr at ERROR (Maven's frontend plugin: `[ERROR] [BABEL] Note: …`,
// `[ERROR] npm WARN deprecated …`; a CI step: `ERROR: warning: …`): the child's own level word right
// behind it, at most behind the child's bracketed name, is the record's. Only a lower level: a
// relay's graver word (RELAYED_LEVEL) already wins.
const CHILD_LEVEL = /^[:\]|)> -]{1,4}(?:\[[\w.-]{1,30}\] ?)?(?:(?:npm|yarn|pnpm) (WARN|warn|notice)\b|(WARN(?:ING)?|[Ww]arning|NOTE|[Nn]ote|INFO|NOTICE|[Nn]otice)[:\]] )/;

// A lower-case level word counts only between delimiters near the start (`[error]`, `| warn |`,
// `<info>`): bare, "error" is as often a word of the message.
const DELIMITED_LEVEL = /[[|<(] {0,3}(trace|debug|info|notice|warn(?:ing)?|error|err|fatal|critical|crit) {0,3}[\]|>)]/i;

function guessTextLevel(text: string): Level {
  const firstLine = text.slice(0, Math.min(text.length, 300));
  const letter = AGENT_LETTER_LEVEL.exec(firstLine);
  const letterLevel = letter ? AGENT_LETTERS[letter[1] ?? letter[2] ?? ''] : undefined;
  if (letterLevel !== undefined) return letterLevel;
  const rdkafka = RDKAFKA_LEVEL.exec(firstLine);
  if (rdkafka) return SYSLOG_SEVERITIES[Number(rdkafka[1])] as Level;
  const glog = glogLevel(text);
  if (glog !== undefined) return glog;
  const found = TEXT_LEVEL.exec(firstLine);
  if (found?.[1]) {
    const level = normaliseLevel(found[1]);
    if (level === 'error') {
      const child = CHILD_LEVEL.exec(firstLine.slice(found.index + found[0].length));
      const childWord = child?.[1] ?? child?.[2];
      return childWord ? normaliseLevel(childWord) : level;
    }
    // A debug channel relaying an error (`DEBUG: ERROR: The "x" request failed: …`): the error's level.
    if (level !== 'debug' && level !== 'trace') return level;
    const relayed = RELAYED_LEVEL.exec(firstLine.slice(found.index + found[0].length));
    return relayed?.[1] ? normaliseLevel(relayed[1]) : level;
  }
  const delimited = DELIMITED_LEVEL.exec(firstLine.slice(0, 80));
  if (delimited?.[1]) return normaliseLevel(delimited[1]);
  return TRACEBACK_START.test(text) ? 'error' : 'unknown';
}

const TS_KEYS = ['ts', 'time', 'timestamp', '@timestamp', 'asctime', 'datetime'];
const LEVEL_KEYS = LEVEL_KEY_NAMES;
const MESSAGE_KEYS = MESSAGE_KEY_NAMES;
const STACK_KEYS = ['stack', 'stack_trace', 'stacktrace', 'exc_info', 'exception', 'traceback'];

function firstKey(fields: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) if (fields[key] !== undefined && fields[key] !== null) return fields[key];
  return undefined;
}

function parseTimestamp(value: unknown, fallback: number): number {
  if (typeof value === 'number') return value < 1e12 ? value * 1000 : value; // seconds or ms
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  return fallback;
}

/** An `error` object as loggers write it: {type|name|kind, message|msg, stack (string or frames)}. */
function errorFromObject(value: unknown): ErrorInfo | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  const type = firstKey(obj, ['type', 'name', 'kind', 'class', 'exc_type']);
  const message = firstKey(obj, ['message', 'msg', 'reason', 'exc_value']);
  const stack = firstKey(obj, STACK_KEYS);
  if (type === undefined && message === undefined && stack === undefined) return undefined;
  const info: ErrorInfo = { type: typeof type === 'string' ? type : 'Error', message: message === undefined ? '' : String(message), stack: [] };
  if (typeof stack === 'string') info.rawStack = stack;
  else if (Array.isArray(stack)) {
    // Frames as objects (structured loggers) or as strings (one line each).
    if (stack.every((f) => typeof f === 'string')) info.rawStack = stack.join('\n');
    else info.stack = stack.filter((f): f is StackFrame => !!f && typeof f === 'object' && typeof (f as StackFrame).file === 'string');
  }
  return info;
}

function errorFromFields(fields: Record<string, unknown>): ErrorInfo | undefined {
  const errorValue = fields.error ?? fields.err ?? fields.exception; // ERROR_KEY_NAMES
  const fromObject = errorFromObject(errorValue);
  if (fromObject) return fromObject;
  const stack = firstKey(fields, STACK_TEXT_KEY_NAMES);
  const rawStack = typeof stack === 'string' && stack.length > 0 ? stack : undefined;
  // zap and slog carry the error as a string field, its stack (if any) in a key beside it.
  if (typeof errorValue === 'string' && errorValue.trim() !== '') {
    if (rawStack !== undefined) return { type: 'Error', message: errorValue, stack: [], rawStack };
    // No stack, but the logger recorded its call site (slog `source`, zap `caller`, Python's
    // pathname/lineno): that is where the error was logged, the best location there is.
    const caller = callerFrame(fields);
    return { type: 'Error', message: errorValue, stack: caller ? [caller] : [] };
  }
  if (rawStack === undefined) return undefined;
  // Python's JSON formatters put the formatted traceback in exc_info / exc_text: its last line is
  // `Type: message`. A Go or Java stack ends in a frame (`/src/main.go:42`), which names no type.
  const lastLine = rawStack.trimEnd().split('\n').pop() ?? '';
  const colon = lastLine.indexOf(':');
  const type = colon > 0 ? lastLine.slice(0, colon).trim() : '';
  if (/^[A-Za-z_][\w.$]*$/.test(type)) return { type, message: lastLine.slice(colon + 1).trim(), stack: [], rawStack };
  return { type: 'Error', message: lastLine.trim(), stack: [], rawStack };
}

function fromFields(record: RawRecord, fields: Record<string, unknown>, format: 'json' | 'logfmt'): LogEvent {
  const message = firstKey(fields, MESSAGE_KEYS);
  const event: LogEvent = {
    ts: parseTimestamp(firstKey(fields, TS_KEYS), record.readAt),
    readAt: record.readAt,
    level: normaliseLevel(firstKey(fields, LEVEL_KEYS)),
    message: typeof message === 'string' ? message : message === undefined ? record.text : JSON.stringify(message),
    fields,
    raw: record.text,
    format,
    origin: record.origin,
  };
  const error = errorFromFields(fields);
  if (error) event.error = error;
  return event;
}

function asText(record: RawRecord): LogEvent {
  return {
    ts: record.readAt,
    readAt: record.readAt,
    level: guessTextLevel(record.text),
    message: record.text,
    fields: {},
    raw: record.text,
    format: 'text',
    origin: record.origin,
  };
}

function tryJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For records that are not parsed (the detector's screen ruled them out): whether the record is a
 * JSON one whose first line is visibly cut (does not end in `}`), so parse errors are still counted
 * for the common case, a truncated record. A first line that ends in `}` and is invalid is not seen.
 */
export function looksCutJson(text: string, format: RecordFormat = 'auto'): boolean {
  if (!(format === 'json' || (format === 'auto' && text.charCodeAt(0) === 123))) return false;
  let end = text.indexOf('\n');
  if (end === -1) end = text.length;
  while (end > 0 && /\s/.test(text[end - 1] as string)) end--;
  return text.charCodeAt(end - 1) !== 125 /* } */;
}

export function parseRecord(record: RawRecord, format: RecordFormat = 'auto'): ParseResult {
  const text = record.text;
  const firstChar = text.charCodeAt(0);
  if (format === 'json' || (format === 'auto' && firstChar === 123 /* { */)) {
    // A JSON record may carry a multi-line tail (a stack printed after the line): parse the first line.
    const newline = text.indexOf('\n');
    const clip = clipJsonDepth(newline === -1 ? text : text.slice(0, newline), MAX_JSON_DEPTH);
    const fields = tryJson(clip.text);
    if (fields) return clip.clipped ? { event: fromFields(record, fields, 'json'), problem: 'too_deep' } : { event: fromFields(record, fields, 'json') };
    return { event: asText(record), problem: 'invalid_json' };
  }
  if (format === 'logfmt' || (format === 'auto' && looksLikeLogfmt(text))) {
    const fields = parseLogfmt(text);
    if (Object.keys(fields).length > 0) {
      const event = fromFields(record, fields, 'logfmt');
      if (event.level === 'unknown') event.level = guessTextLevel(text);
      return { event };
    }
  }
  return { event: asText(record) };
}
