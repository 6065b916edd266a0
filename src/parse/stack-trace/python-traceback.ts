// Python tracebacks, both as CPython prints them (frames first, exception line last, chained blocks
// in cause-first order) and as Dagster's SerializableErrorInfo prints them (exception line first,
// then "Stack Trace:", chained blocks in outermost-first order).
import type { StackFrame } from '../../types.js';
import { clip, RECORD_START, type ParsedError } from './parsed-error.js';
import { isUserFrame } from './user-code.js';

const TRACEBACK_START = /^\s*Traceback \(most recent call last\):\s*$/;
// Pastes may keep a table's or a quote's bar in front (`  | File "…"`); Ruby's error trackers print the
// same frame without the comma (`File "app/x.rb", line 58 in update`).
const FRAME = /^[\s|>]*File "([^"]+)", line (\d+)(?:,? in (.+))?$/;
// The first frame of a paste cut in the middle of its path (`…/streams/csv_file.py", line 203, in _init_dataset`)
// or just before it, the `File` word lost (`"/app/load.py", line 29, in <module>`).
const CUT_FRAME = /^\s{0,8}"?([^\s"][^"]{0,500}\.py)", line (\d+), in ([\w<>.]{1,200})$/;
const HEADER = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?::[ \t]?(.*))?$/;
const CARET_LINE = /^\s*[\^~]+\s*$/;
const EXCEPTION_SUFFIX =
  /(?:Error|Exception|Exit|Interrupt|Timeout|Warning|Failure|Iteration|Denied|NotFound|Refused|Invalid|Abort|Fault|Conflict|Mismatch|Cancelled|Missing|Exists)$/;

// Separators CPython prints between chained blocks: the block after is the outer (later) one.
const CPY_SEPARATOR = /^\s*(?:The above exception was the direct cause of the following exception:|During handling of the above exception, another exception occurred:)\s*$/;
// Separators Dagster prints: the block after is the inner (earlier) one.
const DAGSTER_SEPARATOR =
  /^\s*The above exception (?:was caused by the following exception|occurred during handling of the following exception):\s*$/;
const DAGSTER_STACK = /^\s*Stack Trace:\s*$/;

interface Block {
  frames: StackFrame[];
  type?: string;
  message?: string;
  lineIndex: number;
}

export function looksLikePythonException(name: string): boolean {
  // numpy's `_ArrayMemoryError`: private classes keep their capital after the underscore.
  const last = name.slice(name.lastIndexOf('.') + 1).replace(/^_+/, '');
  if (!/^[A-Z]/.test(last)) return false;
  return EXCEPTION_SUFFIX.test(last) || (name.includes('.') && !/^[A-Z]+$/.test(last));
}

function headerOf(line: string): { type: string; message: string } | undefined {
  if (line.length > 4000 || /^\s/.test(line)) return undefined;
  const m = HEADER.exec(line.trimEnd());
  if (!m || !m[1] || !looksLikePythonException(m[1])) return undefined;
  return { type: m[1], message: (m[2] ?? '').trim() };
}

function frameOf(line: string): StackFrame | undefined {
  if (line.length > 8000) return undefined;
  const m = line.includes('File "') ? FRAME.exec(line) : line.includes('", line ') ? CUT_FRAME.exec(line) : null;
  if (!m || !m[1] || !m[2]) return undefined;
  const frame: StackFrame = { file: m[1], line: Number(m[2]), inUserCode: isUserFrame('python', m[1]) };
  // Snakemake adds the rule to a frame's function: `in get_leadtimes (rule plot, line 207, /w/plot.smk)`.
  const fn = m[3]?.trim().replace(/ \(rule \w+, line \d+, [^)]*\)$/, '');
  if (fn) frame.function = fn;
  return frame;
}

