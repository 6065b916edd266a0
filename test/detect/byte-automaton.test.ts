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

  it('follows followedBy in the table: a word counts only when the next bytes start with one of its runs and its check agrees', () => {
    const colon = (c: number): boolean => c === 58;
    const quote = (c: number): boolean => c === 34;
    const notQuote = (c: number): boolean => c !== 34;
    const calls: number[] = [];
    const nonString = (bytes: Uint8Array, end: number, limit: number): boolean => {
      calls.push(end);
      return end + 1 < limit && bytes[end] === 58 && bytes[end + 1] !== 34;
    };
    const find = createByteFinder([{ word: '"msg"', followedBy: [[colon, notQuote]], after: nonString }, { word: 'x"', followedBy: [[quote]] }]);
    const line = '{"msg":"a"} {"MSG":"b"} {"msg":7}';
    const text = bytesOf(line);
    expect(find(text, 0, text.length)).toBe(line.indexOf('"msg":7'));
    expect(calls).toEqual([line.indexOf('"msg":7') + 5]); // the two string values never reached the check
    expect(find(bytesOf('ax"" x"y'), 0, 8)).toBe(1);
    expect(find(bytesOf('ax"'), 0, 3)).toBe(-1); // what must follow lies past the limit
    expect(() => createByteFinder([{ word: 'a', followedBy: [[(c) => c === 65]] }])).toThrow(/both cases/);
  });

  /** Where the first word counting in bytes[from, limit) ends, and the starts of the words ending there; null: none. */
  function firstByEnd(list: readonly ByteWord[], bytes: Uint8Array, from: number, limit: number): { end: number; starts: number[] } | null {
    const lower = Buffer.from(bytes.subarray(0, limit)).toString('latin1').toLowerCase();
    const follows = (w: ByteWord, end: number): boolean =>
      !w.followedBy || w.followedBy.some((run) => end + run.length <= limit && run.every((test, k) => test(bytes[end + k] as number)));
    const counts = (w: ByteWord, at: number): boolean =>
      lower.startsWith(w.word.toLowerCase(), at) && follows(w, at + w.word.length) && (!w.after || w.after(bytes, at + w.word.length, limit));
    let best: { end: number; starts: number[] } | null = null;
    for (const w of list) {
      const word = w.word.toLowerCase();
      for (let at = lower.indexOf(word, from); at !== -1; at = lower.indexOf(word, at + 1)) {
        if (!counts(w, at)) continue;
        const end = at + word.length + (w.followedBy ? Math.min(...w.followedBy.filter((run) => run.every((test, k) => test(bytes[at + word.length + k] as number))).map((r) => r.length)) : 0);
        if (!best || end < best.end) best = { end, starts: [at] };
        else if (end === best.end) best.starts.push(at);
        break;
      }
    }
    return best;
  }

  it('(property) on long runs of bytes, where the search runs four chains over windows, finds a word exactly where one plain search does, first by where it ends', () => {
    const colon = (c: number): boolean => c === 58;
    const notQuote = (c: number): boolean => c !== 34;
    const nonString = (bytes: Uint8Array, end: number, limit: number): boolean => end + 1 < limit && bytes[end] === 58 && bytes[end + 1] !== 34;
    const list: ByteWord[] = [
      { word: 'ZeroDivisionError' },
      { word: 'killed process' },
      { word: 'err' },
      { word: '"msg"', followedBy: [[colon, notQuote]], after: nonString },
      { word: 'fail_' },
    ];
    const find = createByteFinder(list);
    const filler = '{"ts":"2026-12-03T22:00:00Z","level":"info","msg":"batch 12 rows=4 ms=7","step":"load_warehouse"}\n';
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('ZERODIVISIONERROR', 'Killed Process', 'eRr', '"msg":3', '"msg":"x"', 'fail_', 'fai', 'ZeroDivision')), { maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        (copies, inserts, a, b) => {
          let text = filler.repeat(copies * 100);
          for (const [at, word] of inserts) {
            const k = at % text.length;
            text = text.slice(0, k) + word + text.slice(k);
          }
          const bytes = bytesOf(text);
          const from = a % (bytes.length + 1);
          const limit = from + (b % (bytes.length - from + 1));
          const expected = firstByEnd(list, bytes, from, limit);
          const found = find(bytes, from, limit);
          if (!expected) expect(found).toBe(-1);
          else expect(expected.starts).toContain(found);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('finds a word at every place around where the four chains and the windows meet, before a word further on', () => {
    const find = createByteFinder([{ word: 'ZeroDivisionError' }, { word: 'fail_' }]);
    const length = 200_000;
    const clean = Buffer.from('{"level":"info","msg":"batch 12 rows=4 ms=7","step":"load_warehouse"}\n'.repeat(3000), 'latin1').subarray(0, length);
    // Windows of 64 KiB, the last one longer (72 KiB here); four quarters each.
    const meets = [16_384, 32_768, 49_152, 65_536, 131_072, 131_072 + 18_000, 131_072 + 36_000];
    for (const later of [false, true]) {
      for (const meet of meets) {
        for (let at = meet - 40; at <= meet + 40; at++) {
          const bytes = new Uint8Array(clean);
          bytes.set(Buffer.from('ZERODIVISIONERROR', 'latin1'), at);
          if (later) bytes.set(Buffer.from('fail_', 'latin1'), length - 100);
          expect(find(bytes, 0, length)).toBe(at);
        }
      }
    }
  });

  it('searches as well without WebAssembly (`--jitless`), one chain in JavaScript', () => {
    const text = bytesOf('{"level":"info","msg":"batch 12 rows=4 ms=7"}\n'.repeat(4000) + 'Killed process 12\n');
    const words = [{ word: 'killed process' }, { word: 'ZeroDivisionError' }];
    const withKernel = createByteFinder(words)(text, 0, text.length);
    const global = globalThis as { WebAssembly?: unknown };
    const saved = global.WebAssembly;
    delete global.WebAssembly;
    try {
      expect(createByteFinder(words)(text, 0, text.length)).toBe(withKernel);
    } finally {
      global.WebAssembly = saved;
    }
    expect(withKernel).toBe(text.length - 'Killed process 12\n'.length);
  });

  it('finds the first word when a later chain meets one while chain 0 is inside a word, or before a check that reads on', () => {
    const clean = Buffer.from('{"level":"info","msg":"batch 12 rows=4 ms=7","step":"load_warehouse"}\n'.repeat(1500), 'latin1').subarray(0, 100_000);
    const find = createByteFinder([{ word: 'ZeroDivisionError' }, { word: 'fail_' }]);
    // fail_ swept through where the last quarter starts: one of these meets it while chain 0 reads ZeroDivisionError.
    for (let at = 74_000; at <= 77_000; at++) {
      const bytes = new Uint8Array(clean);
      bytes.set(Buffer.from('ZeroDivisionError', 'latin1'), 1000);
      bytes.set(Buffer.from('fail_', 'latin1'), at);
      expect(find(bytes, 0, bytes.length)).toBe(1000);
    }
    // A word whose check reads 12 bytes on, just before a short word a later chain can meet first.
    const bang = (bytes: Uint8Array, end: number, limit: number): boolean => end + 12 < limit && bytes[end + 12] === 33;
    const checked = createByteFinder([{ word: 'ZeroDivisionError', after: bang }, { word: 'oom' }]);
    for (const meet of [25_000, 50_000, 75_000]) {
      for (let at = meet - 40; at <= meet + 40; at++) {
        const bytes = new Uint8Array(clean);
        bytes.set(Buffer.from('ZeroDivisionError oom        !', 'latin1'), at);
        expect(checked(bytes, 0, bytes.length)).toBe(at);
      }
    }
  });
});
