// Rust panics: `thread 'main' panicked at 'msg', src/main.rs:10:5` (before Rust 1.73), or
// `thread 'main' panicked at src/main.rs:10:5:` with the message on the next line (1.73 and later),
// then an optional `stack backtrace:` of `  N: path::to::fn` / `at file:line:col` pairs.
// The panic's own location is the first frame; the backtrace's frames follow it, innermost first.
import type { StackFrame } from '../../types.js';
import { clip, type ParsedError } from './parsed-error.js';
import { isUserFrame } from './user-code.js';

const PANIC = /^\s*thread '([^'\n]*)' panicked at (?:'(.*)', ([^\s,']+?):(\d+)(?::\d+)?|(.*?)(?::(\d+)(?::\d+)?)?:?)\s*$/;
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
    if (line.length > 8000 || !line.includes('panicked at')) continue;
    const m = PANIC.exec(line);
    if (!m) continue;
    let message = m[2] ?? '';
    const stack: StackFrame[] = [];
    if (m[3] && m[4]) stack.push(frame(m[3], Number(m[4])));
    else if (m[5] && m[6]) stack.push(frame(m[5], Number(m[6])));
    else if (m[5]) message = m[5].replace(/^'|'$/g, '');
    let j = i + 1;
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