function isMessageEnd(line: string): boolean {
  return (
    line.trim() === '' ||
    RECORD_START.test(line) ||
    TRACEBACK_START.test(line) ||
    CPY_SEPARATOR.test(line) ||
    DAGSTER_SEPARATOR.test(line) ||
    DAGSTER_STACK.test(line) ||
    /^\s+at [\w$.<>/]+\(/.test(line) ||
    line.includes('File "')
  );
}

/** Reads the continuation lines of a multi-line exception message (psycopg's LINE/HINT, Py4J's ": java…"). */
function readMessage(lines: string[], start: number, first: string): string {
  const parts = [first];
  for (let i = start; i < lines.length && i < start + 20; i++) {
    const line = lines[i] ?? '';
    if (isMessageEnd(line)) break;
    parts.push(line.trimEnd());
  }
  return clip(parts.join('\n').trim());
}

/** Reads the frames after index `from`, attaching each frame's code line (the indented line below it). */
function readFrames(lines: string[], from: number, to: number, block: Block): number {
  let i = from;
  for (; i < to; i++) {
    const line = lines[i] ?? '';
    const frame = frameOf(line);
    if (frame) {
      const next = lines[i + 1];
      if (next !== undefined && /^\s{2,}\S/.test(next) && !frameOf(next) && !CARET_LINE.test(next)) {
        frame.code = next.trim();
        i++;
      }
      block.frames.push(frame);
      continue;
    }
    if (CARET_LINE.test(line) || /^\s+\.\.\.|^\s*\[Previous line repeated/.test(line)) continue;
    break;
  }
  return i;
}

function toParsed(block: Block): ParsedError | undefined {
  if (!block.type) return undefined;
  return { type: block.type, message: block.message ?? '', stack: block.frames, source: 'python', lineIndex: block.lineIndex };
}

function cutBlock(block: Block): Block {
  return { ...block, type: 'Traceback', message: '(cut off before the exception line)' };
}

/** CPython's format. Returns the last chain in the text, root (earliest) first. */
function parseCPython(lines: string[]): ParsedError[] {
  let group: Block[] = [];
  let current: Block | undefined;
  let linked = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (TRACEBACK_START.test(line)) {
      // A chained block whose exception line was lost (a flattened paste puts it after the last
      // frame's code) still says where the cause was raised.
      if (linked && current && current.frames.length > 0) group.push(cutBlock(current));
      // A traceback not announced by a chaining sentence is a new, independent failure: the latest wins.
      if (!linked && group.length > 0) group = [];
      linked = false;
      current = { frames: [], lineIndex: i };
      continue;
    }
    if (CPY_SEPARATOR.test(line)) {
      linked = true;
      continue;
    }
    if (frameOf(line)) {
      if (!current) {
        // Frames with no "Traceback" line above them: a traceback quoted inside another message
        // (Spark's PythonException). It is the later, more specific report.
        if (!linked) group = [];
        linked = false;
        current = { frames: [], lineIndex: i };
      }
      i = readFrames(lines, i, lines.length, current) - 1;
      continue;
    }
    if (current && current.frames.length > 0) {
      const header = headerOf(line);
      if (header) {
        current.type = header.type;
        current.message = readMessage(lines, i + 1, header.message);
        current.lineIndex = i;
        group.push(current);
        current = undefined;
      }
    }
  }
  // The text ended inside a chained block (the record, or the window of lines after it, was cut; an
  // unchained traceback would have emptied the group): the outer exception's line is lost, but its
  // frames still say where the user's code was.
  // The same holds for a lone traceback cut before its exception line (a paste, a truncated record).
  if (current && current.frames.length > 0 && (group.length > 0 || current.frames.some((f) => f.inUserCode))) group.push(cutBlock(current));
  return group.map(toParsed).filter((e): e is ParsedError => e !== undefined);
}

/** The exception line printed under a `…::` wrapper message, after at most two blank lines. */
function innerHeaderAfter(lines: string[], from: number): { header: { type: string; message: string }; index: number } | undefined {
  for (let i = from; i < lines.length && i < from + 3; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const header = headerOf(line);
    return header ? { header, index: i } : undefined;
  }
  return undefined;
}

/**
 * Dagster's format: `Type: message`, an optional "Stack Trace:" line (older releases), then the frames;
 * chained blocks follow a separator. Returns the chain root (innermost cause) first.
 */
function parseDagster(lines: string[]): ParsedError[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  let expectHeader = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (DAGSTER_SEPARATOR.test(line)) {
      expectHeader = true;
      current = undefined;
      continue;
    }
    if (frameOf(line)) {
      if (current) i = readFrames(lines, i, lines.length, current) - 1;
      continue;
    }
    if (!expectHeader) continue;
    const header = headerOf(line);
    if (!header) continue;
    current = { frames: [], type: header.type, message: readMessage(lines, i + 1, header.message), lineIndex: i };
    blocks.push(current);
    expectHeader = false;
    // A step-execution wrapper ends its message with `::` and prints the user's exception below it
    // (`Error occurred while executing op "x"::` / blank / `polars.exceptions.ColumnNotFoundError: c`):
    // that exception is the cause. The frames that follow stay the wrapper's.
    if (header.message.endsWith('::')) {
      const inner = innerHeaderAfter(lines, i + 1);
      if (inner) {
        blocks.push({ frames: [], type: inner.header.type, message: readMessage(lines, inner.index + 1, inner.header.message), lineIndex: inner.index });
        i = inner.index;
      }
    }
  }
  return blocks
    .reverse()
    .map(toParsed)
    .filter((e): e is ParsedError => e !== undefined);
}

