// A JVM, Node or Go stack relayed behind a per-line prefix nobody registered: journald's
// `Oct 29 23:27:56 host run.sh[1703]: `, a logger's `12:20:46 [SEVERE] `, a process manager's
// `[   worker] `. The prefix the first frame line carries, digits as any digits, is cut from every
// line that has it, so the runtimes' parsers read the stack as printed. (Python's tracebacks have
// their own: withoutLinePrefix in python-traceback.ts.)

// The text before a frame (`at pkg.Class.method(File.java:12)`, with Logback's packaging data
// `~[app.jar:?]` or not; `at fn (/app/x.js:3:9)`) or Go's goroutine header. Lazy and bounded, on lines of bounded length: linear.
const FRAME_BEHIND_PREFIX = /^(.{1,200}?) (?=\s*at (?:async )?[\w$.<>/-]{1,300}(?:\(| \()[^()\n]{0,300}(?::\d+(?::\d+)?|Native Method|Unknown Source)\)(?: ~?\[[^\]\n]{0,300}\])?\s*$|goroutine \d{1,12} \[[^\]\n]{0,100}\]:\s*$)/;
const MAX_LINE = 4000;

/** The lines without the prefix the first frame line carries; undefined when no frame line has one. */
export function withoutFramePrefix(lines: readonly string[]): string[] | undefined {
  let shape: RegExp | undefined;
  for (const line of lines) {
    if (line.length > MAX_LINE || !(line.includes(' at ') || line.includes('goroutine '))) continue;
    const prefix = FRAME_BEHIND_PREFIX.exec(line)?.[1];
    if (prefix === undefined || prefix.trim() === '') continue;
    shape = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+/g, '\\d+')} ?`);
    break;
  }
  if (!shape) return undefined;
  const cut = shape;
  return lines.map((line) => {
    const m = line.length > MAX_LINE ? null : cut.exec(line);
    return m ? line.slice(m[0].length) : line;
  });
}
