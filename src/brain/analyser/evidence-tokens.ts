// The words a failure log is made of, as the learned category scorer counts them: lower-case
// words of three letters or more, exception names also split at their capitals
// (`ConnectionRefusedError` → connectionrefusederror, connection, refused, error), each counted
// once per text. Numbers, hex ids and paths' volatile parts are left out: they name this run, not
// the kind of failure.
//
// One pass over the characters instead of a regex match per word and two more regex tests per
// word: this runs on every diagnosis (the brain's hot path). It finds exactly the words
// /[A-Za-z][A-Za-z0-9_]{2,60}/g finds, in the same order, so the scorer's sums are unchanged.
const CAMEL_PART = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g;
const HEXISH = /^x?[a-f0-9_]+$/;
/** Bound on the text read: the scorer runs on the brain's hot path. */
const MAX_CHARS = 32_000;
/** The longest word WORD would match: a letter and up to 60 word characters. */
const MAX_WORD = 61;

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordChar = (c: number): boolean => isLetter(c) || isDigit(c) || c === 95;

/**
 * The lower-case words of three letters or more an identifier is made of, split at its capitals and
 * at anything not a letter (`ConnectionRefusedError` → connection, refused, error; `max_retries`
 * → max, retries).
 */
export function camelParts(word: string): string[] {
  const parts: string[] = [];
  for (const m of word.matchAll(CAMEL_PART)) if (m[0].length >= 3) parts.push(m[0].toLowerCase());
  return parts;
}

export function evidenceTokens(text: string): Set<string> {
  const tokens = new Set<string>();
  const source = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS / 2) + '\n' + text.slice(-MAX_CHARS / 2) : text;
  const n = source.length;
  let i = 0;
  while (i < n) {
    if (!isLetter(source.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i + 1;
    let hasDigit = false;
    let splits = false;
    let prevLower = (source.charCodeAt(i) | 0) >= 97;
    while (end < n && end - i < MAX_WORD) {
      const c = source.charCodeAt(end);
      if (!isWordChar(c)) break;
      if (isDigit(c)) hasDigit = true;
      else if (c === 95 || (prevLower && c >= 65 && c <= 90)) splits = true;
      prevLower = c >= 97 && c <= 122;
      end++;
    }
    if (end - i < 3) {
      i++;
      continue;
    }
    const word = source.slice(i, end);
    i = end;
    const lower = word.toLowerCase();
    if (hasDigit && HEXISH.test(lower)) continue;
    tokens.add(lower);
    if (splits) for (const part of camelParts(word)) tokens.add(part);
  }
  return tokens;
}
