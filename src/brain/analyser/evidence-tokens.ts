// The words a failure log is made of, as the learned category scorer counts them: lower-case
// words of three letters or more, exception names also split at their capitals
// (`ConnectionRefusedError` → connectionrefusederror, connection, refused, error), each counted
// once per text. Numbers, hex ids and paths' volatile parts are left out: they name this run, not
// the kind of failure.
const WORD = /[A-Za-z][A-Za-z0-9_]{2,60}/g;
const CAMEL_PART = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g;
const HEXISH = /^x?[a-f0-9_]+$/;
/** Bound on the text read: the scorer runs on the brain's hot path. */
const MAX_CHARS = 32_000;

export function evidenceTokens(text: string): Set<string> {
  const tokens = new Set<string>();
  const source = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS / 2) + '\n' + text.slice(-MAX_CHARS / 2) : text;
  for (const m of source.matchAll(WORD)) {
    const word = m[0];
    const lower = word.toLowerCase();
    if (/\d/.test(word) && HEXISH.test(lower)) continue;
    tokens.add(lower);
    if (/[a-z][A-Z]|_/.test(word)) {
      for (const part of word.replace(/_/g, ' ').matchAll(CAMEL_PART)) {
        const p = part[0].toLowerCase();
        if (p.length >= 3) tokens.add(p);
      }
    }
  }
  return tokens;
}
