// JVM stack traces (Java, Scala, Spark): `Exception in thread "main" x.Y: msg`, `\tat pkg.Cls.m(File.java:N)`,
// `Caused by:` chains with `... N more`, Py4J's `: org.apache…` line, and Spark's executor failure
// embedded in a driver exception (`most recent failure: Lost task … (TID n) (host executor k): x.Y: msg`).
import type { StackFrame } from '../../types.js';
import { clip, type ParsedError } from './parsed-error.js';
import { isUserFrame } from './user-code.js';

const HEADER = /^\s*(Exception in thread "[^"]*" |Caused by: |Suppressed: |Unhandled exception\. |: )?((?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*)(?:: ?(.*))?$/;
const EXCEPTION_NAME = /(?:Exception|Error|Throwable|Failure)$/;
const FRAME = /^\s*at ([\w$.<>/-]+)\(([^()]*)\)/;
// .NET prints the same shape with the file after it: `at Acme.Etl.Loader.Run(String path) in /src/Loader.cs:line 42`.
const DOTNET_SOURCE = /\) in (.{1,500}):line (\d{1,7})\s*$/;
const MORE = /^\s*\.\.\. \d+ (?:more|common frames omitted)/;
const LOST_TASK = 'most recent failure: ';

// A frame the paste cut inside its file name (`at com.acme.LoadTest.setup(LoadTe`): the class and
// method are whole; the file is the outer class's, as the JVM's convention names it, with no line.
const CUT_FRAME = /^\s*at ((?:[\w$]+\.)+[\w$<>]+)\(([\w$.-]{0,200})$/;
const JVM_SOURCE_EXTENSIONS = ['.java', '.scala', '.kt', '.groovy'];

function cutFrame(line: string): StackFrame | undefined {
  const m = CUT_FRAME.exec(line.trimEnd());
  if (!m?.[1]) return undefined;
  const name = m[1];
  const partial = m[2] ?? '';
  const cls = name.slice(0, name.lastIndexOf('.'));
  const outer = cls.slice(cls.lastIndexOf('.') + 1).split('$')[0] ?? '';
  const ext = JVM_SOURCE_EXTENSIONS.find((e) => `${outer}${e}`.startsWith(partial));
  if (!outer || ext === undefined) return undefined;
  const file = `${outer}${ext}`;
  return { file, function: name, inUserCode: isUserFrame('jvm', file, name) };
}

export function parseJvmFrame(line: string): StackFrame | undefined {
  if (!line.includes('at ')) return undefined;
  const m = FRAME.exec(line);
  if (!m || !m[1]) return line.length < 1000 && !line.includes(')') ? cutFrame(line) : undefined;
  const name = m[1];
  const inside = m[2] ?? '';
  const colon = inside.lastIndexOf(':');
  const frame: StackFrame = { file: inside, function: name, inUserCode: isUserFrame('jvm', inside, name) };
  if (colon > 0 && /^\d+$/.test(inside.slice(colon + 1))) {
    frame.file = inside.slice(0, colon);
    frame.line = Number(inside.slice(colon + 1));
  }
  const dotnet = line.includes(':line ') ? DOTNET_SOURCE.exec(line) : null;
  if (dotnet?.[1]) {
    frame.file = dotnet[1];
    frame.line = Number(dotnet[2]);
  }
  return frame;
}

interface Header {
  prefix: string;
  type: string;
  message: string;
}

function headerOf(line: string): Header | undefined {
  if (line.length > 4000) return undefined;
  const m = HEADER.exec(line.trimEnd());
  if (!m || !m[2]) return undefined;
  const last = m[2].slice(m[2].lastIndexOf('.') + 1);
  if (!EXCEPTION_NAME.test(last)) return undefined;
  return { prefix: (m[1] ?? '').trim(), type: m[2], message: (m[3] ?? '').trim() };
}

/** A bare header counts only when frames follow; `Caused by:` and friends count on their own. */
function framesFollow(lines: string[], from: number): boolean {
  for (let i = from; i < lines.length && i < from + 30; i++) {
    const line = lines[i] ?? '';
    if (parseJvmFrame(line) || MORE.test(line)) return true;
    if (headerOf(line)) return false;
  }
  return false;
}

// A JVM frame's source: a Java / Scala / Kotlin file, or the JVM's placeholders for none.
const JVM_SOURCE = /\.(?:java|scala|kt|groovy):\d+\)|\((?:Native Method|Unknown Source)\)|\) in .{1,500}:line \d+\s*$/;

export function parseJvmStack(lines: string[]): ParsedError[] {
  let group: ParsedError[] = [];
  let current: ParsedError | undefined;
  // Frames under a header the paste or the logger cut (`: Duplicate entry …` with the class lost)
  // still say where: they become an error of unknown type with the line above as its message.
  const startCut = (i: number): ParsedError => {
    const above = (lines[i - 1] ?? '').trim();
    const cut: ParsedError = { type: 'error', message: clip(above.replace(/^:\s*/, '')), stack: [], source: 'jvm', lineIndex: Math.max(0, i - 1) };
    group = [cut];
    return cut;
  };
  // After Spark's "Driver stacktrace:" the frames belong to the driver-side exception again.
  let driver: ParsedError | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const frame = current || (group.length === 0 && JVM_SOURCE.test(line)) ? parseJvmFrame(line) : undefined;
    if (frame) {
      current ??= startCut(i);
      current.stack.push(frame);
      continue;
    }
    if (MORE.test(line)) continue;
    if (/^\s*Driver stacktrace:\s*$/.test(line) && driver) {
      current = driver;
      driver = undefined;
      continue;
    }
    const header = headerOf(line);
    if (!header) {
      // Multi-line messages (Spark's AnalysisException prints the plan) continue the header's message.
      if (current && current.stack.length === 0 && line.trim() !== '' && current.message.length < 2000) {
        current.message = clip(`${current.message}\n${line.trim()}`);
      }
      continue;
    }
    const chained = header.prefix === 'Caused by:' || header.prefix === ':';
    if (header.prefix === 'Suppressed:') continue;
    if (!chained && header.prefix === '' && !framesFollow(lines, i + 1)) continue;
    if (!chained || group.length === 0) {
      if (!chained) group = [];
    }
    const error: ParsedError = { type: header.type, message: clip(header.message), stack: [], source: 'jvm', lineIndex: i };
    group.push(error);
    current = error;
    const lost = header.message.indexOf(LOST_TASK);
    if (lost >= 0) {
      const afterHost = header.message.indexOf('): ', lost);
      const inner = afterHost >= 0 ? headerOf(header.message.slice(afterHost + 3)) : undefined;
      if (inner) {
        error.message = clip(header.message.slice(0, afterHost + 1));
        const executor: ParsedError = { type: inner.type, message: clip(inner.message), stack: [], source: 'jvm', lineIndex: i };
        group.push(executor);
        driver = error;
        current = executor;
      }
    }
  }
  // Printed outermost first, each `Caused by:` deeper: root first for the caller.
  return group.reverse();
}
