// The per-line prefix a relay puts before every line of a program's output: docker compose's
// `web-1  | `, `kubectl logs --prefix`'s `[pod/etl-7d9f/main] `, a CI runner's or `docker logs -t`'s
// `2024-01-01T00:00:00.1234567Z `, dbt's `12:00:00  `, syslog's / journald's `Jan  2 03:04:05 host
// etl[42]: `, a paste's `> `. A traceback relayed that way carries the prefix on every line, so
// none of its lines looks like a frame or a continuation; the multi-line joiner strips a prefix that
// the line shares with its record's first line (same shape: digits may differ) before it decides,
// and joins the line without it, so parsers and rules see the trace as the program printed it
// (docs/adr/0022-relay-prefixes-cut-in-the-joiner.md).
//
// Each shape ends with exactly the separator the relay writes (one space, dbt's two), so the
// program's own indentation (`  File "x.py"`, `\tat …`) survives the cut.

// One sticky regex per first character, so a line pays only for the shapes it can start with.
// docker compose (v1 `web_1      | `, v2 `web-1  | `), foreman / honcho (` scheduler | `); syslog /
// journald: `Jan  2 03:04:05 host program[pid]: `, or the program part alone.
const NAMED = /(?:[ \t]{0,8}[\w.-]{1,64}[ \t]{0,40}\| ?|(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S{1,64} )?[\w./-]{1,64}\[\d{1,10}\]: )/y;
// An ISO-8601 timestamp (CI runners, `docker logs -t`, `kubectl logs --timestamps`), or dbt's clock and its two spaces.
const TIMESTAMP = /(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z| ?[+-]\d\d:?\d\d| UTC)? |\d\d:\d\d:\d\d(?:\.\d{1,6})? {2})/y;
// A bracketed name, padded or not (kubectl logs --prefix's `[pod/x/c] `, a dev runner's
// `[         worker] `, Maven's `[INFO] `), or a bracketed timestamp.
// The timestamp first: a name's class takes its digits too, and would try every length of them.
const BRACKETED = /\[(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z| ?[+-]\d\d:?\d\d| UTC)?|[ \t]{0,20}[\w.:/-]{1,253})\] /y;
// A quoted paste.
const QUOTED = /> ?/y;

/** The length of one prefix shape at `from` in `text`, 0 when none starts there. */
function shapeAt(text: string, from: number): number {
  const c = text.charCodeAt(from);
  let shape: RegExp;
  if (c >= 48 && c <= 57) shape = TIMESTAMP;
  else if (c === 91 /* [ */) shape = BRACKETED;
  else if (c === 62 /* > */) shape = QUOTED;
  else if (c === 32 || c === 9 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) {
    // A name is a prefix only before its `|` or `[pid]: `: most lines have neither near their start.
    const bar = text.indexOf('|', from);
    const pid = text.indexOf(']: ', from);
    if ((bar === -1 || bar - from > 120) && (pid === -1 || pid - from > 150)) return 0;
    shape = NAMED;
  } else return 0;
  shape.lastIndex = from;
  return shape.test(text) ? shape.lastIndex - from : 0;
}

/** How many characters the per-line prefix `text` starts with takes; 0 when it has none. */
export function linePrefixLength(text: string): number {
  if (text.length > 4000) return 0;
  const first = shapeAt(text, 0);
  // Two layers at most: a compose service's line with a timestamp in front (`2024-… web-1  | `).
  return first === 0 || first === text.length ? first : first + shapeAt(text, first);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Whether two prefixes are the same relay: equal but for their digits, a run of digits standing for
 * any run (`10:11:12.1234567Z ` and `10:11:13.12Z `). Compares in place: this runs for most lines of a text log.
 */
export function samePrefix(a: string, aLength: number, b: string, bLength: number): boolean {
  let i = 0;
  let j = 0;
  while (i < aLength && j < bLength) {
    const c = a.charCodeAt(i);
    const d = b.charCodeAt(j);
    if (isDigit(c) && isDigit(d)) {
      while (i < aLength && isDigit(a.charCodeAt(i))) i += 1;
      while (j < bLength && isDigit(b.charCodeAt(j))) j += 1;
    } else if (c === d) {
      i += 1;
      j += 1;
    } else return false;
  }
  return i === aLength && j === bLength;
}
