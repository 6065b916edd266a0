// A static check that a regex cannot backtrack exponentially in V8's backtracking engine, for every
// user regex in sentinel.yaml (rules, unless, macros, success_match, multiline, redact). A pattern
// is exponential when a repeated part can match the same text in more than one way: the engine then
// tries every split before it gives up (`(a|a)*$` on 40 `a`s and a `b` is 2^40 paths). We reject:
//   - a repeated group whose alternatives can start with the same character: `(a|a)*`, `(?:a|aa)+`,
//     `(\w|\d)+` (first-character overlap is a cheap, conservative stand-in for "ambiguous");
//   - a repeated group that can match the empty string: `(a?)*`, `(a*|b)+`;
//   - a repetition inside a repetition (star height 2): `(a+)+`, `(?:\s*x)*` — as safe-regex did.
// Pure JS and linear in the pattern's length, so no native engine (RE2) has to be built; see
// docs/adr/0007-regex-safety-without-re2.md. The per-record match budget (detect/match-budget.ts)
// is the second line of defence for what a static check cannot see (polynomial cost on long lines).
import retModule, { types, type Root, type Token, type Set as RetSet, type tokenizer as Tokenizer } from 'ret';

// ret is CommonJS: `module.exports` is the tokenizer itself, which TypeScript's types do not say.
const tokenizer = retModule as unknown as typeof Tokenizer;

export interface RegexHazard {
  /** Why the pattern is unsafe, and how to rewrite it; said to a person. */
  reason: string;
}

/** A set of characters: exact for ASCII, one flag for everything above it. */
interface CharSet {
  ascii: Uint8Array;
  high: boolean;
}

const emptySet = (): CharSet => ({ ascii: new Uint8Array(128), high: false });

function addRange(set: CharSet, from: number, to: number, ignoreCase: boolean): void {
  for (let c = from; c <= Math.min(to, 127); c++) {
    set.ascii[c] = 1;
    if (ignoreCase && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) set.ascii[c ^ 32] = 1;
  }
  if (to > 127) set.high = true;
}

function union(into: CharSet, from: CharSet): void {
  for (let c = 0; c < 128; c++) if (from.ascii[c]) into.ascii[c] = 1;
  if (from.high) into.high = true;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  if (a.high && b.high) return true;
  for (let c = 0; c < 128; c++) if (a.ascii[c] && b.ascii[c]) return true;
  return false;
}

function setOf(token: RetSet, ignoreCase: boolean): CharSet {
  const inner = emptySet();
  for (const item of token.set) {
    if (item.type === types.CHAR) addRange(inner, item.value, item.value, ignoreCase);
    else if (item.type === types.RANGE) addRange(inner, item.from, item.to, ignoreCase);
    else union(inner, setOf(item, ignoreCase));
  }
  if (!token.not) return inner;
  const out = emptySet();
  for (let c = 0; c < 128; c++) out.ascii[c] = inner.ascii[c] ? 0 : 1;
  out.high = true;
  return out;
}

/** What the analysis knows of a part of the pattern. */
interface Shape {
  /** Characters a non-empty match can start with. */
  first: CharSet;
  /** Whether it can match the empty string. */
  nullable: boolean;
  /** Whether it holds a repetition of more than one (star height). */
  repeats: boolean;
}

const REPEAT_LIMIT = 10; // `x{2,10}` of an ambiguous x is at most 2^10 paths; more is a hazard

class Analyser {
  hazard: RegexHazard | undefined;
  constructor(private readonly ignoreCase: boolean) {}

  sequence(tokens: Token[]): Shape {
    const shape: Shape = { first: emptySet(), nullable: true, repeats: false };
    for (const token of tokens) {
      const part = this.token(token);
      if (shape.nullable) union(shape.first, part.first);
      shape.nullable &&= part.nullable;
      shape.repeats ||= part.repeats;
    }
    return shape;
  }

  alternatives(options: Token[][], repeated: boolean): Shape {
    const shapes = options.map((o) => this.sequence(o));
    const shape: Shape = { first: emptySet(), nullable: false, repeats: false };
    shapes.forEach((s, i) => {
      if (repeated && !this.hazard && shapes.slice(0, i).some((earlier) => overlaps(earlier.first, s.first))) {
        this.hazard = {
          reason:
            'a repeated group has alternatives that can start with the same character (like (a|a)* or (?:a|aa)+), so it can backtrack exponentially; make the alternatives start differently or use a character class',
        };
      }
      union(shape.first, s.first);
      shape.nullable ||= s.nullable;
      shape.repeats ||= s.repeats;
    });
    return shape;
  }

  token(token: Token | Root, repeated = false): Shape {
    switch (token.type) {
      case types.CHAR: {
        const first = emptySet();
        addRange(first, token.value, token.value, this.ignoreCase);
        return { first, nullable: false, repeats: false };
      }
      case types.SET:
        return { first: setOf(token, this.ignoreCase), nullable: false, repeats: false };
      case types.POSITION:
      case types.REFERENCE:
        return { first: emptySet(), nullable: true, repeats: false };
      case types.GROUP: {
        const inner = token.options ? this.alternatives(token.options, repeated) : this.sequence(token.stack ?? []);
        // A lookaround consumes nothing: what it tests is not where the next part starts.
        if (token.followedBy || token.notFollowedBy) return { first: emptySet(), nullable: true, repeats: inner.repeats };
        return inner;
      }
      case types.REPETITION: {
        const many = token.max === Infinity || token.max === null || token.max > 1;
        const body = this.token(token.value, many && (token.max === Infinity || token.max === null || token.max > REPEAT_LIMIT));
        if (many && !this.hazard) {
          if (body.repeats) {
            this.hazard = {
              reason: 'a repetition inside a repetition (like (a+)+ or (?:x*y)*) can backtrack exponentially; repeat the inner part once, or bound it',
            };
          } else if (body.nullable) {
            this.hazard = { reason: 'a repeated group can match the empty string (like (a?)* or (a*|b)+), so it can backtrack exponentially; make each repetition consume a character' };
          }
        }
        return { first: body.first, nullable: body.nullable || token.min === 0, repeats: body.repeats || many };
      }
      default:
        return token.options ? this.alternatives(token.options, repeated) : this.sequence(token.stack ?? []);
    }
  }
}

// ret does not know lookbehind; for this analysis it is the same as a lookahead (it consumes nothing).
function withoutLookbehind(source: string): string {
  return source.replace(/(\\*)\(\?<([=!])/g, (m, slashes: string, kind: string) => (slashes.length % 2 === 0 ? `${slashes}(?${kind}` : m));
}

/** Undefined when the regex is safe; otherwise why not. The source must already compile as a JS RegExp. */
export function regexHazard(source: string, flags = ''): RegexHazard | undefined {
  let root: Root;
  try {
    root = tokenizer(withoutLookbehind(source));
  } catch {
    // Syntax ret does not know (a JS-only escape): we cannot prove it safe, so we say so.
    return { reason: 'the regex uses syntax the safety check cannot analyse; simplify it' };
  }
  const analyser = new Analyser(flags.includes('i'));
  analyser.token(root);
  return analyser.hazard;
}
