// The record screen: proves from a record's raw text, before it is parsed, that no rule can match it
// and that it cannot be a success record. Most lines of a busy log are such lines, and parsing them
// costs more than reading them (docs/adr/0004-raw-text-screen-before-parse.md).
//
// One search for the words of one clause per need (screen-need.ts: the clause likeliest to fail)
// answers most lines: no hit, no match possible. A line with a hit is judged again, every clause of
// every need, so a word every line carries (a pipeline name) does not let every line through.
// Texts the needs cannot speak for (a `\u` escape, a non-string message, an error value or stack
// text, whose parsed text is not verbatim in the record) always pass.
import { ERROR_KEY_NAMES, LEVEL_KEY_NAMES, MESSAGE_KEY_NAMES, STACK_TEXT_KEY_NAMES, glogLevel, glogLetters, normaliseLevel } from '../parse/parse-record.js';
import type { Level } from '../types.js';
import { bestClause, type Clause, type Need } from './screen-need.js';
import type { BufferSearch } from '../source/screened-split.js';
import { createByteFinder, type ByteTest, type ByteWord } from './byte-automaton.js';
import { escapeRegex, wordsRegexSource } from './words-regex.js';

const keys = (names: readonly string[]): string => `(?:${names.map(escapeRegex).join('|')})`;

/** Records whose parsed strings may not be verbatim runs of the raw text. Case-sensitive, as keys are. */
const UNVERIFIABLE_SOURCE = [
  String.raw`\\u`,
  String.raw`"${keys(MESSAGE_KEY_NAMES)}"\s*:\s*[^"\s]`,
  // Any error value: an object's type and message, or a string field's synthesised `Error: …`, are
  // matched as `type: message` text that the raw record does not hold verbatim.
  String.raw`"${keys(ERROR_KEY_NAMES)}"\s*:\s*[[{"]`,
  String.raw`${keys(ERROR_KEY_NAMES)}=`,
  String.raw`"${keys(STACK_TEXT_KEY_NAMES)}"\s*:\s*"`,
  String.raw`${keys(STACK_TEXT_KEY_NAMES)}=`,
].join('|');
const UNVERIFIABLE = new RegExp(UNVERIFIABLE_SOURCE);

/** A JSON level given as a number (pino, bunyan). */
const NUMERIC_LEVEL_SOURCE = String.raw`"${keys(LEVEL_KEY_NAMES)}"\s*:\s*(-?\d[\d.eE+-]*)`;
/** A number String() prints otherwise than written: an exponent, 16+ digits, or below 1e-6. */
const ODD_NUMBER_SOURCE = String.raw`\d[eE]|[\d.]{16}|0\.000000`;
const ODD_NUMBER = new RegExp(ODD_NUMBER_SOURCE);

const ALL_LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

function numericLevels(raw: string): Set<Level> {
  const found = new Set<Level>();
  for (const m of raw.matchAll(new RegExp(NUMERIC_LEVEL_SOURCE, 'g'))) {
    const n = Number(m[1]);
    if (Number.isNaN(n)) for (const l of ALL_LEVELS) found.add(l);
    else found.add(normaliseLevel(n));
  }
  return found;
}


/** ASCII white space only: in raw bytes, a non-ASCII byte may start a Unicode space. */
function skipAsciiSpace(bytes: Uint8Array, i: number, limit: number): number {
  while (i < limit && ((bytes[i] as number) === 32 || ((bytes[i] as number) >= 9 && (bytes[i] as number) <= 13))) i++;
  return i;
}

/**
 * colonThen over raw bytes: a non-ASCII byte where a space, the colon or the value may be counts as
 * a hit, since its decoded text could be any of those (a superset).
 */
const colonThenInBytes =
  (ok: (c: number) => boolean) =>
  (bytes: Uint8Array, end: number, limit: number): boolean => {
    let i = skipAsciiSpace(bytes, end, limit);
    if (i < limit && (bytes[i] as number) >= 0x80) return true;
    if (i >= limit || bytes[i] !== 58 /* : */) return false;
    i = skipAsciiSpace(bytes, i + 1, limit);
    if (i < limit && (bytes[i] as number) >= 0x80) return true;
    return i < limit && ok(bytes[i] as number);
  };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
const isColon = (c: number): boolean => c === 58;
const isSpaceOrHigh = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c >= 0x80;

