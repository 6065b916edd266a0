// logfmt (`level=error msg="step failed" step=transform_data`). The npm `logfmt` package (1.4.0,
// unmaintained since 2019) pulls in stream helpers we do not need; this hot-path reader is 30 lines.

// key=value or key="quoted value with \" escapes"; keys as Go's logfmt allows them.
const PAIR = /([A-Za-z_][\w.\-/]*)=("(?:[^"\\]|\\.)*"|[^\s]*)/g;
const LOGFMT_START = /^[A-Za-z_][\w.\-/]*=/;

/** Cheap test: the record starts with key= and has at least two pairs. */
export function looksLikeLogfmt(text: string): boolean {
  if (!LOGFMT_START.test(text)) return false;
  const firstLineEnd = text.indexOf('\n');
  const firstLine = firstLineEnd === -1 ? text : text.slice(0, firstLineEnd);
  let pairs = 0;
  for (const _ of firstLine.matchAll(PAIR)) if (++pairs >= 2) return true;
  return false;
}

// Loggers configured by hand often leave the message unquoted (`log_level=ERROR message=Command
// failed. Return code: 1`): an unquoted message runs to the next pair, not to its first space.
const TEXT_KEYS = new Set(['msg', 'message', 'error', 'err']);

export function parseLogfmt(text: string): Record<string, unknown> {
  const firstLineEnd = text.indexOf('\n');
  const firstLine = firstLineEnd === -1 ? text : text.slice(0, firstLineEnd);
  const fields: Record<string, unknown> = {};
  const pairs = [...firstLine.matchAll(PAIR)];
  for (let i = 0; i < pairs.length; i++) {
    const [whole, key, rawValue] = pairs[i] as RegExpExecArray;
    if (key === undefined || rawValue === undefined) continue;
    const quoted = rawValue.length > 1 && rawValue.startsWith('"') && rawValue.endsWith('"');
    if (quoted) fields[key] = unquote(rawValue);
    else if (TEXT_KEYS.has(key)) {
      // A quote the logger (or a paste) never closed runs to the end of the line.
      const start = (pairs[i]?.index ?? 0) + whole.length - rawValue.length;
      const open = rawValue.startsWith('"');
      const text = firstLine.slice(open ? start + 1 : start, open ? firstLine.length : (pairs[i + 1]?.index ?? firstLine.length));
      fields[key] = text.trimEnd();
    } else fields[key] = rawValue;
  }
  return fields;
}

function unquote(value: string): string {
  try {
    return JSON.parse(value) as string;
  } catch {
    return value.slice(1, -1);
  }
}
