// "Does this run of bytes hold one of these words, ASCII case folded?" for whole read buffers, one
// table step per byte and no string ever made: an Aho–Corasick automaton compiled into a DFA over
// byte classes. The tailer screens every byte of a busy log with it, so clean regions are never
// decoded (source/screened-split.ts); it replaced a block-table scan over 64 KiB latin1 strings
// plus a regex for the short words, which together were ~1.5 CPU s of the 178 MB catch-up
// benchmark (docs/benchmarks.md, "Sixth round"). One step per byte costs the same whatever the
// words are, however many (the built-in packs bring ~350) and however short ("err", "): ").

/** A word, and optionally what must follow it in the bytes (a JSON value's first character…). */
export interface ByteWord {
  /** ASCII only: a non-ASCII word's bytes are not its characters under case folding. */
  word: string;
  /** Called with the index just after the word and the end of the bytes searched; the word counts only when this says so. */
  after?: (bytes: Uint8Array, end: number, limit: number) => boolean;
}

/** Where a word found in `bytes[from, limit)` starts (not necessarily the first), or -1. */
export type ByteFind = (bytes: Uint8Array, from: number, limit: number) => number;

/**
 * Compiles `words` into one search. The table holds a row per trie state and a column per distinct
 * character (~0.6 MB for the built-in packs' ~350 words). Throws on a non-ASCII word: the caller
 * then screens otherwise.
 */
export function createByteFinder(words: readonly ByteWord[]): ByteFind {
  if (words.some((w) => w.word.length === 0 || [...w.word].some((c) => c.charCodeAt(0) > 0x7f))) throw new Error('byte automaton: ASCII words of one character at least');
  const lowered = words.map((w) => ({ word: w.word.toLowerCase(), after: w.after }));

  // Byte classes: one per distinct (folded) character of the words, class 0 for every other byte.
  const classOf = new Uint8Array(256);
  let classes = 1;
  for (const { word } of lowered) {
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      if (classOf[c] === 0) {
        classOf[c] = classes;
        if (c >= 97 && c <= 122) classOf[c - 32] = classes;
        classes += 1;
      }
    }
  }
  const stride = 1 << Math.ceil(Math.log2(classes));

  // The trie, in rows of `stride` entries (0: no child yet; state 0 is the root), each state's
  // children also listed as (class, state) pairs, and the words ending at each state.
  const bound = 1 + lowered.reduce((n, w) => n + w.word.length, 0);
  const rows = new Int32Array(bound * stride);
  const children: number[][] = [[]];
  const ending: ({ length: number; after: ByteWord['after'] }[] | undefined)[] = [undefined];
  for (const { word, after } of lowered) {
    let s = 0;
    for (let i = 0; i < word.length; i++) {
      const c = classOf[word.charCodeAt(i)] as number;
      const k = s * stride + c;
      if (rows[k] === 0) {
        rows[k] = ending.length;
        (children[s] as number[]).push(c, ending.length);
        children.push([]);
        ending.push(undefined);
      }
      s = rows[k] as number;
    }
    (ending[s] ??= []).push({ length: word.length, after });
  }

  // Breadth first, rewriting `rows` in place into the search's table: each state's row starts as a
  // copy of its failure state's (final already: it is shallower), then its own children go in with
  // their failure links and the words they end through them. Entries are premultiplied rows (one
  // add per byte in the search), flipped negative for a state ending a word. Whole-row copies
  // rather than a loop over every entry: start-up runs this before V8's optimizing compilers are
  // back (src/cli/startup-jit.ts), where ~600,000 interpreted steps were ~25 ms of every start.
  const states = ending.length;
  const shift = Math.log2(stride);
  const fail = new Int32Array(states);
  const queue = new Int32Array(states);
  let queued = 1;
  rows.fill(0, 0, stride);
  for (let q = 0; q < queued; q++) {
    const s = queue[q] as number;
    const f = fail[s] as number;
    if (s !== 0) rows.copyWithin(s * stride, f * stride, f * stride + stride);
    const kids = children[s] as number[];
    for (let k = 0; k < kids.length; k += 2) {
      const c = kids[k] as number;
      const child = kids[k + 1] as number;
      const viaFailEntry = s === 0 ? 0 : (rows[f * stride + c] as number);
      const viaFail = (viaFailEntry < 0 ? ~viaFailEntry : viaFailEntry) >> shift;
      fail[child] = viaFail;
      if (ending[viaFail]) ending[child] = [...(ending[child] ?? []), ...(ending[viaFail] ?? [])];
      rows[s * stride + c] = ending[child] ? ~(child * stride) : child * stride;
      queue[queued++] = child;
    }
  }
  // The moves as state numbers, a state ending a word flipped negative: 16 bits an entry while the
  // states fit (the built-in packs have ~5,000), half the memory an idle agent holds for the table
  // (1.2 → 0.6 MB, docs/benchmarks.md "Eleventh round") for one shift per byte in the loop.
  const table = states <= 0x8000 ? new Int16Array(states * stride) : new Int32Array(states * stride);
  for (let i = 0; i < table.length; i++) {
    const entry = rows[i] as number;
    table[i] = entry < 0 ? ~(~entry >> shift) : entry >> shift;
  }
  // Per state, a word ending there that always counts (its length; 0: none), and the words that
  // count only if what follows says so. Every line of a JSON log ends `"msg"` and `"level"` (probes
  // that want a non-string value), so this is on the hot path: no division, no iterator, no closure
  // when a plain word settles it.
  const plainLength = new Int32Array(states);
  const probes: ({ length: number; after: NonNullable<ByteWord['after']> }[] | undefined)[] = new Array(states);
  for (let s = 0; s < states; s++) {
    for (const w of ending[s] ?? []) {
      if (!w.after) plainLength[s] ||= w.length;
      else (probes[s] ??= []).push({ length: w.length, after: w.after });
    }
  }
  /** For a state ending a word: where a word ending at `end` (inclusive) starts, if one counts there. */
  const accepted = (s: number, bytes: Uint8Array, end: number, limit: number): number => {
    const plain = plainLength[s] as number;
    if (plain !== 0) return end + 1 - plain;
    const candidates = probes[s] as { length: number; after: NonNullable<ByteWord['after']> }[];
    for (let k = 0; k < candidates.length; k++) {
      const w = candidates[k] as { length: number; after: NonNullable<ByteWord['after']> };
      if (w.after(bytes, end + 1, limit)) return end + 1 - w.length;
    }
    return -1;
  };

  return (bytes, from, limit) => {
    let s = 0;
    for (let i = from; i < limit; i++) {
      s = table[(s << shift) + (classOf[bytes[i] as number] as number)] as number;
      if (s < 0) {
        s = ~s;
        const start = accepted(s, bytes, i, limit);
        if (start !== -1) return start;
      }
    }
    return -1;
  };
}
