// Node.js error stacks: `Error: msg` + `    at fn (file:line:col)` lines, the source excerpt Node prints
// above an uncaught exception (`/app/job.js:42` / code / caret), `[cause]:` chains from util.inspect,
// and `[UnhandledPromiseRejection: …]` for a rejected non-Error.
import type { StackFrame } from '../../types.js';
import { clip, type ParsedError } from './parsed-error.js';
import { isUserFrame, normaliseFile } from './user-code.js';

// node-postgres names its errors `error`; DOMException carries its name in brackets (`[TimeoutError]`).
const HEADER = /^\s*(\[cause\]:\s*|Uncaught\s+)?([A-Z][\w$]*|error)( \[\w+\])?: (.*)$/;
// A paste may lose the space after the colon (`TypeError:Cannot read property 'x'`): then only an
// error's type counts, not any capitalised word before a colon.
const HEADER_NO_SPACE = /^\s*([A-Z][\w$]{0,200}(?:Error|Exception)):(\S.*)$/;

/** A header's parts as HEADER gives them (prefix, type, bracketed name, message), either spelling. */
function headerOf(line: string): (string | undefined)[] | null {
  const m = HEADER.exec(line);
  if (m) return [...m];
  const tight = HEADER_NO_SPACE.exec(line);
  return tight ? [tight[0], undefined, tight[1], undefined, tight[2]] : null;
}
const JVM_FRAME = /^\s*at [\w$.<>/-]+\([^()\s]*(?: Source| Method)?\)\s*$/;
const SOURCE_LOCATION = /^((?:file:\/\/|\/|[A-Za-z]:\\)\S*?):(\d+)$/;
const UNHANDLED = /^\[UnhandledPromiseRejection: .*?The promise rejected with the reason "(.*)"\.\]/;

export function parseNodeFrame(line: string): StackFrame | undefined {
  // util.inspect opens the error's own properties after the last frame: `at fn (file:1:2) {`.
  const trimmed = line.trim().replace(/ \{$/, '');
  if (!trimmed.startsWith('at ') || JVM_FRAME.test(line)) return undefined;
  let rest = trimmed.slice(3);
  let fn: string | undefined;
  let location = rest;
  if (rest.endsWith(')')) {
    const open = rest.indexOf(' (');
    if (open > 0) {
      fn = rest.slice(0, open);
      location = rest.slice(open + 2, -1);
    }
  } else if (rest.includes(' (')) {
    // A frame cut in its path (`at Parser.parse (/Users/kim/code/gra`): no place left to name.
    return undefined;
  }
  rest = location;
  const lastColon = rest.lastIndexOf(':');
  const prevColon = lastColon > 0 ? rest.lastIndexOf(':', lastColon - 1) : -1;
  let file = rest;
  let lineNo: number | undefined;
  let column: number | undefined;
  if (prevColon > 0 && /^\d+$/.test(rest.slice(lastColon + 1)) && /^\d+$/.test(rest.slice(prevColon + 1, lastColon))) {
    file = rest.slice(0, prevColon);
    lineNo = Number(rest.slice(prevColon + 1, lastColon));
    column = Number(rest.slice(lastColon + 1));
  } else if (!rest.includes('/') && !rest.startsWith('node:') && rest !== 'native') {
    return undefined;
  }
  const raw = file;
  file = normaliseFile(file);
  const frame: StackFrame = { file, inUserCode: isUserFrame('node', raw) && isUserFrame('node', file) };
  if (lineNo !== undefined) frame.line = lineNo;
  if (column !== undefined) frame.column = column;
  if (fn) frame.function = fn.replace(/^async /, '');
  return frame;
}

interface SourceHint {
  file: string;
  line: number;
  code: string;
}

export function parseNodeStack(lines: string[]): ParsedError[] {
  let group: ParsedError[] = [];
  let current: ParsedError | undefined;
  const hints: SourceHint[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const loc = SOURCE_LOCATION.exec(line.trim());
    if (loc && loc[1] && loc[2] && /\^/.test(lines[i + 2] ?? '')) {
      hints.push({ file: normaliseFile(loc[1]), line: Number(loc[2]), code: (lines[i + 1] ?? '').trim() });
      i += 2;
      continue;
    }
    const unhandled = line.length < 8000 && line.startsWith('[Unhandled') ? UNHANDLED.exec(line.trim()) : null;
    if (unhandled) {
      current = { type: 'UnhandledPromiseRejection', message: clip(unhandled[1] ?? ''), stack: [], source: 'node', lineIndex: i };
      group = [current];
      continue;
    }
    const frame = current ? parseNodeFrame(line) : undefined;
    if (frame && current) {
      current.stack.push(frame);
      continue;
    }
    const header = headerOf(line);
    const firstFrame = header && header[2] && header[4] !== undefined ? stackStart(lines, i + 1) : -1;
    if (header && header[2] && header[4] !== undefined && firstFrame > 0) {
      const isCause = (header[1] ?? '').startsWith('[cause]');
      // A multi-line message (ZodError's JSON, AggregateError) runs up to the first frame.
      const message = [header[4], ...lines.slice(i + 1, firstFrame).map((l) => l.trim())].join('\n');
      current = {
        type: header[2] + (header[3] ?? ''),
        message: clip(message),
        stack: [],
        source: 'node',
        lineIndex: i,
      };
      if (!isCause) group = [];
      group.push(current);
    }
  }
  if (group.length === 0) {
    const headless = headlessError(lines);
    if (headless) group = [headless];
  }
  for (const error of group) {
    for (const frame of error.stack) {
      const hint = hints.find((h) => h.file === frame.file && h.line === frame.line);
      if (hint) frame.code = hint.code;
    }
  }
  // Printed outermost first; `[cause]` blocks are deeper. Root first for the caller.
  return group.reverse();
}

/** A Node header counts only when a Node frame follows within a few lines; returns that frame's index or -1. */
function stackStart(lines: string[], from: number): number {
  for (let i = from; i < lines.length && i < from + MAX_MESSAGE_LINES; i++) {
    const line = lines[i] ?? '';
    if (parseNodeFrame(line)) return i;
    if (HEADER.test(line)) return -1;
    // Past a few dozen lines, only a structured message body (ZodError's JSON issue list, an
    // inspected object) may still be running: indented lines and lone brackets.
    if (i >= from + 40 && !MESSAGE_BODY.test(line)) return -1;
  }
  return -1;
}

const MAX_MESSAGE_LINES = 400;
const MESSAGE_BODY = /^(?:\s+\S|[\][{}(),\s]*$)/;

/**
 * Frames under a message with no `Type:` header: the last lines of a multi-line message (Prisma's
 * `Invalid \`prisma.x()\` invocation … The column … does not exist`) whose header line a log
 * shipper or the line joiner put in another record. The text above the first frame is the message.
 */
function headlessError(lines: string[]): ParsedError | undefined {
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0 || parseNodeFrame(lines[first] ?? '')) return undefined;
  const start = stackStart(lines, first + 1);
  if (start < 0 || start - first > 10) return undefined;
  const stack: StackFrame[] = [];
  for (let i = start; i < lines.length; i++) {
    const frame = parseNodeFrame(lines[i] ?? '');
    if (!frame) break;
    stack.push(frame);
  }
  const message = lines.slice(first, start).map((l) => l.trim()).filter((l) => l !== '').join('\n');
  return { type: 'Error', message: clip(message), stack, source: 'node', lineIndex: first };
}
