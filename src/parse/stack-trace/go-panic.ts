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
// The same line with its indentation lost (a paste; klog's `Observed a panic` dump prints bare
// paths), or as web frameworks' recovery prints it (Macaron, Martini: `/src/x.go:31 (0x690a02)`):
// an absolute path, so that a sentence ending in `.go:12` is not taken for a frame.
const BARE_FILE_LINE = /^((?:[A-Za-z]:)?\/\S+\.go):(\d+)(?: \+0x[0-9a-f]+| \(0x[0-9a-f]+\))?\s*$/;
// A recovered panic a web framework logged: `[Macaron] PANIC: runtime error: …`.
const RECOVERED = /^\[\w+\] PANIC: (.*)$/;
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
  const others: StackFrame[] = [];
  let bare: ParsedError | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const recovered = line.startsWith('[') ? RECOVERED.exec(line.trimEnd()) : null;
    const panic = recovered ? ['', 'panic', recovered[1] ?? ''] : PANIC.exec(line.trimEnd());
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
    const at = FILE_LINE.exec(line) ?? (line.length < 2000 ? BARE_FILE_LINE.exec(line) : null);
    if (!at || !at[1]) continue;
    // A wrapped paste may put the call's arguments on a line of their own under the function.
    const above = lines[i - 1] ?? '';
    // Dumps of bare paths have no function lines: the line above is another frame, or the header.
    const fnLine = /^\s*\(/.test(above) ? (lines[i - 2] ?? '') : above;
    const fn = /\.go:\d+|^\s*$|^goroutine |: /.test(fnLine) ? undefined : functionName(fnLine);
    const frame: StackFrame = { file: at[1], line: Number(at[2]), inUserCode: isUserFrame('go', at[1], fn) };
    if (fn) frame.function = fn;
    if (error) {
      // Only the first goroutine listed is the one that panicked; the others are kept apart for a
      // panic raised by the runtime on its own goroutine (a test's timeout alarm).
      if (goroutines <= 1) error.stack.push(frame);
      else others.push(frame);
    } else {
      bare ??= { type: 'error', message: '', stack: [], source: 'go', lineIndex: i - 1 };
      bare.stack.push(frame);
    }
  }
  if (error) {
    // `panic: test timed out`: the alarm's goroutine is the testing package's; the test that was
    // running is in another goroutine.
    if (!error.stack.some((f) => f.inUserCode) && others.some((f) => f.inUserCode)) return [error, { ...error, stack: others, lineIndex: error.lineIndex + 1 }];
    return [error];
  }
  return bare ? [bare] : [];
}
