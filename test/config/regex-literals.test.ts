// The literal extractor behind the pre-filter: what it proves, and (property) that every text a
// regex matches holds one of the literals it returned, for hand-picked and built-in pack regexes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MatchExpr } from '../../src/config/config-types.js';
import { BUILTIN_PACKS } from '../../src/detect/packs/index.js';
import { requiredLiterals } from '../../src/config/regex-literals.js';

describe('requiredLiterals', () => {
  it('answers a source it has read before with the same (read-only) requirement, null included', () => {
    const source = 'connection (?:refused|reset) by peer';
    const first = requiredLiterals(source);
    expect(first).toEqual(['connection ']);
    expect(requiredLiterals(source)).toBe(first);
    expect(requiredLiterals('a.b')).toBeNull();
    expect(requiredLiterals('a.b')).toBeNull();
  });

  it.each<[string, string[] | null]>([
    ['Step failed', ['step failed']],
    ['Traceback \\(most recent call last\\):', ['traceback (most recent call last):']],
    ['ECONNREFUSED|ETIMEDOUT', ['econnrefused', 'etimedout']],
    ['(?:relation|column) "[^"]+" does not exist', [' does not exist']],
    ['\\bKilled\\b', ['killed']],
    ['exit(?:ed)? code 137', [' code 137']], // the longest literal filters best
    ['colou?r mismatch', ['r mismatch']],
    ['ab*c', null], // "a" and "c": too short to filter anything
    ['timeouts?', ['timeout']],
    ['(?:Error|Exception)\\b', ['error', 'exception']],
    ['foo|\\d+', null], // one alternative needs no literal
    ['(?=.*panic).*', null],
    ['(?<name>fatal) error', [' error']],
    ['[A-Z]+Error', ['error']],
    ['x{0,3}yyy', ['yyy']],
    ['(abc)+def', ['abc']],
    ['(abc)*defg', ['defg']],
    ['\\d{4}-\\d{2}', null],
    ['path\\/to\\/file', ['path']],
    ['', null],
  ])('%s → %j', (source, expected) => {
    const got = requiredLiterals(source);
    expect(got === null ? null : [...got].sort()).toEqual(expected === null ? null : [...expected].sort());
  });

  const packRegexes = BUILTIN_PACKS.flatMap((p) =>
    p.rules.flatMap((r) => {
      const collect = (m: MatchExpr): { source: string; flags: string }[] => [
        ...[m.regex, m.raw_regex].filter((s): s is string => s !== undefined).map((source) => ({ source, flags: m.ignore_case ? 'i' : '' })),
        ...(m.all ?? []).flatMap(collect),
        ...(m.any ?? []).flatMap(collect),
      ];
      return collect(r.match);
    }),
  );
  const handPicked = ['Step failed', 'colou?r (?:mismatch|drift)', '(?:abc)+de?f', 'x[0-9]+(?:yyy|zzzz)w', 'Job \\d+ (?:failed|aborted)', 'a.b.c(?:dee)?fff'].map((source) => ({ source, flags: '' }));

  it.each([...handPicked, ...packRegexes])('every text matching /$source/$flags holds a literal', ({ source, flags }) => {
    const literals = requiredLiterals(source);
    if (literals === null) return;
    // fast-check cannot generate for word boundaries or lookarounds; without them the regex matches
    // a superset, so the property still covers every text the real one matches.
    const re = new RegExp(withoutLookarounds(source.replace(/\\[bB]/g, '')));
    // fast-check generates without the i flag: flip letter case afterwards for such regexes.
    const texts = fc.tuple(fc.stringMatching(re), fc.infiniteStream(fc.boolean())).map(([text, flips]) =>
      flags.includes('i') ? [...text].map((ch) => (flips.next().value ? ch.toUpperCase() : ch.toLowerCase())).join('') : text,
    );
    fc.assert(
      fc.property(texts, (text) => {
        const lower = text.toLowerCase();
        return literals.some((l) => lower.includes(l));
      }),
      { numRuns: 200 },
    );
  });
});

/** The source without its `(?=…)`, `(?!…)`, `(?<=…)` and `(?<!…)` groups (balanced, escapes respected). */
function withoutLookarounds(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    if (!/^\(\?<?[=!]/.test(source.slice(i, i + 4))) {
      if (source[i] === '\\') out += source[i++] ?? '';
      out += source[i] ?? '';
      continue;
    }
    let depth = 0;
    for (; i < source.length; i++) {
      const ch = source[i];
      if (ch === '\\') i++;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) break;
    }
  }
  return out;
}
