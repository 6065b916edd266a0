// What a record's raw text must contain for a match expression to possibly hold, derived from the
// expression alone so the record screen (record-screen.ts) can skip parsing. A need is a conjunction
// of clauses; a clause is satisfied when the text holds one of its alternatives. Being conservative
// is the contract: when the text satisfies no clause of a need, no parse of it can make the
// expression hold. An empty need ([]) proves nothing: the screen must then pass every record.
//
// Assumptions the screen checks for itself (and passes the record when they fail): the raw text has
// no `\u` escape, and its parsed message and error are verbatim parts of it (no non-string message,
// no error object or stack text). Under them every string the parser yields is, run by run of plain
// ASCII, a substring of the raw text, and the event's level comes from a level word or a number.
import type { MatchExpr } from '../config/config-types.js';
import { glogLetters, levelWords } from '../parse/parse-record.js';
import type { Level } from '../types.js';
import type { CompileContext } from './compile-match.js';
import { MIN_LITERAL_LENGTH, requiredLiterals } from '../config/regex-literals.js';

export interface Clause {
  /** Lower-case words, one of which the lower-cased raw text contains. */
  words: readonly string[];
  /** Or the record carries a numeric level (pino's 50) that normalises to one of these. */
  numericLevels: readonly Level[];
  /** Or the record starts with a glog / klog header (`E1203 12:00:00.123456 …`) whose letter is one of these (lower case). */
  glogLetters: readonly string[];
  /** Or the record holds a number whose text JavaScript renders differently (1e2, 0.0000001, 17 digits). */
  oddNumber: boolean;
  /** Failure evidence (levels, regexes) filters better than a field value: pipeline names are on every line. */
  evidence: boolean;
}

export type Need = readonly Clause[];

const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

// Characters a JSON or logfmt writer may escape, and non-ASCII (whose case folding differs).
function isPlain(code: number): boolean {
  return code >= 0x20 && code < 0x7f && code !== 0x22 /* " */ && code !== 0x5c /* \ */ && code !== 0x2f; /* / */
}

/** The longest run of plain characters of a value, lower-cased; it appears verbatim in any raw text the value was parsed from. */
function longestPlainRun(text: string): string | null {
  let best = '';
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || !isPlain(text.charCodeAt(i))) {
      if (i - start > best.length) best = text.slice(start, i);
      start = i + 1;
    }
  }
  return best.length >= MIN_LITERAL_LENGTH ? best.toLowerCase() : null;
}

// What String(n) can print for a JSON number: the raw number may have been written otherwise.
const NUMBER_TEXT = /^-?(?:\d+(?:\.\d+)?(?:e[-+]\d+)?|Infinity)$/;

function clause(words: readonly string[], evidence: boolean, numericLevels: readonly Level[] = [], oddNumber = false, glog: readonly string[] = []): Clause {
  return { words: [...new Set(words)], numericLevels: [...new Set(numericLevels)], glogLetters: [...new Set(glog)], oddNumber, evidence };
}

function union(clauses: readonly Clause[]): Clause {
  return clause(
    clauses.flatMap((c) => c.words),
    // A level word or a regex literal among the alternatives makes the clause evidence.
    clauses.some((c) => c.evidence),
    clauses.flatMap((c) => c.numericLevels),
    clauses.some((c) => c.oddNumber),
    clauses.flatMap((c) => c.glogLetters),
  );
}

/** The level must be one of `levels`. */
export function levelClause(levels: readonly string[]): Clause | null {
  const known = levels.filter((l): l is Level => (LEVELS as readonly string[]).includes(l));
  // `unknown` (or a level name no record can have… which the config check rejects) proves nothing.
  if (known.length !== levels.length) return null;
  return clause(
    known.flatMap((l) => levelWords(l)),
    true,
    known,
    false,
    known.flatMap((l) => glogLetters(l)),
  );
}

