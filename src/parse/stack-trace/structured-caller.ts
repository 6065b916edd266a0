// The call site a structured logger records beside the message: Go's slog `source{function,file,line}`,
// zap / zerolog `caller: "pkg/file.go:131"` (zap's optional `function`), logrus `file` + `func`, and
// Python's JSON formatters `pathname` / `lineno` / `funcName`. A record with a string error and no
// stack has no other location: the line that logged the error is where the failure was handled, the
// best frame the log gives.
import type { StackFrame } from '../../types.js';
import { isUserFrame, type FrameLanguage } from './user-code.js';

const FILE_LINE = /^(.{1,4096}?\.[A-Za-z]{1,6}):(\d{1,9})(?::\d{1,6})?$/;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function lineOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function languageOf(file: string): FrameLanguage {
  if (file.endsWith('.go')) return 'go';
  if (file.endsWith('.py')) return 'python';
  if (/\.(?:java|scala|kt)$/.test(file)) return 'jvm';
  return 'node';
}

function frame(file: string, line: number | undefined, fn: string | undefined): StackFrame {
  const out: StackFrame = { file, inUserCode: isUserFrame(languageOf(file), file, fn) };
  if (line !== undefined) out.line = line;
  if (fn !== undefined) out.function = fn;
  return out;
}

/** `path/file.go:131` (zap, zerolog, logrus `file`). */
function fromFileLine(value: unknown, fn: string | undefined): StackFrame | undefined {
  const text = str(value);
  const m = text ? FILE_LINE.exec(text) : null;
  return m?.[1] ? frame(m[1], lineOf(m[2]), fn) : undefined;
}

/** The logging call site a structured record names, when it names one with a file. */
export function callerFrame(fields: Readonly<Record<string, unknown>>): StackFrame | undefined {
  const source = fields.source;
  if (source && typeof source === 'object' && !Array.isArray(source)) {
    const s = source as Record<string, unknown>;
    const file = str(s.file);
    if (file) return frame(file, lineOf(s.line), str(s.function));
  }
  const fn = str(fields.function) ?? str(fields.func) ?? str(fields.funcName);
  const caller = fromFileLine(fields.caller, fn) ?? fromFileLine(fields.file, fn);
  if (caller) return caller;
  const path = str(fields.pathname);
  const line = lineOf(fields.lineno);
  return path && line !== undefined ? frame(path, line, fn) : undefined;
}