/**
 * colonThenInBytes's first two bytes, for the search's table (ByteWord.followedBy): a space or a
 * non-ASCII byte (then the check looks on), or the colon and what the value may start with. So a key
 * every JSON line carries (`"msg":"…`) is ruled out by the table alone, without a call per line.
 */
const colonThenFirstBytes = (ok: (c: number) => boolean): ByteTest[][] => [[isSpaceOrHigh], [isColon, (c) => isSpaceOrHigh(c) || ok(c)]];

/**
 * A glog / klog header's letter and the first digit of its month (`e1`), then in the bytes the rest
 * of month and day and the hours (`203 12:`): a superset of parse-record's glogLevel, whose header
 * holds no literal a word could stand for.
 */
function glogProbes(letters: readonly string[]): ByteWord[] {
  const after = (bytes: Uint8Array, end: number, limit: number): boolean =>
    end + 6 < limit &&
    [0, 1, 2, 4, 5].every((k) => isDigit(bytes[end + k] as number)) &&
    bytes[end + 3] === 32 &&
    bytes[end + 6] === 58; /* : */
  return letters.flatMap((l) => [`${l}0`, `${l}1`].map((word) => ({ word, after })));
}
/** glogProbes as a regex source, for the first search without a buffer search. */
const glogSource = (letters: readonly string[]): string => `[${letters.join('')}][01]\\d{3} \\d\\d:`;

/**
 * The UNVERIFIABLE patterns and the numeric level as words (ASCII case folded: a superset), each
 * with the check of what follows it in the bytes.
 */
function probeWords(withNumericLevel: boolean): ByteWord[] {
  const quoted = (names: readonly string[], ok: (c: number) => boolean): ByteWord[] => {
    const followedBy = colonThenFirstBytes(ok);
    const after = colonThenInBytes(ok);
    return names.map((n) => ({ word: `"${n}"`, followedBy, after }));
  };
  return [
    ...quoted(MESSAGE_KEY_NAMES, (c) => c !== 34 && !isBlank(c)),
    ...quoted(ERROR_KEY_NAMES, (c) => c === 123 || c === 91 || c === 34),
    ...ERROR_KEY_NAMES.map((n) => ({ word: `${n}=` })),
    ...quoted(STACK_TEXT_KEY_NAMES, (c) => c === 34),
    ...STACK_TEXT_KEY_NAMES.map((n) => ({ word: `${n}=` })),
    ...(withNumericLevel ? quoted(LEVEL_KEY_NAMES, (c) => c === 45 || isDigit(c)) : []),
  ];
}

/** ODD_NUMBER over raw bytes from `from`: where `\d[eE]`, 16 of `[\d.]` or `0.000000` starts, or -1. */
function oddNumberInBytes(bytes: Uint8Array, from: number, limit: number): number {
  let run = 0;
  for (let i = from; i < limit; i++) {
    const c = bytes[i] as number;
    if (isDigit(c) || c === 46) {
      run += 1;
      if (run >= 16) return i - 15;
      if (isDigit(c) && i + 1 < limit && ((bytes[i + 1] as number) | 32) === 101) return i;
      if (c === 48 && i + 7 < limit && bytes[i + 1] === 46 && bytes.subarray(i + 2, i + 8).every((d) => d === 48)) return i;
    } else run = 0;
  }
  return -1;
}

/**
 * The first search over whole read buffers, for the tailer (source/screened-split.ts): a possible
 * hit wherever a record's first search could hold, found in the raw bytes (byte-automaton.ts). Null
 * when a word is not ASCII (its bytes are not its characters).
 */
function bufferSearchOf(triggerWords: readonly string[], withNumericLevel: boolean, withOddNumber: boolean, glog: readonly string[]): BufferSearch | null {
  const words: ByteWord[] = [...probeWords(withNumericLevel), ...glogProbes(glog), ...triggerWords.map((word) => ({ word })), { word: '\\u' }];
  if (words.some((w) => [...w.word].some((c) => c.charCodeAt(0) > 0x7f))) return null;
  const find = createByteFinder(words);
  if (!withOddNumber) return find;
  return (bytes, from, limit) => {
    const word = find(bytes, from, limit);
    const odd = oddNumberInBytes(bytes, from, word === -1 ? limit : Math.min(limit, word + 1));
    return odd === -1 ? word : odd;
  };
}

/** Records up to this many characters are encoded into one reused buffer for the first search. */
const SCRATCH_CHARS = 16 * 1024;

/**
 * The first search of one record: its UTF-8 bytes through the buffer search, the very search the
 * tailer runs over whole reads (so a line it skipped is one this would rule out too). Without one
 * (a word that is not ASCII), the search as one case-insensitive regex: a superset as well.
 */
