// Rust panics: `thread 'main' panicked at 'msg', src/main.rs:10:5` (before Rust 1.73), or
// `thread 'main' panicked at src/main.rs:10:5:` with the message on the next line (1.73 and later),
// then an optional `stack backtrace:` of `  N: path::to::fn` / `at file:line:col` pairs.
// The panic's own location is the first frame; the backtrace's frames follow it, innermost first.
import type { StackFrame } from '../../types.js';
import { clip, type ParsedError } from './parsed-error.js';
import { isUserFrame } from './user-code.js';

// A logger may stand before it (`[… ERROR panic] thread 'main' panicked at …`, the log-panics crate,
// which ends the message with `': file:line`); Rust 1.87+ names the thread's id (`thread 'main' (4242) panicked`).
const PANIC = /(?:^|\s)thread '([^'\n]*)'(?: \(\d{1,20}\))? panicked at (?:'(.*)'[,:] ([^\s,']+?):(\d+)(?::\d+)?|(.*?)(?::(\d+)(?::\d+)?)?:?)\s*$/;
// The end of a message that spans lines (pre-1.73, a multi-line `Caused by:` chain): `…', src/bin/x.rs:52:66`.
const MESSAGE_END = /^(.*)'[,:] ([^\s,']+?\.rs):(\d+)(?::\d+)?\s*$/;
// The human-panic crate's report: `Panic occurred in file 'src/lib.rs' at line 206`.
const PATH_ALONE = /^\s*(\S+\.rs):(\d+)(?::\d+)?\s*$/;
const HUMAN_PANIC = /\bPanic occurred in file '([^'\n]+)' at line (\d+)/;
const BACKTRACE_FN = /^\s*\d+:\s+(?:0x[0-9a-f]+ - )?(\S.*?)\s*$/;
const BACKTRACE_AT = /^\s+at (.+?):(\d+)(?::\d+)?\s*$/;

function frame(file: string, line: number, fn?: string): StackFrame {
  const f: StackFrame = { file, line, inUserCode: isUserFrame('rust', file, fn) };
  if (fn) f.function = fn;
  return f;
}

// Crates every program links, whose frames fill a backtrace printed without file lines.
const WELL_KNOWN_CRATE = /^(?:std|core|alloc|backtrace|failure|anyhow|eyre|color_eyre|thiserror|tokio|futures|futures_core|futures_util|futures_executor|async_std|async_task|tracing|tracing_futures|hyper|reqwest|serde|serde_json|rayon|actix_rt|actix_web|axum|tower|mio|log|env_logger|sqlx|sqlx_core|diesel|csv|csv_async|clap)::/;

/**
 * A backtrace frame printed with its function only (release builds, `RUST_BACKTRACE=1` without
 * debug info): the function stands in for the file, the way a step name does. `<T as Trait>::f`
 * is glue between crates.
 */
function namedFrame(fn: string): StackFrame {
  // A trait impl's glue (`<T as Trait>::f`) is never the frame to read first.
  const runtime = fn.startsWith('<') || WELL_KNOWN_CRATE.test(fn) || /(?:^|::)(?:rust_begin_unwind|__rust\w*)$|^(?:main|_start|__libc_start_main)$/.test(fn);
  return { file: fn, function: fn, inUserCode: !runtime };
}

