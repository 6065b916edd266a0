// One failure, one incident: a failing program rarely prints one line. The exception comes with a
// framework's summary of it (Spark's `ERROR FileFormatWriter` then `Exception in thread "main"`),
// an adapter's debug line comes before the error it raises (dbt's `Postgres adapter: Postgres
// error`), an Airflow attempt ends with "Marking task as UP_FOR_RETRY" under its traceback. Each of
// those lines may match a different rule or pack, and each rule's fingerprint differs, so without
// this module one failure opens several incidents, and their alerts use up the storm allowance.
//
// The rule (stated in README "One failure, one alert"): a match joins the incident already open on
// the same file when
//   1. it is near: its record starts at most EPISODE_GAP_BYTES after the incident's last record in
//      that file ended, and at most EPISODE_MS after it (the agent's clock); and
//   2. it is about the same failure: it is the same record; or both name the same exception class,
//      the same quoted or snake_case name (a column, table, model, test or task) or the same pipeline
//      task (DAG, task, run, from fields or the log path); or one quotes the other's error message
//      (Airflow's "Failed to execute job … (Sensor has timed out)"); or its rule is a framework's summary line
//      (RuleInfo.summarises), which reports the failure logged just above it in its own words; or
//      the two records touch (at most ADJACENT_BYTES apart) and either one of them is only a shape
//      (a stack trace, an error line: a language or generic pack rule), the stack of the cause
//      beside it, or both matched the same rule (one failure's lines that fingerprint apart), or the
//      first is a header whose details follow (RuleInfo.introduces: dbt's "Database Error in model X");
//      or the incident so far is records that name nothing (a shape whose text carries no exception,
//      name, task or error message: a wrapper's `ERROR - Running with dbt=1.10`) and this is the first
//      cause below it (a rule that is not a shape), while the incident's alert is unwritten: the vague
//      line announced the failure this record names. Once written, it takes nothing more (a
//      diagnosed incident only keeps samples, so a later failure joined to it would go unseen).
//   Two records naming different steps of one framework, or carrying errors with different
//   messages, are never one failure, however close (a summary line aside: it wraps the error).
// Fingerprints still fold repeats; this module only links records whose fingerprints differ.
import type { LogEvent, Match } from '../types.js';
import { eventScope } from './incident-fields.js';
import { normaliseIds, normaliseMessage } from '../detect/fingerprint.js';

/** How far below the incident's last record a related record may start (about 60–100 log lines). */
export const EPISODE_GAP_BYTES = 8192;
/** "Beside": the next record, or a few lines further (a blank line, a `During handling…` line). */
export const ADJACENT_BYTES = 512;
/** Pack rules below this priority recognise a shape (traceback, exception, error line), not a cause; see PackRule.priority. */
const SHAPE_PRIORITY = 45;
/** How long after the incident's last record (agent clock) a related record may come. */
export const EPISODE_MS = 60_000;
/** Episodes remembered per file: parallel failures of one file (dbt threads) stay apart. */
const EPISODES_PER_FILE = 4;
const MAX_FILES = 1024;
const MAX_KEYS = 64;
/** Only the head of a record names its failure; a long stack need not be scanned. */
const KEY_SCAN_CHARS = 4000;

// `SparkException`, `UndefinedColumn`… : a class-like word ending like an error type.
const EXCEPTION_NAME = /\b[A-Z][A-Za-z0-9]*(?:Exception|Error|Failure|Fault|Violation|Timeout|Warning|Column|Table|Object)\b/g;
// 'col_a', "orders", `model`: names a failure carries verbatim in every line about it.
const QUOTED = /'([^'\n]{2,100})'|"([^"\n]{2,100})"|`([^`\n]{2,100})`/g;
/** Quoted words too common to tie two records together. */
const WEAK_QUOTES = new Set(['main', 'error', 'none', 'null', 'true', 'false', 'default', 'public']);

