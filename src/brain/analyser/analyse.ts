// The built-in analyser: deterministic, offline, a few milliseconds. It finds the error chain, the
// innermost frame in user code, and every knowledge-base signature that fires on the chain, the
// record or its context; a learned combiner (learned-category.ts) weighs all that evidence and picks
// the category, and the strongest signature of that category explains it. When the combiner is
// unsure, it says "unknown" with low confidence rather than guess.
import { performance } from 'node:perf_hooks';
import type { Category, DiagnoseRequest, Diagnosis, ErrorInfo, Location, StackFrame } from '../../types.js';
import { extractErrorChain, libraryFrameOf, userFrameOf, type ParsedError } from '../../parse/stack-trace/extract-error.js';
import { unfoldJsonStacks } from './json-stack.js';
import { isUserFrame, normaliseFile } from '../../parse/stack-trace/user-code.js';
import { firstLine } from './describe.js';
import type { Finding, Signature } from './finding.js';
import { createRedactor } from '../../redact/redactor.js';
import { CATEGORY_MODEL } from './category-model.data.js';
import { SIGNATURES, WEAK_SIGNATURES } from './knowledge-base.js';
import { type CategoryModel, categoryProbabilities, type Evidence, knownWordCount, wordPosterior, wordVerdict } from './learned-category.js';
import { categoryAdvice } from './category-advice.js';
import { categoryFeatures, type HeardSignature, type HitPlace } from './category-evidence.js';
import { readSourceLine } from './source-line.js';
import { callerLocationOf, configFileOf, diagnosticLocationOf, loggerClassOf, nodeBannerOf, sparkCallSiteOf } from './diagnostic-location.js';
import { findNamedStep } from './step-name.js';

export interface AnalyseOptions {
  /** Read code lines from disk when the trace lacks them (file exists, path is readable). Default true. */
  readSourceFiles?: boolean;
  now?: () => number;
  /** Masks secrets in code lines read from disk (log text arrives redacted; files do not). Default: the built-in redactor. */
  redact?: (text: string) => string;
  /** Let the learned combiner decide the category from all the evidence. Default true; off to measure the signatures' own first answer. */
  learned?: boolean;
  /** The combiner's model; default the shipped one (category-model.data.ts). Training scores held-out logs with a model that never saw them. */
  categoryModel?: CategoryModel;
}

const defaultRedactor = createRedactor();

const MAX_CONTEXT_LINES = 200;
const MAX_EVIDENCE = 6;
const MAX_EVIDENCE_CHARS = 300;
const RETRYABLE_CATEGORIES: ReadonlySet<Category> = new Set(['timeout', 'rate_limit', 'network_or_service_unavailable']);

// Log lines that report a failure (scanned when the error chain itself is not recognised, e.g. an
// Airflow "Bash command failed" whose cause is in the relayed output above it).
const ERRORISH =
  /error|exception|fail|\b[45]\d\d (?:Bad|Service|Gateway|Internal|Too|Not Found|Forbidden|Unauthori[sz]ed|Conflict)\b|fatal|deadlock|raised|abort|refused|denied|killed|SIGKILL|panic|unable|cannot|could not|not found|no such|timed out|exceeded|violat|invalid|does not exist|not recognized|not authori[sz]ed|out of sync|no active|missing|mismatch|changed type|does not match|throttl|too many|conflict/i;
