// The record screen: proves from a record's raw text, before it is parsed, that no rule can match it
// and that it cannot be a success record. Most lines of a busy log are such lines, and parsing them
// costs more than reading them (docs/adr/0004-raw-text-screen-before-parse.md).
//
// One search for the words of one clause per need (screen-need.ts: the clause likeliest to fail)
// answers most lines: no hit, no match possible. A line with a hit is judged again, every clause of
// every need, so a word every line carries (a pipeline name) does not let every line through.
// Texts the needs cannot speak for (a `\u` escape, a non-string message, an error value or stack
// text, whose parsed text is not verbatim in the record) always pass.
import { ERROR_KEY_NAMES, LEVEL_KEY_NAMES, MESSAGE_KEY_NAMES, STACK_TEXT_KEY_NAMES, normaliseLevel } from '../parse/parse-record.js';
import type { Level } from '../types.js';
import { bestClause, type Clause, type Need } from './screen-need.js';
import type { BufferSearch } from '../source/screened-split.js';
import { createByteFinder, type ByteWord } from './byte-automaton.js';
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


/** A word to look for, and optionally what must follow it (a JSON value's first character…). */
export interface ScanWord {
  word: string;
  /** Called with the index just after the word; the word counts only when this says so. */
  after?: (text: string, end: number) => boolean;
}

const foldAscii = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x1680 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0x85) {
    c = text.charCodeAt(++i);
  }
  return i;
}

/** `\s*:\s*` then a character `ok` accepts. */
const colonThen =
  (ok: (c: number) => boolean) =>
  (text: string, end: number): boolean => {
    let i = skipSpace(text, end);
    if (text.charCodeAt(i) !== 58 /* : */) return false;
    i = skipSpace(text, i + 1);
    return i < text.length && ok(text.charCodeAt(i));
  };

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

/**
 * The UNVERIFIABLE patterns and the numeric level as words (ASCII case folded: a superset), each
 * with the check of what follows it, over a string (`colon`) or over raw bytes.
 */
function probes<After>(colon: (ok: (c: number) => boolean) => After, withNumericLevel: boolean): { word: string; after?: After }[] {
  const quoted = (names: readonly string[], ok: (c: number) => boolean): { word: string; after: After }[] => names.map((n) => ({ word: `"${n}"`, after: colon(ok) }));
  return [
    ...quoted(MESSAGE_KEY_NAMES, (c) => c !== 34 && !isBlank(c)),
    ...quoted(ERROR_KEY_NAMES, (c) => c === 123 || c === 91 || c === 34),
    ...ERROR_KEY_NAMES.map((n) => ({ word: `${n}=` })),
    ...quoted(STACK_TEXT_KEY_NAMES, (c) => c === 34),
    ...STACK_TEXT_KEY_NAMES.map((n) => ({ word: `${n}=` })),
    ...(withNumericLevel ? quoted(LEVEL_KEY_NAMES, (c) => c === 45 || isDigit(c)) : []),
  ];
}

const probeWords = (withNumericLevel: boolean): ScanWord[] => probes(colonThen, withNumericLevel);

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
function bufferSearchOf(triggerWords: readonly string[], withNumericLevel: boolean, withOddNumber: boolean): BufferSearch | null {
  const words: ByteWord[] = [...probes(colonThenInBytes, withNumericLevel), ...triggerWords.map((word) => ({ word })), { word: '\\u' }];
  if (words.some((w) => [...w.word].some((c) => c.charCodeAt(0) > 0x7f))) return null;
  const find = createByteFinder(words);
  if (!withOddNumber) return find;
  return (bytes, from, limit) => {
    const word = find(bytes, from, limit);
    const odd = oddNumberInBytes(bytes, from, word === -1 ? limit : Math.min(limit, word + 1));
    return odd === -1 ? word : odd;
  };
}

/** Words shorter than this are searched apart (one small regex), so the table's blocks can be long. */
const SCAN_MIN_LENGTH = 5;
const BLOCK = 3;
const TABLE_BITS = 16;

/**
 * Whether `text` contains one of the words, ASCII case folded (as a non-unicode `i` regex folds).
 * Wu–Manber style: every occurrence of a word of length ≥ m covers m − BLOCK + 1 consecutive
 * three-character blocks, so looking up only every (m − BLOCK + 1)-th block, in a hashed table of
 * the blocks at the words' starts, finds it; the table is indexed by raw character codes (every
 * case entered), so most positions are skipped and the rest cost one array read. Two-character
 * blocks were tried first: English bigrams ("in", "er") made it slower than one regex.
 */
export function createWordScan(words: readonly ScanWord[]): (text: string) => boolean {
  const { long, short } = createWordFinder(words);
  return (text) => long(text, 0) !== -1 || short(text, 0) !== -1;
}

/** Where a word occurring at or after `from` starts, or -1: not necessarily the first such occurrence. */
export type FindFrom = (text: string, from: number) => number;

