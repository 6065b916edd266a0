// The tailer's search over raw bytes (src/detect/byte-automaton.ts): ASCII case folded, words of
// any length (one character up), each with an optional check of what follows it; from any position
// it finds a word exactly when one starts there or later, and never reads past its limit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createByteFinder, type ByteWord } from '../../src/detect/byte-automaton.js';

const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

describe('createByteFinder', () => {
  it('finds words case-insensitively, overlapping and nested ones included, and reports where they start', () => {
    const find = createByteFinder([{ word: 'ZeroDivisionError' }, { word: 'err' }, { word: 'rror: ' }, { word: '): ' }]);
    const text = bytesOf('{"msg":"ZERODIVISIONERROR happened"}');
    expect(find(text, 0, text.length)).toBe(text.indexOf('E'.charCodeAt(0), 12)); // "ERR" inside the long word ends first
    expect(find(bytesOf('nothing here'), 0, 12)).toBe(-1);
    const nested = bytesOf('xx eRrOr: yy');
    expect(find(nested, 0, nested.length)).toBe(3);
    expect(find(bytesOf('f(): x'), 0, 6)).toBe(2);
  });

  it('searches only bytes[from, limit): a word cut by either bound is not found', () => {
    const find = createByteFinder([{ word: 'killed' }]);
    const text = bytesOf('a killed b');
    expect(find(text, 0, text.length)).toBe(2);
    expect(find(text, 3, text.length)).toBe(-1);
    expect(find(text, 0, 7)).toBe(-1);
  });

  it('counts a word with a check only where the check holds, and goes on looking after one that fails', () => {
    const colonQuote = (bytes: Uint8Array, end: number, limit: number): boolean => end + 1 < limit && bytes[end] === 58 && bytes[end + 1] === 34;
    const find = createByteFinder([{ word: '"msg"', after: colonQuote }]);
    const text = bytesOf('{"msg":1} {"MSG":"x"}');
    expect(find(text, 0, text.length)).toBe(11);
    expect(find(text, 0, 17)).toBe(-1);
  });

  it('treats non-ASCII bytes as bytes: UTF-8 around a word does not hide it, and no word is made of them', () => {
    const find = createByteFinder([{ word: 'error' }]);
    const text = new Uint8Array(Buffer.from('café ÉRROR ünï error 🙂'));
    expect(find(text, 0, text.length)).toBe(Buffer.from('café ÉRROR ünï ').length);
    expect(() => createByteFinder([{ word: 'érror' }])).toThrow(/ASCII/);
  });

  it('(property) agrees with a plain search from any position, with and without checks', () => {
    const alphabet = fc.constantFrom('p', 'i', 'e', 'l', 'n', '_', 'f', 'a', 'u', 'r', 'P', 'E', ' ', ':', '"', 'é');
    const wordArb = fc.array(fc.constantFrom('p', 'i', 'e', 'l', 'n', '_', 'f', 'a', 'u', 'r', ' ', ':', '"'), { minLength: 1, maxLength: 10 }).map((cs) => cs.join(''));
    // A word may require a colon right after it (as the probes for JSON keys do).
    const colon = (bytes: Uint8Array, end: number, limit: number): boolean => end < limit && bytes[end] === 58;
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(wordArb, fc.boolean()), { minLength: 1, maxLength: 8, selector: ([w]) => w.toLowerCase() }).chain((words) =>
          fc.tuple(
            fc.constant(words),
            fc.array(fc.oneof(alphabet, fc.constant('\n'), fc.constantFrom(...words.map(([w]) => w), ...words.map(([w]) => w.toUpperCase()))), { maxLength: 60 }),
            fc.nat(),
            fc.nat(),
          ),
        ),
        ([words, pieces, a, b]) => {
          const bytes = new Uint8Array(Buffer.from(pieces.join('')));
          const from = bytes.length === 0 ? 0 : a % (bytes.length + 1);
          const limit = from + (bytes.length - from === 0 ? 0 : b % (bytes.length - from + 1));
          const list: ByteWord[] = words.map(([word, checked]) => (checked ? { word, after: colon } : { word }));
          const lower = Buffer.from(bytes.subarray(0, limit)).toString('latin1').toLowerCase();
          const counts = (w: ByteWord, at: number): boolean => lower.startsWith(w.word.toLowerCase(), at) && (!w.after || w.after(bytes, at + w.word.length, limit));
          const starts: number[] = [];
          for (let at = from; at < limit; at++) if (list.some((w) => counts(w, at))) starts.push(at);
          const found = createByteFinder(list)(bytes, from, limit);
          expect(found === -1).toBe(starts.length === 0);
          if (found !== -1) expect(starts).toContain(found);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
