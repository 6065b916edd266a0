// Joins the lines of one multi-line record (a stack trace under the line that introduced it) into
// one record. Pure and clock-free: the caller passes `now`, so the tailer, the one-shot
// `sentinel diagnose FILE` reader and the unit tests share exactly the same rules.
//
// Without a start pattern, a line continues the pending record when it is indented, or when it is
// one of the column-0 lines that stack traces are known to print:
//   Python  `Traceback (most recent call last):`, the final `ValueError: …` line, and the chain
//           markers `During handling of the above exception…` / `The above exception was…`;
//           under the exception line, psycopg's `DETAIL: …` and SQLAlchemy's `[SQL: …]`,
//           `[parameters: …]`, `(Background on…)`
//   Java    a qualified `com.x.FooException: …` header, `Caused by: …` (frames are indented)
//   Node    `    at …` frames (indented)
//   Go      `goroutine N [running]:` and, inside it, `pkg.func(…)` / `created by …` lines; under a
//           `panic: …` / `fatal error: …` line, `[signal …]` and `runtime stack:` too
//   Spark   `Exception in thread "main" …` opens a JVM trace, `Driver stacktrace:` continues one,
//           Py4J's `: org.x.FooException: …` continues a Python `Py4JJavaError`, and a Python
//           traceback embedded in a Java message (`PythonException: Traceback…`) ends with its
//           column-0 exception line
//   Dagster the error printed a blank line below STEP_FAILURE (`dagster._core.errors.X: …`),
//           `Stack Trace:` and `The above exception was caused by the following exception:`
//   Any     a line that starts by closing a bracket (`]`, `}`, `)`): the end of a multi-line message
//           or object (a ZodError's JSON issues, Node's `{ code: … }` error properties, Spark's
//           `) [duplicate 1]`); no log record starts by closing something
//   Node    `Node.js v20.1.0`, printed under an uncaught error's stack after a blank line
// A log line that ends by opening a traceback (`… WARN TaskSetManager: Lost task …: PythonException:
// Traceback (most recent call last):`) starts a Python trace, whose column-0 exception line joins it.
// A line starting with `{` (a JSON record) always starts a record and is handed out at once: it
// cannot be continued, so it never waits for the timeout. Blank lines are held tentatively (Go
// and Python put blank lines inside their traces) and trimmed when the record ends.
//
// A relay's per-line prefix (line-prefix.ts: `web-1  | `, a CI timestamp, syslog's header) that a
// line shares with its record's first line is cut before these rules look at the line, and the
// line joins without it: a traceback relayed that way becomes one record, as the program printed
// it, under its first line, which keeps the prefix (the time, the service). Under a prefix, an
// indented line continues only when it is indented deeper than the record's first line, so a log
// whose columns are padded after the timestamp does not become one record.
import type { BufferSearch } from './screened-split.js';
import { linePrefixLength, samePrefix } from './line-prefix.js';

export interface JoinedRecord {
  text: string;
  /** File offset of the record's first byte. */
  offset: number;
  /** File offset just after the record's last non-blank line. */
  endOffset: number;
  /** 1-based line number of the first line, when known. */
  line?: number;
  /** The buffer search that proved this one-line `{…}` record holds no possible hit (RawRecord.screenedBy). */
  screenedBy?: BufferSearch;
}

export interface MultilineJoinerOptions {
  /** A record starts at a line matching this; other lines join the record before them. */
  startPattern?: string | RegExp;
  /** A pending record is flushed when no line has joined it for this long. */
  timeoutMs: number;
  maxLines: number;
  maxBytes: number;
}

export interface MultilineJoiner {
  /**
   * Feed one line (without its newline); completed records are appended to `out`. `screenedBy`: the
   * buffer search that found no possible hit in the line, kept on the record when the line is one.
   */
  push(text: string, offset: number, endOffset: number, line: number | undefined, now: number, out: JoinedRecord[], screenedBy?: BufferSearch): void;
  /** Hand out the pending record if no line has joined it for `timeoutMs`. */
  flushIfDue(now: number, out: JoinedRecord[]): void;
  /** Hand out the pending record now (end of input, shutdown, truncation). */
  flush(out: JoinedRecord[]): void;
  /** Epoch ms at which the pending record becomes due; Infinity when nothing is pending. */
  deadline(): number;
  /** Offset of the first byte held back (the pending record's start), or undefined. */
  pendingOffset(): number | undefined;
  /** Line number of the pending record's first line, when known. */
  pendingLine(): number | undefined;
  /** Drop all state without handing anything out. */
  reset(): void;
}

