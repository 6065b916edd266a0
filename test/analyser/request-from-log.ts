// The synthetic corpus's engine-alone check (test/analyser/corpus.test.ts): each fixture in
// test/fixtures/failures/ becomes one DiagnoseRequest handed straight to the analyser. This is NOT
// what the agent sends and not the score: `npm run eval` (scripts/eval/) replays logs through the
// agent's own modules. Kept because it isolates the analyser from detection.
//
// How a fixture becomes a DiagnoseRequest (an approximation of what the agent sends, documented so
// the figures can be read honestly):
// - JSON-lines and logfmt logs: the first record at level error/fatal (or pino level >= 50) is the failing
//   record; text = its message, error and stack; `error` carries {type, message, rawStack} when the
//   record has an error object (as the parse stage hands it over), a bare message for string errors;
//   `step` / `pipeline` come from the record's fields; context = up to 50 lines before it, after =
//   up to 50 lines after it (a traceback printed below a JSON record, as the agent passes). A string
//   error with no stack gets the logging call site the record names (slog `source`, zap `caller`,
//   Python `pathname`/`lineno`) as its one frame, via callerFrame(): the parse stage is meant to do
//   the same (see src/parse/stack-trace/structured-caller.ts).
// - Text logs: text = from the first error-looking line to the end of the file (a multi-line record
//   plus what follows it); context = up to 50 lines before it. No step is given: the analyser must
//   find names in the text itself.
import { basename } from 'node:path';
import { loadCorpus as loadCases } from '../../scripts/eval/corpus.js';
import type { Category, DiagnoseRequest, Diagnosis, ErrorInfo } from '../../src/types.js';
import { callerFrame } from '../../src/parse/stack-trace/structured-caller.js';
import { ERROR_KEY_NAMES, MESSAGE_KEY_NAMES, STACK_TEXT_KEY_NAMES } from '../../src/parse/parse-record.js';
import { looksLikeLogfmt, parseLogfmt } from '../../src/parse/logfmt.js';

export interface FixtureLabel {
  file: string;
  stack: string;
  category: Category;
  location: { file: string; line: number | null; function: string | null } | null;
  retryable: boolean;
}

export interface Fixture {
  name: string;
  label: FixtureLabel;
  log: string;
}

export type Engine = (request: DiagnoseRequest) => Promise<Diagnosis>;

export interface CaseResult {
  name: string;
  stack: string;
  label: FixtureLabel;
  diagnosis: Diagnosis;
  detected: boolean;
  categoryOk: boolean;
  locationOk: boolean;
  retryableOk: boolean;
}

export interface Score {
  cases: number;
  detection: number;
  category: number;
  location: number;
  retryable: number;
}

const CONTEXT_LINES = 50;
/** The agent hands the brain at most this many lines logged after the failing record. */
const AFTER_LINES = 50;

/** Every `<stack>/<name>.log` with its `<name>.json` label (the eval's reader); a bad label fails loudly here. */
export function loadCorpus(dir: string): Fixture[] {
  const corpus = loadCases(dir);
  if (corpus.problems.length > 0) throw new Error(`bad cases in ${dir}: ${corpus.problems.join('; ')}`);
  return corpus.cases.map((c) => ({ name: c.name, label: c.label as FixtureLabel, log: c.log }));
}

const ERROR_LOOKING =
  /\b(?:ERROR|FATAL|CRITICAL|SEVERE|PANIC|FAIL(?:ED)?)\b|Traceback \(most recent call last\)|^panic: |^fatal error: |\b[A-Z]\w*(?:Error|Exception)\b|\berror:|Failure in test|level=ERROR|permission denied|refused|timed out|SIGKILL|^(?:node:\S+|\/\S+|file:\/\/\S+):\d+$/;

const BELOW_ERROR_LEVEL = /^\d{4}-\d\d-\d\dT\S+\s+(?:TRACE|DEBUG|INFO|WARN(?:ING)?)\s/;

