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

export function parseLogfmt(text: string): Record<string, unknown> {
  const firstLineEnd = text.indexOf('\n');
  const firstLine = firstLineEnd === -1 ? text : text.slice(0, firstLineEnd);
  const fields: Record<string, unknown> = {};
  for (const [, key, rawValue] of firstLine.matchAll(PAIR)) {
    if (key === undefined || rawValue === undefined) continue;
    fields[key] = rawValue.startsWith('"') ? unquote(rawValue) : rawValue;
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