const EMPTY_BATCH =
  /\b0 (?:rows|records|items|orders|files|lines|events)\b|\b(?:rows|records|row_count|num_rows|n_rows|record_count|rows_read|rows_extracted|batch_size|count)["']?\s*[:=]\s*0n?\b(?!\.\d)|\bempty (?:batch|dataframe|input|file|result|partition)s?\b|Empty DataFrame|\bno (?:rows|records|data)\b|\b(?:read|extracted|fetched|loaded|returned|received|got) 0\b/i;

/** The error chain the failing record itself describes, root first. */
function recordChainOf(request: DiagnoseRequest): ErrorInfo[] {
  const given = request.error;
  if (given) {
    if (given.stack.length > 0) return [given];
    const parsed = given.rawStack ? extractErrorChain(given.rawStack) : [];
    // A stack without its header (zap's `stacktrace` beside a string `error`): the frames are the
    // given error's own.
    if (parsed.length === 1 && parsed[0] && parsed[0].message === '' && given.message !== '') {
      return [{ ...parsed[0], type: /^[\w.$]+$/.test(given.type) ? given.type : 'error', message: given.message }];
    }
    if (parsed.length > 0) return parsed;
    // A string error (zap, slog) may come with its frames elsewhere in the record.
    const fromText = extractErrorChain(unfoldJsonStacks(request.text.split('\n')).join('\n'));
    return fromText.some((e) => e.stack.length > 0) ? [...fromText, given] : [given];
  }
  return extractErrorChain(unfoldJsonStacks(request.text.split('\n')).join('\n'));
}

/**
 * The same failure with the message the record left out (dbt prints `Database Error in model x`,
 * then the message on the lines below): `below`'s copy of the root, with the record's frames.
 */
function completed(own: ErrorInfo[], below: ErrorInfo[]): ErrorInfo[] | undefined {
  const root = own[0];
  if (own.length !== 1 || root === undefined || root.message.trim() !== '') return undefined;
  const i = below.findIndex((e) => e.type === root.type && e.message.trim() !== '');
  const full = below[i];
  if (!full) return undefined;
  return below.map((e, j) => (j === i && e.stack.length === 0 ? { ...e, stack: root.stack } : e));
}

/**
 * The error chain the request describes, root first. The record's own chain wins when it reaches
 * user code; otherwise the lines printed after it (a wrapped cause, a driver stacktrace) are read
 * with it, then the lines before it (a relayed child-process trace above a wrapper's report).
 */
function chainOf(request: DiagnoseRequest): ErrorInfo[] {
  const own = withUserFlags(recordChainOf(request));
  const located = userFrameOf(own) !== undefined;
  const bare = own.length === 1 && own[0]?.message.trim() === '';
  if (request.after && request.after.length > 0 && (!located || bare)) {
    const below = withUserFlags(extractErrorChain(unfoldJsonStacks([request.text, ...request.after]).join('\n')));
    const full = completed(own, below);
    if (full) return full;
    // The lines below carry frames the record lacks (a panic's place wrapped onto the next line, a
    // traceback cut from its header): the same failure, told with where it happened.
    const framesOnlyBelow = own.every((e) => e.stack.length === 0) && below.some((e) => e.stack.length > 0);
    if (!located && below.length > 0 && (own.length === 0 || framesOnlyBelow || userFrameOf(below))) return below;
  }
  if (own.length > 0) return own;
  const fromContext = withUserFlags(extractErrorChain(unfoldJsonStacks(request.context.slice(-MAX_CONTEXT_LINES)).join('\n')));
  if (fromContext.length > 0) return fromContext;
  const named = bareErrorOf(request.text);
  return named ? [named] : [];
}

// A traceback's frame line (Python's, or an `at …` line of Node, the JVM, .NET).
const FRAME_LINE = /^\s*(?:File "|"?[^\s"]{1,500}\.py", line \d)|^\s+at \S/;

/**
 * The record is the exception line of a traceback whose frames arrived as records of their own just
 * before it (a cut paste, a logger that splits lines): the frames above and the record read as one.
 * Only when the lines before end inside a traceback, and only the chain whose exception is the record's.
 */
function joinedWithFramesAbove(contextLines: readonly string[], text: string): ErrorInfo[] | undefined {
  const above = contextLines.slice(-50);
  if (!above.slice(-3).some((line) => line.length < 4000 && FRAME_LINE.test(line))) return undefined;
  const chain = extractErrorChain(unfoldJsonStacks([...above, text]).join('\n'));
  const outer = chain.at(-1) as Partial<ParsedError> | undefined;
  if (outer?.lineIndex === undefined || outer.lineIndex < above.length || !chain.some((e) => e.stack.length > 0)) return undefined;
  return withUserFlags(chain);
}

// An exception named on a line of its own with no frames under it (a cut paste, a one-line
// report): `pkg.errors.SerializationException: Unknown magic byte!`, `CsvError: Invalid Record Length`.
const BARE_ERROR = /^\s*(?:Caused by: |Uncaught )?((?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*(?:Error|Exception|Fault|Failure)|(?:[a-z_]\w*\.)+(?:exceptions?|errors?)\.[A-Z]\w*): (.+)$/;

// Snakemake names the exception and where it was raised, and prints its message on the next line:
// `NameError in file /w/Snakefile, line 12:` (Snakemake 8) or `KeyError in line 5 of /w/Snakefile:`.
const SNAKEMAKE_ERROR = /^\s*((?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception)) in (?:file \S+, line \d+|line \d+ of \S+):\s*$/;

function bareErrorOf(text: string): ErrorInfo | undefined {
  const lines = text.split(/\r?\n/, 200);
  for (const [i, line] of lines.entries()) {
    if (line.length > 4000) continue;
    const m = BARE_ERROR.exec(line);
    if (m?.[1] && m[2]) return { type: m[1], message: m[2].trim(), stack: [] };
    const snakemake = SNAKEMAKE_ERROR.exec(line);
    if (snakemake?.[1]) return { type: snakemake[1], message: (lines.slice(i + 1).find((next) => next.trim() !== '') ?? '').trim().slice(0, 4000), stack: [] };
  }
  return undefined;
}

// Frames the runtime calls back into: a timer or immediate firing, the microtask queue.
const RUNTIME_CALLBACK = /^(?:Timeout|Immediate)\.(?:_onTimeout|_onImmediate|<anonymous>)$|^(?:listOnTimeout|processTimers|processImmediate|process\.processTimers|process\.processImmediate|process\.processTicksAndRejections)$/;

/** The error's user frames are all timer / runtime callbacks: the error was raised by a timer, not by the work. */
function raisedByTimer(error: ErrorInfo): boolean {
  const user = error.stack.filter((f) => f.inUserCode);
  return user.length > 0 && user.every((f) => RUNTIME_CALLBACK.test(f.function ?? '')) && error.stack.some((f) => /^(?:Timeout|Immediate)\./.test(f.function ?? ''));
}

function relayedUserFrame(contextLines: string[], text: string): ReturnType<typeof userFrameOf> {
  const joined = joinedWithFramesAbove(contextLines, text);
  return (joined && userFrameOf(joined)) ?? userFrameOf(withUserFlags(extractErrorChain(unfoldJsonStacks(contextLines.slice(-50)).join('\n'))));
}

/** `postgres.ERROR: x` → `ERROR: x`, `dbt.DatabaseError: x` → `dbt DatabaseError: x`: parser tags read as the tools print them. */
function prettify(text: string): string {
  return text.replace(/\bpostgres\.(ERROR|FATAL|PANIC): /g, '$1: ').replace(/\bdbt\.(\w+): /g, 'dbt $1: ');
}

function subjectOf(error: ErrorInfo): string {
  return error.message ? `${error.type}: ${error.message}` : error.type;
}

function toLocation(frame: StackFrame, readSource: boolean, redact: (text: string) => string): Location {
  const file = normaliseFile(frame.file).slice(0, 4096);
  let code = frame.code?.slice(0, 1000) ?? null;
  if (!code && readSource && frame.line !== undefined) {
    const fromDisk = readSourceLine(file, frame.line);
    if (fromDisk) code = redact(fromDisk);
  }
  return { file, line: frame.line ?? null, function: frame.function ?? null, code };
}

/** The innermost frame of the chain in `file` (the same path, either separator), if the chain shows one. */
function frameInFile(chain: readonly ErrorInfo[], file: string): StackFrame | undefined {
  const want = normaliseFile(file).replaceAll('\\', '/');
  if (!want.includes('/')) return undefined;
  for (const error of chain) {
    const python = error.stack.length > 0 && error.stack.every((f) => f.file.endsWith('.py'));
    const frames = python ? [...error.stack].reverse() : error.stack;
    const frame = frames.find((f) => f.line !== undefined && normaliseFile(f.file).replaceAll('\\', '/') === want);
    if (frame) return frame;
  }
  return undefined;
}

/** Re-derives inUserCode for frames handed over by other stages that did not set it. */
function withUserFlags(chain: ErrorInfo[]): ErrorInfo[] {
  return chain.map((error) => {
    if (error.stack.every((f) => f.inUserCode !== undefined)) return error;
    const python = error.stack.every((f) => f.file.endsWith('.py'));
    return {
      ...error,
      stack: error.stack.map((f) => (f.inUserCode !== undefined ? f : { ...f, inUserCode: isUserFrame(python ? 'python' : 'node', f.file) })),
    };
  });
}

// A source file the error message itself names (`Cannot find package 'pg' imported from /app/dist/load.js`).
// Or any path to a source file the message quotes (a flow file, a script, a model that is not there).
const NAMED_SOURCE = /(?:imported from|required from|in file|at) ((?:file:\/\/)?\/[\w./@-]+\.(?:[cm]?[jt]s|py|go|java|scala|sql))\b/;
const QUOTED_SOURCE = /(?:^|[\s'"`(])((?:[A-Za-z]:)?[\w.~@-]*[\\/][\w./\\@-]*\.(?:[cm]?[jt]s|py|go|java|scala|sql|rs|kt|ipynb))(?=$|[\s'"`):,])/;
// A runner naming the script it was loading, whose path may hold spaces or no folder at all
// (`Script at 'flows/etl.py' encountered an exception`, `while importing module etl from file /My Files/etl.py.`).
const LOADED_SCRIPT = /\b(?:[Ss]cript at\s{1,3}|from file |while (?:loading|importing|running) |[Ee]xecut(?:ion|ing) (?:of )?)(?:'([^'\n]{1,300}\.(?:py|[cm]?[jt]s|sql|ipynb))'|"([^"\n]{1,300}\.(?:py|[cm]?[jt]s|sql|ipynb))"|((?:[A-Za-z]:|\.{1,2})?[\\/][^\n'"]{0,300}?\.(?:py|[cm]?[jt]s|sql|ipynb))(?=$|[\s.,:;)]))/;
// A message that says the file it quotes is missing (`Cannot find module '/app/build/app.js'`,
// `No such file or directory: '/workflow.py'`): the file is what was not there, not where it failed.
const MISSING_FILE = /\b(?:Cannot find module|[Nn]o such file or directory|ENOENT|[Ff]ile not found|[Dd]oes not exist)\b/;
const INSTALLED = /[\\/](?:site|dist)-packages[\\/]|[\\/]node_modules[\\/]/;

/** A source file the failure's messages name (the chain's, else the failing record's own lines). */
function sourceFileNamedIn(chain: ErrorInfo[], textLines: readonly string[]): Location | null {
  const messages = chain.map((error) => error.message.slice(0, 4000));
  // The record read whole: a runner may wrap its sentence before the path (`Script at\n'/tmp/x/flows.py'`).
  for (const message of [...messages, textLines.join('\n').slice(0, 16_000)]) {
    const script = message.includes('cript at') || message.includes('from file ') || message.includes('while ') || message.includes('xecut') ? LOADED_SCRIPT.exec(message) : null;
    const named = script?.[1] ?? script?.[2] ?? script?.[3];
    if (named && !INSTALLED.test(named)) return { file: normaliseFile(named), line: null, function: null, code: null };
  }
  // Any source path a message quotes; not the record's other lines, whose paths are mostly frames.
  for (const message of messages) {
    const m = NAMED_SOURCE.exec(message) ?? (MISSING_FILE.test(message) ? null : QUOTED_SOURCE.exec(message));
    if (m?.[1] && !INSTALLED.test(m[1])) return { file: normaliseFile(m[1]), line: null, function: null, code: null };
  }
  return null;
}

interface Hit {
  signature: Signature;
  finding: Finding;
  /** How far from the error chain the evidence was: lowers confidence. */
  penalty: number;
  line?: string;
  place: HitPlace;
  category: Category;
}

function test(signature: Signature, base: Omit<Finding, 'subject' | 'match' | 'error'>, subject: string, error: ErrorInfo | undefined): Finding | undefined {
  if (subject.length > 20_000) subject = subject.slice(0, 20_000);
  const match = signature.pattern.exec(subject) ?? signature.codes?.exec(subject) ?? null;
  if (!match) return undefined;
  const finding: Finding = { ...base, subject, match, error };
  if (signature.when && !signature.when(finding)) return undefined;
  return finding;
}

function hitOf(signature: Signature, finding: Finding, place: HitPlace, penalty: number, line?: string): Hit {
  const category = typeof signature.category === 'function' ? signature.category(finding) : signature.category;
  return { signature, finding, penalty, place, category, ...(line !== undefined ? { line } : {}) };
}

/**
 * How much a match says: a short token (`401`, `429`) or a word inside a quoted value
 * (`KeyError: 'Forbidden'`) says little, and is heard only when nothing better speaks; among the
 * rest, the list's order (specific causes before broad ones) decides.
 */
function weightOf(finding: Finding): number {
  const at = finding.match.index;
  const text = finding.match[0].trim();
  return text.length <= 4 || /^\d+$/.test(text) || insideQuotes(finding.subject, at) ? 1 : 2;
}

/** Whether position `at` lies inside a quoted single token (`'Forbidden'`, `"rate_limit"`): a key or a name, not a sentence. */
function insideQuotes(subject: string, at: number): boolean {
  const m = /(['"])([^'"\s]{1,80})\1/g;
  const lineStart = subject.lastIndexOf('\n', at) + 1;
  const lineEnd = subject.indexOf('\n', at);
  const line = subject.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  for (const q of line.matchAll(m)) {
    const start = lineStart + (q.index ?? 0);
    if (at > start && at < start + q[0].length) return true;
  }
  return false;
}

/** Every signature that fired, strongest place first, and the one the signatures' own order picks. */
interface Heard {
  hits: Hit[];
  first: Hit | undefined;
}

/**
 * Hears the evidence: every signature on every chain link (root cause first); when none of them is
 * specific, every signature on the record's own failure lines and then the context's (closest first)
 * up to the first line one explains; and by exception type alone. `first` is the
 * signatures' own answer: a specific signature on the chain; else one on the record's own lines,
 * then the context's; else the exception type alone; else weak evidence (a short token, a quoted
 * value), with less confidence.
 */
function hear(chain: ErrorInfo[], textLines: string[], contextLines: string[], base: Omit<Finding, 'subject' | 'match' | 'error'>): Heard {
  const strong: Hit[] = [];
  const weak: Hit[] = [];
  for (const error of chain) {
    const subject = subjectOf(error);
    for (const signature of SIGNATURES) {
      const finding = test(signature, base, subject, error);
      if (!finding) continue;
      if (weightOf(finding) > 1) strong.push(hitOf(signature, finding, 'chain', 0));
      else weak.push(hitOf(signature, finding, 'weak', 0.2));
    }
  }
  const lineHits: Hit[] = [];
  // The lines are read only until one explains the failure, as the signatures' order would: a
  // strong chain hit already decides, and hearing every line of a long record costs the hot path.
  const scans: [string[], number, HitPlace][] = strong.length > 0 ? [] : [
    [textLines, 0.1, 'own'],
    [contextLines.slice(-50).reverse(), 0.2, 'context'],
  ];
  for (const [lines, penalty, place] of scans) {
    const own = place === 'own';
    for (const [i, line] of lines.entries()) {
      // A stack frame says where, not what: `at async Timeout._onTimeout (finder.js:147)` or a
      // traceback's code line (`callback_timeout=callback_timeout`) is no timeout.
      if (own && (STACK_FRAME_LINE.test(line) || PYTHON_FRAME_LINE.test(lines[i - 1] ?? ''))) continue;
      // A database server's notice is no error (`NOTICE:  relation "x" already exists, skipping`):
      // a tool that fails on one fails for its own reason.
      if (SERVER_NOTICE_LINE.test(line)) continue;
      // The failing record's own lines are all evidence (dbt puts the cause on an indented line
      // under `Database Error`; a chain may end in `502 Bad Gateway`); the context's only where
      // they report a failure.
      if (line.length > 4000 || (!own && (/^\s/.test(line) || !ERRORISH.test(line)))) continue;
      for (const signature of SIGNATURES) {
        const finding = test(signature, base, lineSubject(line), chain[0]);
        if (!finding) continue;
        // A short token or a quoted value on a line (`KeyError: 'Forbidden'`) is weak evidence there too.
        if (weightOf(finding) > 1) lineHits.push(hitOf(signature, finding, place, penalty, line.trim()));
        else weak.push(hitOf(signature, finding, 'weak', 0.2, line.trim()));
      }
      if (lineHits.length > 0) break;
    }
    if (lineHits.length > 0) break;
  }
  const typeHits: Hit[] = [];
  for (const error of chain) {
    for (const signature of WEAK_SIGNATURES) {
      const finding = test(signature, base, subjectOf(error), error);
      if (finding) typeHits.push(hitOf(signature, finding, 'type', 0));
    }
  }
  const hits = [...strong, ...lineHits, ...typeHits, ...weak];
  return { hits, first: hits[0] };
}

// A frame of a stack as Node, the JVM, Python, Go and Rust print it.
const STACK_FRAME_LINE = /^\s*at (?:async )?\S[^\n]*(?:\([^()]*:\d+(?::\d+)?\)|:\d+:\d+\)?)\s*$|^\s*at [\w$.<>/-]+\((?:[^()\s]*|Native Method|Unknown Source)\)\s*$|^\s*File "[^"]+", line \d+|^\s+\S+\.go:\d+(?: \+0x[0-9a-f]+)?\s*$|^\s*\d+: (?:0x[0-9a-f]+ - )?[\w:<>$]+\s*$/;
const PYTHON_FRAME_LINE = /^\s*File "[^"]+", line \d+/;
// PostgreSQL's notices, as psql and the server print them (the severity, a colon, two spaces); not LOG,
// whose lines report server events that do end work (a backend killed by signal 9).
const SERVER_NOTICE_LINE = /(?:^|[\s:])(?:NOTICE|INFO|DEBUG[1-5]?): {2}(?=\S)/;

/** The error a structured line carries (`err="…"`, `"error":"…"`), else the line itself. */
function lineSubject(line: string): string {
  const m = /\b(?:err|error)=("(?:[^"\\]|\\.)*")/.exec(line) ?? /"(?:err|error|message)"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(line);
  if (m?.[1]) {
    try {
      return String(JSON.parse(m[1]));
    } catch {
      return m[1].slice(1, -1);
    }
  }
  return line.trim();
}

function clipLine(line: string): string {
  const one = line.replace(/\s+/g, ' ').trim();
  return one.length > MAX_EVIDENCE_CHARS ? one.slice(0, MAX_EVIDENCE_CHARS - 1) + '…' : one;
}

function evidenceOf(chain: ErrorInfo[], location: Location | null, hit: Hit | undefined, emptyBatch: string | undefined): string[] {
  const out: string[] = [];
  const add = (line: string | undefined): void => {
    if (!line) return;
    const clipped = clipLine(line);
    if (clipped && !out.includes(clipped) && out.length < MAX_EVIDENCE) out.push(clipped);
  };
  const root = chain[0];
  if (root) add(firstLine(subjectOf(root), MAX_EVIDENCE_CHARS));
  if (hit?.line) add(hit.line);
  if (hit?.finding.error && hit.finding.error !== root) add(firstLine(subjectOf(hit.finding.error), MAX_EVIDENCE_CHARS));
  const outer = chain.at(-1);
  if (outer && outer !== root) add(firstLine(subjectOf(outer), MAX_EVIDENCE_CHARS));
  if (location && location.line !== null) add(`at ${location.file}:${location.line}${location.function ? ` in ${location.function}` : ''}`);
  if (location?.code) add(location.code);
  add(emptyBatch);
  return out;
}

/** What the analyser reads off a request before it decides: the chain, where it failed, and every signature heard. */
interface Reading {
  chain: ErrorInfo[];
  textLines: string[];
  named: ReturnType<typeof findNamedStep>;
  located: ReturnType<typeof userFrameOf>;
  location: Location | null;
  emptyBatch: string | undefined;
  heard: Heard;
  /** The combiner's evidence, built only when a model will weigh it (tokenising is most of its cost). */
  features: () => Evidence;
}

function read(request: DiagnoseRequest, readSource: boolean, redact: (text: string) => string): Reading {
  const chain = chainOf(request);
  const textLines = request.after && request.after.length > 0 ? [...request.text.split(/\r?\n/), ...request.after] : request.text.split(/\r?\n/);
  const contextLines = request.context.slice(-MAX_CONTEXT_LINES);

  const named = request.step ? { step: request.step, container: request.pipeline } : findNamedStep(textLines, contextLines);
  // A wrapper's report with no user frame (Airflow's "Task failed" over spark-submit) follows the
  // child's relayed trace: the user frame is there, above the record.
  const framed = userFrameOf(chain) ?? (chain.length > 0 && contextLines.length > 0 ? relayedUserFrame(contextLines, request.text) : undefined);
  // An error a runner raised from a timer (a step timeout) has the timer callback as its only
  // user frame: that is not where the user's code failed, the step that ran out of time is.
  const located = framed && !(named && raisedByTimer(framed.error)) ? framed : undefined;
  let location: Location | null = located ? toLocation(located.frame, readSource, redact) : null;
  // No frame: a compiler's or Terraform's own diagnostic names the file and line more precisely than a step name.
  if (!location) location = diagnosticLocationOf(textLines) ?? callerLocationOf(request.text.split('\n')) ?? nodeBannerOf([...contextLines.slice(-10), ...textLines].flatMap((record) => record.split('\n'))) ?? null;
  const library = location ? undefined : libraryFrameOf(chain);
  if (library) location = toLocation(library.frame, readSource, redact);
  if (!location) location = sparkCallSiteOf([...contextLines.slice(-50), ...textLines]) ?? null;
  if (!location && named) location = { file: named.container ?? named.step, line: null, function: named.step, code: null };
  if (!location) location = loggerClassOf(textLines) ?? null;
  if (!location) location = sourceFileNamedIn(chain, textLines);
  if (!location) location = configFileOf(textLines, contextLines.slice(-100)) ?? null;
  // The record names no place (a run's summary: `Done. PASS=2 ERROR=1`): the closest tool diagnostic above it does.
  if (!location) location = diagnosticLocationOf(contextLines.slice(-50).reverse(), false) ?? null;
  // A file named without its line (a loader's `Failed to import: /dags/x.py`, a script a runner was
  // loading) whose own frame the traceback shows: that frame says the line.
  const framedFile = location && location.line === null ? frameInFile(chain, location.file) : undefined;
  if (framedFile) location = toLocation(framedFile, readSource, redact);

  const emptyBatch = [...contextLines, ...textLines].find((line) => line.length < 4000 && EMPTY_BATCH.test(line));
  const text = [...contextLines.slice(-50), ...textLines].join('\n');
  const base = { chain, location, step: named?.step, emptyBatch, text };
  const heard = hear(chain, textLines, contextLines, base);
  const said = (h: Hit): HeardSignature => ({ id: h.signature.id, category: h.category, confidence: h.signature.confidence, place: h.place });
  const features = (): Evidence => categoryFeatures({ heard: heard.hits.map(said), first: heard.first && said(heard.first), chain, located: located !== undefined, text });
  return { chain, textLines, named, located, location, emptyBatch, heard, features };
}

/** The evidence features the category combiner weighs for this request (what `npm run train:category` trains on). */
export function categoryEvidenceOf(request: DiagnoseRequest): Evidence {
  return read(request, false, (text) => text).features();
}

/**
 * The category, the signature whose explanation goes with it, and the combiner's calibrated
 * probability of that category. The category is the signatures' first answer; when none fired, the
 * word scorer's verdict if it is sure enough and knows enough of the words, else unknown. (The combiner's own choice was measured and
 * was right less often, or not clearly more often in any band: ADR 0017.) Without a model
 * (options.learned false): the signatures alone.
 */
function decide(heard: Heard, featuresOf: () => Evidence, options: AnalyseOptions): { category: Category; hit: Hit | undefined; probability: number | undefined } {
  const model = options.learned === false ? undefined : (options.categoryModel ?? CATEGORY_MODEL);
  const first = heard.first;
  if (!model || model.categories.length === 0) return { category: first?.category ?? 'unknown', hit: first, probability: undefined };
  const features = featuresOf();
  // The word scorer's posterior feeds both the combiner and, when no signature fired, the verdict.
  const posterior = wordPosterior(model.words, features.words);
  const probabilities = categoryProbabilities(model, features, posterior);
  const probabilityOf = (category: Category): number => probabilities[model.categories.indexOf(category)] ?? 0;
  if (first) return { category: first.category, hit: first, probability: probabilityOf(first.category) };
  const verdict = wordVerdict(model, features, posterior);
  if (!verdict || verdict.probability < model.minProbability || knownWordCount(model.words, features.words) < (model.minVerdictWords ?? 0)) {
    return { category: 'unknown', hit: undefined, probability: undefined };
  }
  return { category: verdict.category, hit: undefined, probability: probabilityOf(verdict.category) };
}

export function analyse(request: DiagnoseRequest, options: AnalyseOptions = {}): Diagnosis {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const readSource = options.readSourceFiles ?? true;
  const redact = options.redact ?? ((text: string) => defaultRedactor.redact(text));
  const { chain, textLines, named, located, location, emptyBatch, heard, features } = read(request, readSource, redact);
  const { category, hit, probability } = decide(heard, features, options);

  let summary: string;
  let rootCause: string;
  let fix: string[];
  let retryable = false;
  let confidence: number;
  if (hit) {
    const { signature, finding } = hit;
    ({ summary, rootCause, fix } = signature.explain(finding));
    retryable = typeof signature.retryable === 'function' ? signature.retryable(finding) : signature.retryable;
    confidence = probability ?? signature.confidence - hit.penalty + (located ? 0.05 : 0) - (location ? 0 : 0.1);
  } else {
    const root = chain[0];
    // No error chain: the record's own failing line says more than the rule's title.
    const failingLine = (textLines.find((line) => line.length < 4000 && ERRORISH.test(line)) ?? textLines.find((line) => line.trim() !== ''))?.trim();
    summary = root ? `${firstLine(subjectOf(root), 160)}${location ? ` (${location.file}${location.line !== null ? `:${location.line}` : ''})` : ''}` : firstLine(failingLine || request.title || request.text, 160);
    const start =
      location?.line != null
        ? `Start at ${location.file}:${location.line} with the error message above.`
        : 'Read the evidence lines and the surrounding log to find the failing step and its error.';
    if (category !== 'unknown') {
      // The word scorer's category, no signature fired: say what it resembles and what to check.
      const advice = categoryAdvice(category, probability ?? 0);
      rootCause = advice.rootCause;
      fix = [...advice.check, start];
      retryable = RETRYABLE_CATEGORIES.has(category);
    } else {
      rootCause = root
        ? `The built-in analyser found the error but does not recognise its cause; read the error message and the failing frame.`
        : 'The built-in analyser found no recognisable error in this record.';
      fix = [start];
    }
    confidence = probability ?? (root ? 0.2 : 0.1);
  }
  // The on-call reader looks for the step name first; say it when the log named one.
  if (named && !summary.includes(named.step)) summary = `${named.step}: ${summary}`;
  if (request.hint && !fix.includes(request.hint)) fix.push(request.hint);
  if (request.runbook) fix.push(`Runbook: ${request.runbook}`);

  return {
    category,
    summary: prettify(firstLine(summary, 300)),
    rootCause: prettify(rootCause),
    evidence: evidenceOf(chain, location, hit, emptyBatch).map(prettify),
    location,
    // The Diagnosis schema allows 1–6 fix steps.
    fix: fix.slice(0, 6),
    retryable,
    confidence: Math.round(Math.min(0.95, Math.max(0.05, confidence)) * 100) / 100,
    engine: 'builtin',
    model: null,
    latencyMs: Math.max(0, now() - started),
  };
}