export interface Episode {
  incidentId: string;
  file: string;
  /** Start of the last record of the episode (byte offset). */
  lastStart: number;
  /** End of the last record of the episode (byte offset). */
  end: number;
  /** Agent clock of the last record. */
  at: number;
  step: string | undefined;
  /** The pack whose record named the step: steps compare only within one framework (a dbt model is no Airflow task). */
  stepPack: string | undefined;
  keys: Set<string>;
  /** The last record matched only a shape rule. */
  lastIsShape: boolean;
  lastRule: string;
  /** The last record is a header whose details follow (RuleInfo.introduces). */
  lastIntroduces: boolean;
  /** The error messages of its records, as phrases another record may quote (lower case). */
  phrases: string[];
  /** What its records say (descriptiveText, lower case, bounded): where another record's phrase may appear. */
  text: string;
  /** The parsed error messages of its records (errorMessageOf). */
  errors: string[];
  /** What its records say failed, with their step's name left out (causeOf). */
  causes: string[];
  /** Every record so far matched a shape and named nothing, and the incident's alert is unwritten. */
  namesNothing: boolean;
}

/** A record's parsed error message, normalised (volatile parts out, lower case, no trailing dot): comparable across records. */
function errorMessageOf(event: LogEvent): string | undefined {
  const message = event.error?.message;
  if (!message) return undefined;
  const normal = normaliseMessage(message.split('\n', 1)[0] ?? '').toLowerCase().replace(/[.\s]+$/, '');
  return normal === '' ? undefined : normal.slice(0, 200);
}

const PHRASE_CHARS = 24;
const MAX_PHRASES = 8;
const MAX_EPISODE_TEXT = 4000;

/** The start of an error message, long enough to be unmistakable ("sensor has timed out; run"). */
function phraseOf(event: LogEvent): string | undefined {
  const message = event.error?.message.replace(/\s+/g, ' ').trim().toLowerCase();
  return message && message.length >= PHRASE_CHARS ? message.slice(0, PHRASE_CHARS) : undefined;
}

function isShape(rule: Match['rule']): boolean {
  return rule.pack !== undefined && (rule.priority ?? 0) < SHAPE_PRIORITY;
}

/** A cause too short to tell one failure from another ("Error", "failed"). */
const MIN_CAUSE_CHARS = 24;

/**
 * What a record says failed, with the lines naming its step left out, normalised: the same for
 * every model of a dbt run that reads a schema that is not there. '' when nothing is left.
 */
function causeOf(event: LogEvent, step: string | undefined): string {
  if (step === undefined) return '';
  const lines = descriptiveText(event)
    .split('\n')
    .filter((line) => !line.includes(step))
    // Counts stay (normaliseIds, not normaliseMessage): a cause two steps share is the same words and
    // figures (`relation "raw.orders" does not exist`), while each data test's `Got 6 results` is its
    // own finding, and two tests failing together are two failures.
    .map((line) => normaliseIds(line).replace(/[ \t]+/g, ' ').trim().toLowerCase())
    .filter((line) => line !== '');
  const cause = lines.join('\n');
  return cause.length >= MIN_CAUSE_CHARS ? cause.slice(0, MAX_EPISODE_TEXT) : '';
}

