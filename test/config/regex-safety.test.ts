import { describe, expect, it } from 'vitest';
import { regexHazard } from '../../src/config/regex-safety.js';

// [pattern, flags, what the check must say: undefined = safe, else a word of the reason]
const CASES: Array<[string, string, string | undefined]> = [
  ['(a|a)*$', '', 'alternatives'],
  ['(?:a|aa)+$', '', 'alternatives'],
  ['(\\w|\\d)+x', '', 'alternatives'],
  ['(?:x|X)+y', 'i', 'alternatives'],
  ['(a|a){1,40}', '', 'alternatives'],
  ['(a?)*b', '', 'empty'],
  ['(?:a?|b)+c', '', 'empty'],
  ['(a+)+b', '', 'inside a repetition'],
  ['(?:\\s*x)*', '', 'inside a repetition'],
  ['(?<=id=)(a|a)*$', '', 'alternatives'],
  // Safe: disjoint alternatives, bounded repeats, no repetition under repetition.
  ['Step failed', '', undefined],
  ['(?:ERROR|FATAL).*failed', '', undefined],
  ['(?:[^"\\\\]|\\\\.)*', '', undefined],
  ['(?:\\w|-)+', '', undefined],
  ['(?:x|X)+y', '', undefined],
  ['(?:a|b){2,5}', '', undefined],
  ['(a|a){2}', '', undefined],
  ['\\d+\\.\\d+', '', undefined],
  ['(?<=user=)\\w+', '', undefined],
  ['(?<name>\\w+)=(?!x)', '', undefined],
];

describe('regex safety check', () => {
  it.each(CASES)('%s (flags %s)', (pattern, flags, reason) => {
    const hazard = regexHazard(pattern, flags);
    if (reason === undefined) expect(hazard).toBeUndefined();
    else expect(hazard?.reason).toContain(reason);
  });
});
