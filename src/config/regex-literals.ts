// Required-literal extraction for the pre-filter (docs/adr/0004-raw-text-screen-before-parse.md):
// most lines match no rule, so what counts is proving a line uninteresting cheaply. For each regex
// we derive a set of literal strings such that any text the regex matches contains at least one of
// them. A line holding none of the literals of any rule skips every regex.
//
// The extractor reads the common forms (literal runs, escapes, groups, alternations, quantifiers,
// classes) and gives up (null: "cannot tell", the regex always runs) on anything else. Being
// conservative is the contract: a returned set must never exclude a text the regex can match.

/** Lower-cased literals, one of which any match contains; null when none could be proven. */
export type Requirement = readonly string[] | null;

/** Shorter literals are too common to filter anything ("at ", "id"); such requirements count as none. */
export const MIN_LITERAL_LENGTH = 3;

// Printable ASCII only: case-insensitive matching of non-ASCII differs between regexes, and
// characters a JSON or logfmt encoder may escape (`"`, `\`, `/`) are left out as well.
function isSafeChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code >= 0x20 && code < 0x7f && ch !== '"' && ch !== '\\' && ch !== '/';
}

class Unsupported extends Error {}

interface Parser {
  src: string;
  pos: number;
}

function better(a: Requirement, b: Requirement): Requirement {
  if (!a) return b;
  if (!b) return a;
  const minA = Math.min(...a.map((s) => s.length));
  const minB = Math.min(...b.map((s) => s.length));
  if (minA !== minB) return minA > minB ? a : b;
  return a.length <= b.length ? a : b;
}

function eligible(req: Requirement): Requirement {
  if (!req || req.length === 0) return null;
  return req.every((s) => s.length >= MIN_LITERAL_LENGTH) ? req : null;
}

/** A quantifier at the parser position: how many times the atom before it must occur at least. */
function readQuantifier(p: Parser): number | undefined {
  const ch = p.src[p.pos];
  let min: number | undefined;
  if (ch === '*' || ch === '?') {
    min = 0;
    p.pos++;
  } else if (ch === '+') {
    min = 1;
    p.pos++;
  } else if (ch === '{') {
    const m = /^\{(\d+)(,\d*)?\}/.exec(p.src.slice(p.pos));
    if (!m) return undefined; // a literal `{` in JS non-unicode mode
    min = Number(m[1]);
    p.pos += m[0].length;
  } else {
    return undefined;
  }
  if (p.src[p.pos] === '?') p.pos++; // lazy
  return min;
}

function skipClass(p: Parser): void {
  // At '['. JS classes end at the first unescaped ']' ('[]' is the empty class).
  p.pos++;
  while (p.pos < p.src.length) {
    const ch = p.src[p.pos];
    if (ch === '\\') p.pos += 2;
    else if (ch === ']') {
      p.pos++;
      return;
    } else p.pos++;
  }
  throw new Unsupported('unterminated class');
}

/** An escape at p.pos ('\\'): returns the literal character it stands for, or null for a class / assertion. */
function readEscape(p: Parser): string | null {
  const next = p.src[p.pos + 1];
  if (next === undefined) throw new Unsupported('trailing backslash');
  p.pos += 2;
  if ('dDwWsSbBnrtfv0'.includes(next)) return null;
  if (next === 'c') {
    p.pos++;
    return null;
  }
  if (next === 'x') {
    p.pos += 2;
    return null;
  }
  if (next === 'u') {
    if (p.src[p.pos] === '{') p.pos = p.src.indexOf('}', p.pos) + 1;
    else p.pos += 4;
    return null;
  }
  if (next === 'p' || next === 'P') {
    p.pos = p.src.indexOf('}', p.pos) + 1;
    return null;
  }
  if (next === 'k') {
    p.pos = p.src.indexOf('>', p.pos) + 1;
    return null;
  }
  if (/[1-9]/.test(next)) {
    while (/[0-9]/.test(p.src[p.pos] ?? '')) p.pos++;
    return null;
  }
  return next;
}