export function parseRustPanic(lines: string[]): ParsedError[] {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length > 8000) continue;
    const human = line.includes('Panic occurred') ? HUMAN_PANIC.exec(line) : null;
    if (human?.[1] && human[2]) return [{ type: 'panic', message: '', stack: [frame(human[1], Number(human[2]))], source: 'rust', lineIndex: i }];
    if (!line.includes('panicked at')) continue;
    const m = PANIC.exec(line);
    if (!m) continue;
    let message = m[2] ?? '';
    const stack: StackFrame[] = [];
    let j = i + 1;
    if (m[3] && m[4]) stack.push(frame(m[3], Number(m[4])));
    else if (m[5] && m[6]) stack.push(frame(m[5], Number(m[6])));
    else if (m[5] && /^'.*'[,:]$/.test(m[5]) && PATH_ALONE.test(lines[i + 1] ?? '')) {
      // The message closed on the panic's line and the place wrapped onto the next one.
      const place = PATH_ALONE.exec(lines[i + 1] ?? '');
      message = m[5].slice(1, -2);
      if (place?.[1]) stack.push(frame(place[1], Number(place[2])));
      j = i + 2;
    } else if (m[5]?.startsWith("'")) {
      // The quoted message goes on below: its end names the place.
      const parts = [m[5].slice(1)];
      for (let k = i + 1; k < lines.length && k < i + 30; k++) {
        const end = MESSAGE_END.exec(lines[k] ?? '');
        if (end?.[2] && end[3]) {
          parts.push(end[1] ?? '');
          stack.push(frame(end[2], Number(end[3])));
          j = k + 1;
          break;
        }
        parts.push((lines[k] ?? '').trim());
      }
      message = stack.length > 0 ? parts.join('\n') : m[5].replace(/^'|'$/g, '');
    } else if (m[5]) message = m[5].replace(/^'|'$/g, '');
    if (!message) {
      // 1.73+: the message is the line(s) under the header, up to the `note:` or the backtrace.
      const parts: string[] = [];
      for (; j < lines.length && j < i + 20; j++) {
        const next = lines[j] ?? '';
        if (next.trim() === '' || /^(?:note: |stack backtrace:)/.test(next.trim())) break;
        parts.push(next.trim());
      }
      message = parts.join('\n');
    }
    readBacktrace(lines, j, i + 400, stack);
    return [{ type: 'panic', message: clip(message), stack: withRegistryCrates(stack), source: 'rust', lineIndex: i }];
  }
  return anyhowReport(lines);
}

/** The backtrace's frames from `from`, innermost first: with their file when printed, else by function. */
function readBacktrace(lines: string[], from: number, to: number, stack: StackFrame[]): void {
  for (let j = from; j < lines.length && j < to; j++) {
    const fn = BACKTRACE_FN.exec(lines[j] ?? '');
    if (!fn?.[1]) continue;
    const at = BACKTRACE_AT.exec(lines[j + 1] ?? '');
    if (at?.[1]) {
      stack.push(frame(at[1], Number(at[2]), fn[1]));
      j++;
    } else if (/^[\w<&]/.test(fn[1]) && !fn[1].includes(' - ')) stack.push(namedFrame(fn[1]));
  }
}

// A crate's folder in cargo's registry: `…/registry/src/index.crates.io-1949cf8c6b5b557f/dbase-0.7.0/src/x.rs`.
const REGISTRY_CRATE = /\/registry\/src\/[^/]+\/([A-Za-z][\w-]*?)-\d+\.\d+[^/]*\//;

/** Frames known by their function only are a library's when a frame with a file places that crate in the registry. */
function withRegistryCrates(stack: StackFrame[]): StackFrame[] {
  const crates = new Set(stack.map((f) => REGISTRY_CRATE.exec(f.file.replaceAll('\\', '/'))?.[1]?.replaceAll('-', '_')).filter((c): c is string => c !== undefined));
  if (crates.size === 0) return stack;
  return stack.map((f) => (f.line === undefined && f.inUserCode && crates.has(f.file.split('::')[0] ?? '') ? { ...f, inUserCode: false } : f));
}

// anyhow / eyre print an error returned from main as `Error: msg`, its `Caused by:` lines, then a
// backtrace when RUST_BACKTRACE is set.
const ANYHOW_ERROR = /^Error: (.+)$/;
const FIRST_FRAME = /^\s*0: \S/;

function anyhowReport(lines: string[]): ParsedError[] {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith('Error: ') || line.length > 4000) continue;
    const start = lines.slice(i + 1, i + 12).findIndex((l) => FIRST_FRAME.test(l));
    if (start < 0) continue;
    const stack: StackFrame[] = [];
    readBacktrace(lines, i + 1 + start, i + 400, stack);
    if (stack.length === 0) continue;
    return [{ type: 'Error', message: clip(ANYHOW_ERROR.exec(line)?.[1] ?? ''), stack, source: 'rust', lineIndex: i }];
  }
  return [];
}
