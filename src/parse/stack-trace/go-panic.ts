// Go panics and fatal errors (`panic: msg` / `fatal error: msg`, then `goroutine N [running]:` and
// function / `\tfile.go:N +0x1d` pairs), and the bare frame pairs zap writes in its `stacktrace` field.
import type { StackFrame } from '../../types.js';
import { clip, type ParsedError } from './parsed-error.js';
import { isUserFrame } from './user-code.js';

// A paste may lose the `panic: ` in front of a runtime error (`runtime error: invalid memory address…`).
const PANIC = /^(panic|fatal error|runtime error): (.*?)(?: \[recovered\])?$/;
// Fatal runtime errors (out of memory, stack overflow) add ` fp=0x… sp=0x… pc=0x…` to each frame.
// Pasted dumps may have their tab turned into spaces.
const FILE_LINE = /^\s+(\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?(?: (?:fp|sp|pc)=0x[0-9a-f]+)*\s*$/;
const GOROUTINE = /^goroutine \d+ \[[^\]]*\]:\s*$/;

function functionName(line: string): string {
  let fn = line.trim().replace(/^created by /, '').replace(/ in goroutine \d+$/, '');
  const open = fn.lastIndexOf('(');
  if (open > 0 && fn.endsWith(')')) fn = fn.slice(0, open);
  return fn;
}

export function parseGoPanic(lines: string[]): ParsedError[] {
  let error: ParsedError | undefined;
  let goroutines = 0;
  let bare: ParsedError | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const panic = PANIC.exec(line.trimEnd());
    if (panic && panic[1] && !line.startsWith('\t')) {
      // A later panic (re-panic, another goroutine) does not replace the first one's frames.
      if (!error) {
        const message = panic[2] ?? '';
        const type = panic[1] === 'fatal error' ? 'fatal error' : panic[1] === 'runtime error' || message.startsWith('runtime error:') ? 'runtime.Error' : 'panic';
        error = { type, message: clip(panic[1] === 'runtime error' ? `runtime error: ${message}` : message), stack: [], source: 'go', lineIndex: i };
        goroutines = 0;
      }
      continue;
    }
    if (GOROUTINE.test(line)) {
      goroutines++;
      continue;
    }
    const at = FILE_LINE.exec(line);
    if (!at || !at[1]) continue;
    // A wrapped paste may put the call's arguments on a line of their own under the function.
    const above = lines[i - 1] ?? '';
    const fn = functionName(/^\s*\(/.test(above) ? (lines[i - 2] ?? '') : above);
    const frame: StackFrame = { file: at[1], line: Number(at[2]), function: fn, inUserCode: isUserFrame('go', at[1], fn) };
    if (error) {
      // Only the first goroutine listed is the one that panicked.
      if (goroutines <= 1) error.stack.push(frame);
    } else {
      bare ??= { type: 'error', message: '', stack: [], source: 'go', lineIndex: i - 1 };
      bare.stack.push(frame);
    }
  }
  if (error) return [error];
  return bare ? [bare] : [];
}