export function parsePythonTraceback(lines: string[]): ParsedError[] {
  const dagster = lines.some((line) => DAGSTER_STACK.test(line) || DAGSTER_SEPARATOR.test(line) || line.startsWith('dagster._core.errors.'));
  if (dagster) {
    const chain = parseDagster(lines);
    if (chain.length > 0) return chain;
  }
  return parseCPython(lines);
}

// IPython / Jupyter print tracebacks their own way: `KeyError      Traceback (most recent call
// last)`, then per frame `<ipython-input-3-a5d8> in load(path)` (IPython 8: `File /app/x.py:12, in
// load(path)`, `Cell In[3], line 5`), its code lines, and an arrow on the failing one (`---> 59 code`).
// Colab wraps the file in a markdown link: `[<ipython-input-29-…>](https://localhost:8080/#) in <module>`.
const IPY_START = /^\s*([A-Za-z_][\w.]*)\s{2,}Traceback \(most recent call last\)\s*$/;
// Databricks names a notebook cell `<command-1234567890>` (`File <command-1234567890>:3`, older runtimes `<command-123> in <module>`).
const IPY_FRAME = /^\[?(<ipython-input-[^>\n]{1,100}>|<command-\d{1,30}>|<stdin>|[^\s[\]()]{1,500}?\.py)(?:\]\([^)\n]*\))? in ([\w<>.]{1,200})/;
const IPY8_FRAME = /^File (\S{1,500}\.py|<command-\d{1,30}>):\d+(?:, in ([\w<>.]{1,200}))?/;
const IPY8_CELL = /^(Cell In ?\[\d+\]), line \d+/;
const IPY_ARROW = /^\s*-{1,4}> ?(\d{1,7})\s?(.*)$/;

/** The lines with IPython's tracebacks rewritten as CPython prints them; the same array when there is none. */
export function fromIpython(lines: string[]): string[] {
  if (!lines.some((l) => l.length < 4000 && IPY_START.test(l))) return lines;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length > 4000) {
      out.push(line);
      continue;
    }
    if (IPY_START.test(line)) {
      out.push('Traceback (most recent call last):');
      continue;
    }
    const frame = IPY_FRAME.exec(line) ?? IPY8_FRAME.exec(line);
    const cell = frame ? null : IPY8_CELL.exec(line);
    if (!frame && !cell) {
      out.push(line);
      continue;
    }
    const file = frame ? (frame[1] ?? '') : (cell?.[1] ?? '');
    const fn = frame ? (frame[2] ?? '<module>') : '<module>';
    // The arrow is on one of the code lines below the frame's header.
    let arrow: RegExpExecArray | null = null;
    let j = i + 1;
    for (; j < lines.length && j < i + 40; j++) {
      const next = lines[j] ?? '';
      if (next.trim() === '' || IPY_FRAME.test(next) || IPY8_FRAME.test(next)) break;
      arrow = IPY_ARROW.exec(next) ?? arrow;
    }
    if (arrow?.[1]) out.push(`  File "${file}", line ${arrow[1]}, in ${fn}`, `    ${(arrow[2] ?? '').trim()}`);
    i = j - 1;
  }
  return out;
}

// A traceback relayed behind a per-line prefix nobody registered (journald's `gunicorn[26747]: `, a
// CI job's `12171 | 2023-01-26 11:17:45.376838 | controller | `, a bare timestamp, a runner quoting
// the child's bytes `… INFO - b'  File "x.py", line 3\n'`): the prefix of the traceback's first
// line, digits as any digits, is cut from every line that has it.
const TRACEBACK_AT = /^(.{1,200}?)(?:Traceback \(most recent call last\):|\s{2}File ")/;
const BYTES_END = /(?:\\n)?'$/;

/** The lines without the prefix a traceback's first line carries; undefined when it has none. */
export function withoutLinePrefix(lines: string[]): string[] | undefined {
  let shape: RegExp | undefined;
  let bytes = false;
  for (const line of lines) {
    if (line.length > 4000 || !line.includes('File "') && !line.includes('Traceback (')) continue;
    const prefix = TRACEBACK_AT.exec(line)?.[1];
    if (prefix === undefined || prefix.trim() === '') continue;
    shape = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+/g, '\\d+')}`);
    bytes = /b'$/.test(prefix);
    break;
  }
  if (!shape) return undefined;
  const cut = shape;
  return lines.map((line) => {
    const m = line.length > 4000 ? null : cut.exec(line);
    if (!m) return line;
    const rest = line.slice(m[0].length);
    return bytes ? rest.replace(BYTES_END, '') : rest;
  });
}