function jsonRecord(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON or logfmt (logrus, slog's text handler) record: both name their fields. */
function structuredRecord(line: string): Record<string, unknown> | undefined {
  return jsonRecord(line) ?? (looksLikeLogfmt(line) ? parseLogfmt(line) : undefined);
}

function isErrorRecord(record: Record<string, unknown>): boolean {
  const level = record.level;
  if (typeof level === 'number') return level >= 50;
  return typeof level === 'string' && /^(?:error|fatal|critical|panic)$/i.test(level);
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function fromJson(record: Record<string, unknown>): Pick<DiagnoseRequest, 'text' | 'error' | 'step' | 'pipeline'> {
  // The same keys the parse stage reads (structlog's `event` message, its `exception` traceback string).
  const parts = [MESSAGE_KEY_NAMES.map((key) => str(record[key])).find((v) => v !== undefined) ?? ''];
  let error: ErrorInfo | undefined;
  const err = ERROR_KEY_NAMES.map((key) => record[key]).find((v) => v !== undefined && v !== null);
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    const type = str(e.type) ?? str(e.name) ?? 'Error';
    const message = str(e.message) ?? '';
    const stack = str(e.stack);
    error = stack ? { type, message, stack: [], rawStack: stack } : { type, message, stack: [] };
    parts.push(stack ?? `${type}: ${message}`);
  } else if (typeof err === 'string') {
    error = { type: 'error', message: err, stack: [] };
    parts.push(err);
  }
  // The same keys the parse stage reads a stack from (Python's JSON formatters use exc_info / exc_text).
  const stacktrace = STACK_TEXT_KEY_NAMES.map((key) => str(record[key])).find((v) => v !== undefined);
  if (stacktrace) parts.push(stacktrace);
  if (error && error.stack.length === 0 && error.rawStack === undefined && !stacktrace) {
    const caller = callerFrame(record);
    if (caller) error.stack = [caller];
  }
  const out: Pick<DiagnoseRequest, 'text' | 'error' | 'step' | 'pipeline'> = { text: parts.join('\n') };
  if (error) out.error = error;
  const step = str(record.step);
  if (step) out.step = step;
  const pipeline = str(record.pipeline);
  if (pipeline) out.pipeline = pipeline;
  return out;
}

export function requestFromLog(log: string, name: string): DiagnoseRequest {
  const lines = log.replace(/\n+$/, '').split('\n');
  const base = { fingerprint: name, rule: 'eval', severity: 'error' as const };
  const jsonIndex = lines.findIndex((line) => {
    const record = structuredRecord(line);
    return record !== undefined && isErrorRecord(record);
  });
  if (jsonIndex >= 0) {
    const record = structuredRecord(lines[jsonIndex] ?? '') ?? {};
    const fields = fromJson(record);
    const request: DiagnoseRequest = { ...base, title: fields.text.split('\n', 1)[0] ?? name, context: lines.slice(Math.max(0, jsonIndex - CONTEXT_LINES), jsonIndex), ...fields };
    // As the agent's one-shot reader does: the lines logged after the failing record.
    const after = lines.slice(jsonIndex + 1, jsonIndex + 1 + AFTER_LINES);
    if (after.length > 0) request.after = after;
    return request;
  }
  // A line whose own level field is below error (zap's console `WARN  publish retry  {"error": …}`)
  // is a notice the agent's rules skip, even when it quotes an error: start at the failing record.
  let start = lines.findIndex((line) => ERROR_LOOKING.test(line) && !BELOW_ERROR_LEVEL.test(line));
  if (start < 0) start = lines.findIndex((line) => ERROR_LOOKING.test(line));
  if (start < 0) start = Math.max(0, lines.length - 1);
  const text = lines.slice(start).join('\n');
  return { ...base, title: lines[start] ?? name, text, context: lines.slice(Math.max(0, start - CONTEXT_LINES), start) };
}

function locationMatches(label: FixtureLabel['location'], got: Diagnosis['location']): boolean {
  if (label === null) return got === null;
  if (got === null) return false;
  if (label.line === null) {
    // Frameless failures: the named model, task or step is the location.
    return label.function !== null ? got.function === label.function : basename(got.file) === basename(label.file);
  }
  return basename(got.file) === basename(label.file) && got.line === label.line;
}

export function judge(fixture: Fixture, diagnosis: Diagnosis): CaseResult {
  const { label } = fixture;
  return {
    name: fixture.name,
    stack: label.stack,
    label,
    diagnosis,
    detected: diagnosis.category !== 'unknown' && (diagnosis.location !== null || label.location === null),
    categoryOk: diagnosis.category === label.category,
    locationOk: locationMatches(label.location, diagnosis.location),
    retryableOk: diagnosis.retryable === label.retryable,
  };
}

export async function runCorpus(fixtures: Fixture[], engine: Engine): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const fixture of fixtures) {
    results.push(judge(fixture, await engine(requestFromLog(fixture.log, fixture.name))));
  }
  return results;
}

export function score(results: readonly CaseResult[]): Score {
  const n = results.length || 1;
  const rate = (pick: (r: CaseResult) => boolean): number => results.filter(pick).length / n;
  return {
    cases: results.length,
    detection: rate((r) => r.detected),
    category: rate((r) => r.categoryOk),
    location: rate((r) => r.locationOk),
    retryable: rate((r) => r.retryableOk),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(7);

/** A per-stack table, the overall line, and each miss with what was expected. */
export function formatReport(results: readonly CaseResult[], engineName: string): string {
  const stacks = [...new Set(results.map((r) => r.stack))].sort();
  const out = [`engine: ${engineName}`, '', 'stack        cases  detection  category  location  retryable'];
  const row = (name: string, s: Score): string =>
    `${name.padEnd(12)} ${String(s.cases).padStart(5)}  ${pct(s.detection)}    ${pct(s.category)}   ${pct(s.location)}   ${pct(s.retryable)}`;
  for (const stack of stacks) out.push(row(stack, score(results.filter((r) => r.stack === stack))));
  out.push(row('overall', score(results)));
  const latencies = results.map((r) => r.diagnosis.latencyMs).sort((a, b) => a - b);
  if (latencies.length > 0) {
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
    out.push('', `latency per diagnosis: mean ${mean.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${(latencies.at(-1) ?? 0).toFixed(2)} ms (first call includes JIT warm-up)`);
  }
  const misses = results.filter((r) => !r.detected || !r.categoryOk || !r.locationOk || !r.retryableOk);
  if (misses.length > 0) {
    out.push('', 'misses:');
    for (const r of misses) {
      const got = r.diagnosis.location;
      const want = r.label.location;
      const parts: string[] = [];
      if (!r.categoryOk) parts.push(`category ${r.diagnosis.category} (want ${r.label.category})`);
      if (!r.locationOk) {
        const fmt = (l: { file: string; line: number | null; function: string | null } | null): string =>
          l ? `${basename(l.file)}:${l.line ?? '-'} ${l.function ?? ''}`.trim() : 'null';
        parts.push(`location ${fmt(got)} (want ${fmt(want)})`);
      }
      if (!r.retryableOk) parts.push(`retryable ${r.diagnosis.retryable} (want ${r.label.retryable})`);
      if (!r.detected) parts.push('not detected');
      out.push(`  ${r.name}: ${parts.join('; ')}`);
    }
  }
  return out.join('\n');
}