/**
 * The same search over a long text too (a whole read buffer, decoded as latin1 so every byte is one
 * character): the words of SCAN_MIN_LENGTH or more through the block table, the shorter ones through
 * one regex. Two searches, so a caller walking a buffer can keep the next hit of each.
 */
export function createWordFinder(words: readonly ScanWord[]): { long: FindFrom; short: FindFrom } {
  const lowered = words.map((w) => ({ ...w, word: w.word.toLowerCase() }));
  const short = lowered.filter((w) => w.word.length < SCAN_MIN_LENGTH);
  if (short.some((w) => w.after || w.word.length < 2)) throw new Error('scan words: short words take no `after` and two characters at least');
  const shortSource = wordsRegexSource(short.map((w) => w.word));
  const shortRe = shortSource === null ? null : new RegExp(shortSource, 'gi');
  const findShort = (text: string, from: number): number => {
    if (shortRe === null) return -1;
    shortRe.lastIndex = from;
    const m = shortRe.exec(text);
    return m === null ? -1 : m.index;
  };
  const long = lowered.filter((w) => w.word.length >= SCAN_MIN_LENGTH);
  if (long.length === 0) return { long: () => -1, short: findShort };
  const stride = Math.min(...long.map((w) => w.word.length)) - BLOCK + 1;
  type Entry = { word: string; offset: number; after: ScanWord['after'] };
  const buckets: Entry[][] = [];
  const table = new Uint16Array(1 << TABLE_BITS);
  const mask = (1 << TABLE_BITS) - 1;
  const hash = (a: number, b: number, c: number): number => ((a << 10) ^ (b << 5) ^ c ^ (a >> 3)) & mask;
  const cases = (c: number): number[] => (c >= 97 && c <= 122 ? [c, c - 32] : [c]);
  for (const w of long) {
    for (let k = 0; k < stride; k++) {
      const [a, b, c] = [0, 1, 2].map((i) => w.word.charCodeAt(k + i)) as [number, number, number];
      for (const x of cases(a)) {
        for (const y of cases(b)) {
          for (const z of cases(c)) {
            const key = hash(x, y, z);
            if (table[key] === 0) {
              buckets.push([]);
              table[key] = buckets.length;
            }
            const bucket = buckets[(table[key] as number) - 1] as Entry[];
            if (!bucket.some((e) => e.word === w.word && e.offset === k)) bucket.push({ word: w.word, offset: k, after: w.after });
          }
        }
      }
    }
  }
  /** Where a word covering the block at `block` starts, or -1. */
  const verify = (text: string, block: number, bucket: Entry[], from: number): number => {
    outer: for (const e of bucket) {
      const word = e.word;
      const pos = block - e.offset;
      const last = word.length - 1;
      if (pos < from || pos + word.length > text.length) continue;
      // Blocks of JSON keys ("pip" of "pipeline") hit on every line: the last character rejects them at once.
      if (foldAscii(text.charCodeAt(pos + last)) !== word.charCodeAt(last)) continue;
      for (let k = 0; k < last; k++) if (foldAscii(text.charCodeAt(pos + k)) !== word.charCodeAt(k)) continue outer;
      if (!e.after || e.after(text, pos + word.length)) return pos;
    }
    return -1;
  };
  const findLong = (text: string, from: number): number => {
    const end = text.length - BLOCK;
    for (let j = from; j <= end; j += stride) {
      const id = table[hash(text.charCodeAt(j), text.charCodeAt(j + 1), text.charCodeAt(j + 2))] as number;
      if (id !== 0) {
        const found = verify(text, j, buckets[id - 1] as Entry[], from);
        if (found !== -1) return found;
      }
    }
    return -1;
  };
  return { long: findLong, short: findShort };
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
  const parts = [UNVERIFIABLE_SOURCE];
  const words = wordsRegexSource(triggers.flatMap((c) => c.words));
  if (words) parts.push(words);
  if (withNumericLevel) parts.push(NUMERIC_LEVEL_SOURCE);
  if (withOddNumber) parts.push(ODD_NUMBER_SOURCE);
  const scanWords = [...probeWords(withNumericLevel), ...[...new Set(triggers.flatMap((c) => c.words))].map((word) => ({ word }))];
  const scan = createWordScan(scanWords);
  // `\u` alone is two characters (a stride of one): a native search is cheaper.
  const first = withOddNumber
    ? (raw: string): boolean => scan(raw) || raw.includes('\\u') || ODD_NUMBER.test(raw)
    : (raw: string): boolean => scan(raw) || raw.includes('\\u');

  function holds(c: Clause, raw: string, lower: string, levels: () => Set<Level>): boolean {
    for (const w of c.words) if (lower.includes(w)) return true;
    if (c.numericLevels.length > 0) {
      const present = levels();
      for (const l of c.numericLevels) if (present.has(l)) return true;
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
  const triggerWords = [...new Set(triggers.flatMap((c) => c.words))];
  return Object.assign(screen, {
    firstSearch: first,
    firstSearchSource: parts.join('|'),
    words: triggerWords,
    bufferSearch: bufferSearchOf(triggerWords, withNumericLevel, withOddNumber),
  });
}