function firstSearchOf(bufferSearch: BufferSearch | null, fallback: () => RegExp): (raw: string) => boolean {
  if (!bufferSearch) {
    const re = fallback();
    return (raw) => re.test(raw);
  }
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  const scratch = new Uint8Array(SCRATCH_CHARS * 3);
  const encoder = new TextEncoder();
  return (raw) => {
    if (raw.length > SCRATCH_CHARS) {
      const bytes = encoder.encode(raw);
      return bufferSearch(bytes, 0, bytes.length) !== -1;
    }
    const { written } = encoder.encodeInto(raw, scratch);
    return bufferSearch(scratch, 0, written) !== -1;
  };
}

export interface RecordScreen {
  /** False only when no need can hold for any parse of `raw`. */
  (raw: string): boolean;
  /** The first search as a regex source (for benchmarks); null when the screen passes everything. */
  readonly firstSearchSource: string | null;
  /** The first search (true: the record is judged clause by clause). */
  readonly firstSearch: ((raw: string) => boolean) | null;
  /** The words the first search looks for, besides the fixed probes (for benchmarks). */
  readonly words: readonly string[];
  /** The first search over whole read buffers (latin1), for the tailer; null when it cannot speak for them. */
  readonly bufferSearch: BufferSearch | null;
}

/**
 * A screen over needs one of which must hold for a record to matter (one per rule, one for success).
 * An empty need proves nothing, so with one the screen passes every record.
 */
export function createRecordScreen(needs: readonly Need[]): RecordScreen {
  if (needs.some((n) => n.length === 0)) return Object.assign(() => true, { firstSearch: null, firstSearchSource: null, words: [], bufferSearch: null });
  const triggers = needs.map((n) => bestClause(n) as Clause);
  const withNumericLevel = triggers.some((c) => c.numericLevels.length > 0);
  const withOddNumber = triggers.some((c) => c.oddNumber);
  const triggerWords = [...new Set(triggers.flatMap((c) => c.words))];
  const triggerGlog = [...new Set(triggers.flatMap((c) => c.glogLetters))];
  // The search as one regex source: made only when asked (benchmarks, or no buffer search), since
  // building the trie-shaped alternation of ~350 words is megabytes of garbage at every start.
  let source: string | undefined;
  const firstSearchSource = (): string => {
    if (source !== undefined) return source;
    const parts = [UNVERIFIABLE_SOURCE];
    const words = wordsRegexSource(triggerWords);
    if (words) parts.push(words);
    if (withNumericLevel) parts.push(NUMERIC_LEVEL_SOURCE);
    if (withOddNumber) parts.push(ODD_NUMBER_SOURCE);
    if (triggerGlog.length > 0) parts.push(glogSource(triggerGlog));
    return (source = parts.join('|'));
  };
  const bufferSearch = bufferSearchOf(triggerWords, withNumericLevel, withOddNumber, triggerGlog);
  const first = firstSearchOf(bufferSearch, () => new RegExp(firstSearchSource(), 'i'));

  function holds(c: Clause, raw: string, lower: string, levels: () => Set<Level>): boolean {
    for (const w of c.words) if (lower.includes(w)) return true;
    if (c.numericLevels.length > 0) {
      const present = levels();
      for (const l of c.numericLevels) if (present.has(l)) return true;
    }
    if (c.glogLetters.length > 0) {
      const glog = glogLevel(raw);
      if (glog !== undefined && glogLetters(glog).some((l) => c.glogLetters.includes(l))) return true;
    }
    return c.oddNumber && ODD_NUMBER.test(raw);
  }

  const screen = (raw: string): boolean => {
    if (!first(raw)) return false;
    if (UNVERIFIABLE.test(raw)) return true;
    // toLowerCase folds ASCII as the rules' non-unicode `i` regexes do, and a little more (K → k): a superset.
    const lower = raw.toLowerCase();
    let cached: Set<Level> | undefined;
    const levels = (): Set<Level> => (cached ??= numericLevels(raw));
    for (const need of needs) if (need.every((c) => holds(c, raw, lower, levels))) return true;
    return false;
  };
  const result = Object.assign(screen, { firstSearch: first, words: triggerWords, bufferSearch });
  Object.defineProperty(result, 'firstSearchSource', { get: firstSearchSource, enumerable: true });
  return result as typeof result & { readonly firstSearchSource: string };
}