/** Parses alternatives until ')' or the end; returns their combined requirement. */
function parseAlternation(p: Parser): Requirement {
  const alternatives: Requirement[] = [parseSequence(p)];
  while (p.src[p.pos] === '|') {
    p.pos++;
    alternatives.push(parseSequence(p));
  }
  if (alternatives.some((a) => a === null)) return null;
  const union = new Set<string>();
  for (const a of alternatives) for (const s of a ?? []) union.add(s);
  return [...union];
}

function parseSequence(p: Parser): Requirement {
  let best: Requirement = null;
  let run = '';
  const endRun = (): void => {
    if (run.length > 0) best = better(best, eligible([run]));
    run = '';
  };
  while (p.pos < p.src.length) {
    const ch = p.src[p.pos] as string;
    if (ch === '|' || ch === ')') break;
    if (ch === '(') {
      endRun();
      p.pos++;
      let lookaround = false;
      if (p.src[p.pos] === '?') {
        const head = p.src.slice(p.pos, p.pos + 3);
        if (head.startsWith('?:')) p.pos += 2;
        else if (head.startsWith('?=') || head.startsWith('?!')) {
          lookaround = true;
          p.pos += 2;
        } else if (head === '?<=' || head === '?<!') {
          lookaround = true;
          p.pos += 3;
        } else if (head.startsWith('?<')) {
          p.pos = p.src.indexOf('>', p.pos) + 1;
          if (p.pos === 0) throw new Unsupported('bad group name');
        } else throw new Unsupported('group modifier');
      }
      const inner = parseAlternation(p);
      if (p.src[p.pos] !== ')') throw new Unsupported('unbalanced group');
      p.pos++;
      const min = readQuantifier(p);
      if (!lookaround && (min === undefined || min >= 1)) best = better(best, eligible(inner));
      continue;
    }
    if (ch === '[') {
      endRun();
      skipClass(p);
      readQuantifier(p);
      endRun();
      continue;
    }
    if (ch === '.' || ch === '^' || ch === '$') {
      endRun();
      p.pos++;
      readQuantifier(p);
      continue;
    }
    let literal: string | null;
    if (ch === '\\') literal = readEscape(p);
    else {
      literal = ch;
      p.pos++;
    }
    const min = readQuantifier(p);
    if (literal === null || !isSafeChar(literal)) {
      endRun();
      continue;
    }
    if (min === undefined) run += literal.toLowerCase();
    else if (min === 0) endRun();
    else {
      run += literal.toLowerCase();
      endRun();
    }
  }
  endRun();
  return best;
}

/**
 * Answers by regex source. The packs share long patterns across rules (every rule's "a wait or retry
 * is no failure" clause, the pack-wide error words): at start-up 1,735 extractions read 120 distinct
 * sources, ~0.1 s of the agent's time to ready while V8's optimizing compilers are held (ADR 0018).
 * Requirements are read-only, so one answer serves every caller. Cleared when full, which only a
 * long run of reloads with ever-new regexes reaches.
 */
const answered = new Map<string, Requirement>();
const MAX_ANSWERED = 10_000;

/**
 * The literals (lower-cased) one of which every match of `source` contains, or null when the
 * extractor cannot prove any of at least MIN_LITERAL_LENGTH characters.
 */
export function requiredLiterals(source: string): Requirement {
  const known = answered.get(source);
  if (known !== undefined) return known;
  const req = extractRequiredLiterals(source);
  if (answered.size >= MAX_ANSWERED) answered.clear();
  answered.set(source, req);
  return req;
}

function extractRequiredLiterals(source: string): Requirement {
  try {
    const p: Parser = { src: source, pos: 0 };
    const req = parseAlternation(p);
    if (p.pos !== source.length) return null; // a stray ')' etc.: let the compiler judge it
    return eligible(req);
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
}

/** Combines requirements that must all hold (pick the most selective). */
export function requireAll(reqs: Requirement[]): Requirement {
  return reqs.reduce<Requirement>((acc, r) => better(acc, r), null);
}

/** Combines requirements of which one must hold (the union, if every branch has one). */
export function requireAny(reqs: Requirement[]): Requirement {
  if (reqs.length === 0 || reqs.some((r) => r === null)) return null;
  return [...new Set(reqs.flatMap((r) => r ?? []))];
}