type TraceState = 'plain' | 'python' | 'python_end' | 'java' | 'go';

const PY_TRACEBACK = /^Traceback \(most recent call last\):/;
// A traceback announced at the end of a log line (Spark relays a Python worker's error this way).
const PY_TRACEBACK_TAIL = /\bTraceback \(most recent call last\):?\s*$/;
const CLOSING = /^[\]})]/;
const NODE_VERSION = /^Node\.js v\d+\.\d+\.\d+\s*$/;
// pydantic's ValidationError lists each failing field at column 0 under `N validation errors for Model`
// (its detail indented below): the field names belong to the exception.
const PYDANTIC_HEADER = /\b\d+ validation errors? for [\w.]+\s*$/;
const PYDANTIC_FIELD = /^[A-Za-z_][\w-]*(?:\.[\w-]+)*\s*$/;
// An exception message that announces its detail with a colon (`ProgrammingError: 002003 (42S02): SQL
// compilation error:`) goes on at column 0 on the next line, unless that line looks like a new record.
const ANNOUNCES = /:\s*$/;
const LOOKS_LIKE_RECORD = /^(?:\d|\[|\{|<|[A-Z]{3,}[:\s])/;
const PY_CHAIN = /^(During handling of the above exception|The above exception was the direct cause|The above exception was caused by the following exception)/;
// An indented Python frame: inside a Java trace it means a Python traceback is embedded (PySpark).
const PY_FRAME = /^\s+File "[^"]*", line \d+/;
// A Python exception line: `ValueError`, `ValueError: msg`, `requests.exceptions.HTTPError: msg`.
const PY_EXCEPTION = /^[A-Za-z_][\w.]*(:|$)/;
const JAVA_HEADER = /^(?:[a-zA-Z_$][\w$]*\.)+[\w$]*(?:Exception|Error|Throwable)\b/;
const JAVA_CAUSE = /^(Caused by|Suppressed): |^Driver stacktrace:\s*$|^: (?:[a-zA-Z_$][\w$]*\.)+[\w$]*(?:Exception|Error|Throwable)\b/;
const JAVA_THREAD = /^Exception in thread "[^"]*" /;
// A qualified Python exception from an errors module, whatever its name ends with
// (`dagster._core.errors.DagsterTypeCheckDidNotPass: …`, `airflow.exceptions.AirflowSensorTimeout: …`).
const PY_QUALIFIED = /^(?:[A-Za-z_]\w*\.)+(?:errors|exceptions|exc)\.[A-Z]\w*(?::|$)/;
// libpq's fields of a PostgreSQL error, under whatever line reported it (`(psycopg2.errors.DeadlockDetected)
// deadlock detected`, pytest's `FAILED … - …DeadlockDetected: …`). A field may go on over lines at
// column 0 (a deadlock's DETAIL names each waiting process on a line of its own).
const PG_FIELD = /^(?:DETAIL|HINT|CONTEXT|LINE \d+): /;
// SQLAlchemy's statement, parameters and help link under its exception line.
const SQLALCHEMY_TAIL = /^(?:\[(?:SQL|parameters): |\(Background on this error at: )/;
/** An exception message that goes on at column 0: PostgreSQL's fields (psycopg) or SQLAlchemy's tail. */
const isMessageTail = (text: string): boolean => PG_FIELD.test(text) || SQLALCHEMY_TAIL.test(text);
// Dagster's serialised error prints `Stack Trace:` between an exception line and its frames.
const SECTION = /^Stack Trace:\s*$/;
// How many blank lines may separate a failure line from the qualified exception header printed
// under it (Dagster prints STEP_FAILURE, a blank line, then the error).
const MAX_BLANKS_BEFORE_HEADER = 1;
const GO_GOROUTINE = /^goroutine \d+ \[[^\]]*\]:\s*$/;
const GO_FRAME = /^(created by |[\w./*()[\]-]+\(.*\)\s*$|\[signal |exit status \d+|runtime stack:\s*$)/;
// The line a Go crash starts with; the goroutine dump follows, after a blank line.
const GO_CRASH = /^(panic: |fatal error: )/;
// Node's MODULE_NOT_FOUND message lists the requiring files unindented between header and frames.
const NODE_REQUIRE_STACK = /^Require stack:\s*$/;
const NODE_REQUIRE_ENTRY = /^- \S/;
const NODE_MODULE_NOT_FOUND = /\bCannot find module '/;

/** Spaces and tabs at the start of `text`. */
function indentOf(text: string): number {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i += 1;
  return i;
}

export function createMultilineJoiner(options: MultilineJoinerOptions): MultilineJoiner {
  const start =
    options.startPattern === undefined || options.startPattern === ''
      ? undefined
      : typeof options.startPattern === 'string'
        ? new RegExp(options.startPattern)
        : options.startPattern;
  const maxLines = Math.max(1, options.maxLines);
  const maxBytes = Math.max(1, options.maxBytes);

  let parts: string[] = [];
  let pendingLines = 0;
  let bytes = 0;
  let blanks = 0;
  let offset = 0;
  let endOffset = 0;
  let line: number | undefined;
  let lastJoin = 0;
  let state: TraceState = 'plain';
  // The pending record's exception line opened a pydantic field list.
  let fieldList = false;
  // The last line joined is a PostgreSQL error field (PG_FIELD) or a line it goes on with.
  let pgField = false;
  // The length of the pending record's first line's relay prefix (0: none), and how far the text after it is indented.
  let prefixLength = 0;
  let prefixIndent = 0;

  const emit = (out: JoinedRecord[]): void => {
    if (parts.length === 0) return;
    const text = parts.length === 1 ? (parts[0] as string) : parts.join('\n');
    const record: JoinedRecord = { text, offset, endOffset };
    if (line !== undefined) record.line = line;
    out.push(record);
    parts = [];
    pendingLines = 0;
    bytes = 0;
    blanks = 0;
  };

  /** Starts a record at `text`, whose relay prefix takes `prefix` characters; its state is `next`, else what the line opens. */
  const begin = (text: string, o: number, e: number, l: number | undefined, now: number, prefix: number, next?: TraceState): void => {
    prefixLength = prefix;
    const rest = prefix > 0 ? text.slice(prefix) : text;
    if (prefix > 0) prefixIndent = indentOf(rest);
    parts = [text];
    // The literal first: this runs for every record, and the regex scans the whole line.
    fieldList = text.includes(' validation error') && PYDANTIC_HEADER.test(text);
    pgField = false;
    pendingLines = 1;
    bytes = text.length;
    blanks = 0;
    offset = o;
    endOffset = e;
    line = l;
    lastJoin = now;
    state = next ?? (start ? 'plain' : opening(rest));
  };

  /** The trace state a line moves to when it continues the pending record, or undefined when it starts a new one. */
  const continues = (text: string): TraceState | undefined => {
    const c = text.charCodeAt(0);
    if (c === 32 || c === 9) {
      // Under the exception line, an indented line is a frame (Dagster prints them below) or more of the message.
      if (state === 'python_end') return PY_FRAME.test(text) ? 'python' : 'python_end';
      return state === 'java' && PY_FRAME.test(text) ? 'python' : state;
    }
    if (PY_TRACEBACK.test(text) || PY_CHAIN.test(text)) return 'python';
    if (JAVA_CAUSE.test(text)) return 'java';
    if (CLOSING.test(text) && text.length < 4000) return state;
    if (NODE_VERSION.test(text) && blanks <= 1) return state;
    if (state !== 'plain' && SECTION.test(text)) return 'python';
    if (GO_GOROUTINE.test(text)) return 'go';
    if (blanks === 0 && text.length < 4000) {
      const last = parts[parts.length - 1] ?? '';
      if (NODE_REQUIRE_STACK.test(text) && NODE_MODULE_NOT_FOUND.test(last)) return state;
      if (NODE_REQUIRE_ENTRY.test(text) && (NODE_REQUIRE_STACK.test(last) || NODE_REQUIRE_ENTRY.test(last))) return state;
    }
    switch (state) {
      case 'python':
        return PY_EXCEPTION.test(text) ? 'python_end' : undefined;
      case 'python_end':
        if (isMessageTail(text) || (fieldList && blanks === 0 && PYDANTIC_FIELD.test(text))) return 'python_end';
        if (pgField && blanks === 0 && !LOOKS_LIKE_RECORD.test(text)) return 'python_end';
        return blanks === 0 && ANNOUNCES.test(parts[parts.length - 1] ?? '') && !LOOKS_LIKE_RECORD.test(text) ? 'python_end' : undefined;
      case 'go':
        return GO_FRAME.test(text) ? 'go' : undefined;
      case 'plain':
        if (blanks > MAX_BLANKS_BEFORE_HEADER) return undefined;
        if (blanks === 0 && PG_FIELD.test(text)) return 'python_end';
        return JAVA_HEADER.test(text) ? 'java' : PY_QUALIFIED.test(text) ? 'python_end' : undefined;
      case 'java':
        return blanks === 0 && JAVA_HEADER.test(text) ? 'java' : undefined;
      default:
        return undefined;
    }
  };

  /** The state of a record that a line starts (a trace printed with no log line above it). */
  const opening = (text: string): TraceState => {
    if (PY_TRACEBACK.test(text) || (text.length < 4000 && PY_TRACEBACK_TAIL.test(text))) return 'python';
    if (GO_GOROUTINE.test(text) || GO_CRASH.test(text)) return 'go';
    if (JAVA_CAUSE.test(text) || JAVA_HEADER.test(text) || JAVA_THREAD.test(text)) return 'java';
    return 'plain';
  };

  return {
    push(text, o, e, l, now, out, screenedBy) {
      if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) {
        if (parts.length > 0) blanks += 1;
        return;
      }
      if (text.charCodeAt(0) === 123 /* { */) {
        emit(out);
        const record: JoinedRecord = l === undefined ? { text, offset: o, endOffset: e } : { text, offset: o, endOffset: e, line: l };
        if (screenedBy) record.screenedBy = screenedBy;
        out.push(record);
        state = 'plain';
        return;
      }
      const prefix = start ? 0 : linePrefixLength(text);
      if (parts.length === 0) {
        begin(text, o, e, l, now, prefix);
        return;
      }
      let next: TraceState | undefined;
      let joined = text;
      if (start) next = start.test(text) ? undefined : 'plain';
      else if (prefix > 0 && prefixLength > 0) {
        // Judged (and kept) without its prefix when that is the same relay as the record's first
        // line's; that comparison last, as most lines start a record of their own either way.
        const rest = text.slice(prefix);
        const indent = indentOf(rest);
        const blank = indent === rest.length;
        const restNext = blank || (indent > 0 && indent <= prefixIndent) ? undefined : continues(rest);
        const wouldJoin = blank || restNext !== undefined;
        if (wouldJoin && samePrefix(parts[0] as string, prefixLength, text, prefix)) {
          if (blank) {
            blanks += 1;
            return;
          }
          joined = rest;
          next = restNext;
        } else next = wouldJoin ? continues(text) : undefined;
      } else next = continues(text);
      if (next === undefined) {
        emit(out);
        begin(text, o, e, l, now, prefix);
        return;
      }
      const addBytes = joined.length + 1 + blanks;
      if (pendingLines + blanks + 1 > maxLines || bytes + addBytes > maxBytes) {
        // Capped: hand out what we have and let the rest of the trace form the next record.
        emit(out);
        begin(text, o, e, l, now, prefix, next);
        return;
      }
      for (; blanks > 0; blanks -= 1) parts.push('');
      parts.push(joined);
      if (next === 'python_end' && state !== 'python_end') fieldList = PYDANTIC_HEADER.test(joined);
      pgField = next === 'python_end' && (PG_FIELD.test(joined) || (pgField && joined.charCodeAt(0) > 32 && !isMessageTail(joined)));
      pendingLines += 1;
      bytes += addBytes;
      endOffset = e;
      lastJoin = now;
      state = next;
    },
    flushIfDue(now, out) {
      if (parts.length > 0 && now - lastJoin >= options.timeoutMs) {
        emit(out);
        state = 'plain';
      }
    },
    flush(out) {
      emit(out);
      state = 'plain';
    },
    deadline() {
      return parts.length > 0 ? lastJoin + options.timeoutMs : Infinity;
    },
    pendingOffset() {
      return parts.length > 0 ? offset : undefined;
    },
    pendingLine() {
      return parts.length > 0 ? line : undefined;
    },
    reset() {
      parts = [];
      pendingLines = 0;
      bytes = 0;
      blanks = 0;
      state = 'plain';
    },
  };
}