/** The text of field `path` must equal one of `values`. */
export function fieldClause(path: string, values: readonly string[]): Clause | null {
  // These fall back to the record's origin when the record has no such field.
  if (path === 'source' || path === 'file') return null;
  const parts: Clause[] = [];
  for (const value of values) {
    // Objects and arrays compare as JSON.stringify's text, whose spacing need not be the record's.
    if (value.startsWith('{') || value.startsWith('[')) return null;
    // Without a `level` field, `level` is the event's normalised level, `unknown` for most records.
    if (path === 'level' && value === 'unknown') return null;
    const run = longestPlainRun(value);
    const odd = NUMBER_TEXT.test(value);
    const level = path === 'level' && (LEVELS as readonly string[]).includes(value) ? levelClause([value]) : null;
    if (!run && !level) return null;
    parts.push(clause(run ? [run] : [], false, [], odd));
    if (level) parts.push(level);
  }
  return parts.length === 0 ? null : union(parts);
}

function regexClause(source: string): Clause | null {
  const literals = requiredLiterals(source);
  return literals ? clause(literals, true) : null;
}

/** Most clauses a disjunction may expand into before it is folded into one. */
const MAX_PRODUCT = 4;

function anyNeed(branches: readonly Need[]): Need {
  if (branches.length === 0 || branches.some((b) => b.length === 0)) return [];
  // (a1 ∧ a2) ∨ b1 = (a1 ∨ b1) ∧ (a2 ∨ b1): exact while small, else each branch's best clause.
  const size = branches.reduce((n, b) => n * b.length, 1);
  if (size > MAX_PRODUCT) return [union(branches.map((b) => bestClause(b) as Clause))];
  let product: Clause[][] = [[]];
  for (const branch of branches) product = product.flatMap((picked) => branch.map((c) => [...picked, c]));
  return product.map(union);
}

/** The clause most likely to fail on an ordinary line: evidence first, then the longest shortest word. */
export function bestClause(need: Need): Clause | undefined {
  const score = (c: Clause): number => {
    const shortest = c.words.length === 0 ? 0 : Math.min(...c.words.map((w) => w.length));
    return (c.evidence ? 1000 : 0) + shortest * 10 - Math.min(9, c.words.length / 10);
  };
  let best: Clause | undefined;
  for (const c of need) if (!best || score(c) > score(best)) best = c;
  return best;
}

/** The need of a match expression: every key given must hold, so their clauses add up. */
export function screenNeed(expr: MatchExpr, ctx: CompileContext, seenMacros: readonly string[] = []): Need {
  const out: (Clause | null)[] = [];
  const add = (need: Need): void => {
    out.push(...need);
  };
  if (expr.level !== undefined) out.push(levelClause(Array.isArray(expr.level) ? expr.level : [expr.level]));
  if (expr.fields) {
    for (const [path, expected] of Object.entries(expr.fields)) {
      out.push(fieldClause(path, (Array.isArray(expected) ? expected : [expected]).map((v) => String(v))));
    }
  }
  if (expr.in_list) {
    for (const [path, listName] of Object.entries(expr.in_list)) {
      const list = ctx.lists[listName];
      if (list) out.push(fieldClause(path, list.map(String)));
    }
  }
  if (expr.regex !== undefined) out.push(regexClause(expr.regex));
  if (expr.raw_regex !== undefined) out.push(regexClause(expr.raw_regex));
  // field_regex: a field's text may be derived (the event's level, the origin) — no clause.
  if (expr.macro !== undefined) {
    const body = ctx.macros[expr.macro];
    if (body && !seenMacros.includes(expr.macro)) add(screenNeed(body, ctx, [...seenMacros, expr.macro]));
  }
  if (expr.all) for (const sub of expr.all) add(screenNeed(sub, ctx, seenMacros));
  if (expr.any) add(anyNeed(expr.any.map((sub) => screenNeed(sub, ctx, seenMacros))));
  // not, has_error: nothing a text must contain.
  return out.filter((c): c is Clause => c !== null);
}
