// A structured logger's record read back as raw text (a line below or above the incident's record)
// holds its error's stack as one JSON string with escaped newlines: pino nests it in
// `err: {type, message, stack}`, winston puts `stack` at the top level of the JSON it appends to
// the message. The stack parsers read lines, so such a record is unfolded into its message and the
// stack's own lines.
const ERROR_KEYS = ['err', 'error', 'exception', 'cause'] as const;
const MAX_LINE = 64_000;
const MAX_TRIES = 4;

function stackOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record['stack'] === 'string' && record['stack'].includes('\n')) return record['stack'];
  for (const key of ERROR_KEYS) {
    const inner = record[key];
    if (typeof inner === 'object' && inner !== null && typeof (inner as Record<string, unknown>)['stack'] === 'string') {
      const stack = (inner as Record<string, unknown>)['stack'] as string;
      if (stack.includes('\n')) return stack;
    }
  }
  return undefined;
}

function messageOf(value: object): string {
  const record = value as Record<string, unknown>;
  const msg = record['msg'] ?? record['message'];
  return typeof msg === 'string' ? msg : '';
}

// A stack kept as one escaped JSON string under any key, on a line of its own or inside a
// pretty-printed record (a cloud logger's `"traceback": "Traceback (most recent call last):\n  File …"`,
// `"exc_info": "…"`). The string is found by walking out from the stack's start to its quotes: one
// pass, whatever quotes and backslashes a hostile line holds.
const ESCAPED_STACK = /Traceback \(most recent call last\):\\n|\\n\s{0,8}at \S|\\n\s{0,8}File \\"/;

/** Whether the character at `i` is escaped (an odd run of backslashes before it). */
function isEscaped(line: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && line[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

/** The lines of an escaped stack a JSON string on the line holds; undefined when it holds none. */
function unfoldEscapedStack(line: string): string | undefined {
  const at = line.search(ESCAPED_STACK);
  if (at < 0) return undefined;
  let open = at - 1;
  while (open >= 0 && !(line[open] === '"' && !isEscaped(line, open))) open--;
  if (open < 0) return undefined;
  let close = open + 1;
  for (; close < line.length; close++) {
    if (line[close] === '\\') close++;
    else if (line[close] === '"') break;
  }
  // A paste or a size limit may cut the string before its closing quote: what is there still reads.
  // (A lone backslash left at the cut would escape the quote closing it.)
  const text = close < line.length ? line.slice(open, close + 1) : `${line.slice(open, isEscaped(line, line.length) ? -1 : undefined)}"`;
  let stack: unknown;
  try {
    stack = JSON.parse(text);
  } catch {
    return undefined;
  }
  const before = line.slice(0, open).trim();
  return before ? `${before}\n${String(stack)}` : String(stack);
}

// Python's `traceback.format_list` kept as a JSON list of frame strings, as Dagster serializes an
// error (`"error": ["TypeError: msg\\n", ["  File \\"/app/x.py\\", line 9, in f\\n    code\\n", …], "TypeError", null]`):
// the message, then the frames, outermost first.
const FRAME_LIST = /\[\s{0,4}"\s{0,8}File \\"/;
const LIST_MESSAGE = /"((?:[A-Za-z_][\w.]{0,200})?(?:Error|Exception|Warning|Interrupt|Exit)\b(?:[^"\\]|\\.){0,4000})",\s{0,4}$/;

/** The JSON strings of the list that opens at `open`; undefined when one is not a string. */
function stringsOfList(line: string, open: number): string[] | undefined {
  const out: string[] = [];
  let i = open + 1;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === ']') return out;
    if (line[i] !== '"') return undefined;
    let close = i + 1;
    for (; close < line.length && line[close] !== '"'; close++) if (line[close] === '\\') close++;
    try {
      out.push(String(JSON.parse(line.slice(i, close + 1))));
    } catch {
      return undefined;
    }
    i = close + 1;
  }
  return out.length > 0 ? out : undefined;
}

/** The traceback a JSON list of frame strings holds, as CPython prints it; undefined when the line has none. */
function unfoldFrameList(line: string): string | undefined {
  const m = FRAME_LIST.exec(line);
  if (!m) return undefined;
  const frames = stringsOfList(line, m.index);
  if (!frames?.every((f) => f.trimStart().startsWith('File "'))) return undefined;
  const message = LIST_MESSAGE.exec(line.slice(Math.max(0, m.index - 4100), m.index));
  let exception = '';
  if (message?.[1]) {
    try {
      exception = String(JSON.parse(`"${message[1]}"`)).trim();
    } catch {
      exception = '';
    }
  }
  const before = line.slice(0, message ? Math.max(0, m.index - 4100) + message.index : m.index).trim();
  return [before, 'Traceback (most recent call last):', ...frames.map((f) => f.replace(/\n$/, '')), exception].filter((part) => part !== '').join('\n');
}

/** The line's message then its error's stack lines, when the line carries a JSON object with a stack string; else undefined. */
export function unfoldJsonStack(line: string): string | undefined {
  if (line.length > MAX_LINE) return undefined;
  if (!line.includes('"stack"')) return line.includes('\\n') ? (unfoldEscapedStack(line) ?? (line.includes('File \\"') ? unfoldFrameList(line) : undefined)) : undefined;
  let at = line.indexOf('{');
  // A prefix (winston's `time level: message`) may itself hold braces: try a few opening ones.
  for (let tries = 0; at >= 0 && tries < MAX_TRIES; tries++, at = line.indexOf('{', at + 1)) {
    let value: unknown;
    try {
      value = JSON.parse(line.slice(at));
    } catch {
      continue;
    }
    const stack = stackOf(value);
    if (!stack) return undefined;
    const prefix = line.slice(0, at).trim();
    const message = prefix || messageOf(value as object);
    return message ? `${message}\n${stack}` : stack;
  }
  return undefined;
}

/** The lines with every JSON record carrying a stack string unfolded (see unfoldJsonStack). */
export function unfoldJsonStacks(lines: readonly string[]): string[] {
  return lines.map((line) => unfoldJsonStack(line) ?? line);
}