/** Stack frames and source lines under them name the code, not the failure: every trace shares them (a JVM frame behind a logger's prefix too). */
const FRAME_LINE = /^(?:\s*(?:at\s|File\s"|\.\.\.\s\d+\smore)|\t| {4})|\sat [\w$.<>]+\((?:[\w$.-]+\.(?:java|scala|kt|groovy):\d+|Native Method|Unknown Source)\)\s*$/;
// not_null_orders_id, stg_orders: snake_case names (models, tests, tables, tasks), not `key=` names.
const SNAKE_NAME = /(?<![\w=-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w=(])/g;
const MAX_KEY_LINES = 12;

/** The lines of a record that say what failed: its head and detail lines, not its stack frames. */
function descriptiveText(event: LogEvent): string {
  // A structured record's raw text is mostly its keys ("level", "msg"), which every record shares.
  const raw = event.format === 'text' ? event.raw : event.message;
  const head = raw.length > KEY_SCAN_CHARS ? raw.slice(0, KEY_SCAN_CHARS) : raw;
  const lines = head.split('\n').filter((line) => !FRAME_LINE.test(line)).slice(0, MAX_KEY_LINES);
  if (event.message && !head.includes(event.message)) lines.push(event.message.split('\n', 1)[0] ?? '');
  if (event.error) lines.push(event.error.message.slice(0, 500));
  return lines.join('\n');
}

/** What a record says about the failure it belongs to: exception classes, quoted and snake_case names, its task. */
export function failureKeys(event: LogEvent): Set<string> {
  const keys = new Set<string>();
  const text = descriptiveText(event);
  if (event.error) keys.add(`x:${simpleName(event.error.type)}`);
  for (const m of text.matchAll(EXCEPTION_NAME)) keys.add(`x:${m[0]}`);
  for (const m of text.matchAll(QUOTED)) {
    const name = (m[1] ?? m[2] ?? m[3] ?? '').trim();
    if (name.length >= 2 && !WEAK_QUOTES.has(name.toLowerCase())) keys.add(`q:${name}`);
    if (keys.size >= MAX_KEYS) return keys;
  }
  for (const m of text.matchAll(SNAKE_NAME)) {
    if (m[0].length >= 6) keys.add(`q:${m[0]}`);
    if (keys.size >= MAX_KEYS) return keys;
  }
  const scope = eventScope(event);
  // A task or model name is a name other lines about its failure quote ("Failed to execute job 9 for task load").
  if (scope.step !== undefined) keys.add(`q:${scope.step}`);
  if (scope.pipeline !== undefined && scope.step !== undefined) keys.add(`t:${scope.pipeline}/${scope.step}/${scope.runId ?? ''}`);
  return keys;
}

function simpleName(type: string): string {
  return type.slice(type.lastIndexOf('.') + 1);
}

function sharesKey(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const key of a) if (b.has(key)) return true;
  return false;
}

export interface FailureEpisodes {
  /** The open incident this match belongs to, if any (see the rule above). */
  find(match: Match, at: number): string | undefined;
  /** The match is now part of `incidentId` (opened it, repeated it, or joined it). */
  note(incidentId: string, match: Match, at: number): void;
  /** The incident's alert is written (it has its diagnosis): records that name nothing stop taking the failure below them. */
  written(incidentId: string): void;
  /** The incident is no longer open. */
  forget(incidentId: string): void;
}

export function createFailureEpisodes(): FailureEpisodes {
  /** Per file, most recent episode last. Map order: least recently touched file first. */
  const byFile = new Map<string, Episode[]>();

  function near(e: Episode, event: LogEvent, at: number): boolean {
    const start = event.origin.offset;
    return start >= e.lastStart && start - e.end <= EPISODE_GAP_BYTES && at - e.at <= EPISODE_MS;
  }

  return {
    find(match, at) {
      const event = match.event;
      const episodes = byFile.get(event.origin.file);
      if (!episodes) return undefined;
      const step = eventScope(event).step;
      let keys: Set<string> | undefined;
      let text: string | undefined;
      let error: string | undefined;
      let cause: string | undefined;
      for (let i = episodes.length - 1; i >= 0; i--) {
        const e = episodes[i] as Episode;
        if (!near(e, event, at)) continue;
        if (step !== undefined && e.step !== undefined && step !== e.step && match.rule.pack === e.stepPack) {
          // Steps of one framework failing on one cause (every model reading the schema that is
          // not there) are one failure; on different causes, two, however close.
          cause ??= causeOf(event, step);
          if (cause !== '' && e.causes.includes(cause)) return e.incidentId;
          continue;
        }
        // The same record, or a framework's summary of what is above it.
        if (event.origin.offset === e.lastStart || match.rule.summarises) return e.incidentId;
        // A shape that names nothing (a bare `Traceback (most recent call last):`, a stack frame
        // behind a logger's prefix) cannot be told from the failure above it: it is more of it.
        keys ??= failureKeys(event);
        error ??= errorMessageOf(event) ?? '';
        if (isShape(match.rule) && keys.size === 0 && error === '') return e.incidentId;
        // Two errors with different messages are two failures, whatever else they share (the same
        // exception class, step or rule: KeyError 'amount' and KeyError 'currency').
        if (error !== '' && e.errors.length > 0 && !e.errors.some((x) => x.includes(error as string) || (error as string).includes(x))) continue;
        // The vague line above announced the failure this cause names; only the latest episode, so
        // a cause never reaches past another failure to an older vague line.
        if (e.namesNothing && i === episodes.length - 1 && !isShape(match.rule)) return e.incidentId;
        const beside = event.origin.offset - e.end <= ADJACENT_BYTES;
        if (beside && e.lastIntroduces) return e.incidentId;
        if (beside && (e.lastIsShape || isShape(match.rule) || e.lastRule === match.rule.id)) return e.incidentId;
        if (sharesKey(keys, e.keys)) return e.incidentId;
        const phrase = phraseOf(event);
        if (phrase !== undefined && e.text.includes(phrase)) return e.incidentId;
        text ??= descriptiveText(event).toLowerCase();
        if (e.phrases.some((p) => (text as string).includes(p))) return e.incidentId;
      }
      return undefined;
    },

    note(incidentId, match, at) {
      const event = match.event;
      const file = event.origin.file;
      const episodes = byFile.get(file) ?? [];
      byFile.delete(file);
      let e = episodes.find((x) => x.incidentId === incidentId);
      if (e) episodes.splice(episodes.indexOf(e), 1);
      else e = { incidentId, file, lastStart: 0, end: 0, at, step: undefined, stepPack: undefined, keys: new Set(), lastIsShape: false, lastRule: '', lastIntroduces: false, phrases: [], text: '', errors: [], causes: [], namesNothing: true };
      // A record further up (a rotated file started over) never moves the episode back.
      if (event.origin.offset >= e.lastStart) {
        e.lastStart = event.origin.offset;
        e.end = Math.max(e.end, event.origin.endOffset);
        e.lastIsShape = isShape(match.rule);
        e.lastRule = match.rule.id;
        e.lastIntroduces = match.rule.introduces === true;
      }
      const error = errorMessageOf(event);
      if (error !== undefined && e.errors.length < MAX_PHRASES && !e.errors.includes(error)) e.errors.push(error);
      const cause = causeOf(event, eventScope(event).step);
      if (cause !== '' && e.causes.length < MAX_PHRASES && !e.causes.includes(cause)) e.causes.push(cause);
      const phrase = phraseOf(event);
      if (phrase !== undefined && e.phrases.length < MAX_PHRASES && !e.phrases.includes(phrase)) e.phrases.push(phrase);
      if (e.text.length < MAX_EPISODE_TEXT) e.text = `${e.text}\n${descriptiveText(event).toLowerCase()}`.slice(0, MAX_EPISODE_TEXT);
      e.at = at;
      if (e.step === undefined) {
        e.step = eventScope(event).step;
        e.stepPack = match.rule.pack;
      }
      const keys = failureKeys(event);
      for (const key of keys) if (e.keys.size < MAX_KEYS) e.keys.add(key);
      e.namesNothing &&= isShape(match.rule) && keys.size === 0 && error === undefined;
      episodes.push(e);
      if (episodes.length > EPISODES_PER_FILE) episodes.shift();
      if (byFile.size >= MAX_FILES) byFile.delete(byFile.keys().next().value as string);
      byFile.set(file, episodes);
    },

    written(incidentId) {
      for (const episodes of byFile.values()) for (const e of episodes) if (e.incidentId === incidentId) e.namesNothing = false;
    },

    forget(incidentId) {
      for (const [file, episodes] of byFile) {
        const left = episodes.filter((e) => e.incidentId !== incidentId);
        if (left.length === episodes.length) continue;
        if (left.length === 0) byFile.delete(file);
        else byFile.set(file, left);
      }
    },
  };
}
