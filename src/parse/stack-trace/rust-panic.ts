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
const HUMAN_PANIC = /\bPanic occurred in file '([^'\n]+)' at line (\d+)/;
const BACKTRACE_FN = /^\s*\d+:\s+(?:0x[0-9a-f]+ - )?(\S.*?)\s*$/;
const BACKTRACE_AT = /^\s+at (.+?):(\d+)(?::\d+)?\s*$/;

function frame(file: string, line: number, fn?: string): StackFrame {
  const f: StackFrame = { file, line, inUserCode: isUserFrame('rust', file, fn) };
  if (fn) f.function = fn;
  return f;
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
    else if (m[5]?.startsWith("'")) {
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
    for (; j < lines.length && j < i + 400; j++) {
      const fn = BACKTRACE_FN.exec(lines[j] ?? '');
      if (!fn?.[1]) continue;
      const at = BACKTRACE_AT.exec(lines[j + 1] ?? '');
      if (at?.[1]) {
        stack.push(frame(at[1], Number(at[2]), fn[1]));
        j++;
      }
    }
    return [{ type: 'panic', message: clip(message), stack, source: 'rust', lineIndex: i }];
  }
  return [];
}
