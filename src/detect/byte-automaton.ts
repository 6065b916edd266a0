// "Does this run of bytes hold one of these words, ASCII case folded?" for whole read buffers, one
// table step per byte and no string ever made: an Aho–Corasick automaton compiled into a DFA over
// byte classes. The tailer screens every byte of a busy log with it, so clean regions are never
// decoded (source/screened-split.ts); it replaced a block-table scan over 64 KiB latin1 strings
// plus a regex for the short words, which together were ~1.5 CPU s of the 178 MB catch-up
// benchmark (docs/benchmarks.md, "Sixth round"). One step per byte costs the same whatever the
// words are, however many (the built-in packs bring ~350) and however short ("err", "): ").

/** A test of one byte (the same for both cases of a letter). */
export type ByteTest = (byte: number) => boolean;

/** A word, and optionally what must follow it in the bytes (a JSON value's first character…). */
export interface ByteWord {
  /** ASCII only: a non-ASCII word's bytes are not its characters under case folding. */
  word: string;
  /**
   * What the bytes right after the word must start with for it to be worth `after`'s look: one of
   * these runs, a test per byte. The table itself follows them, so a word every line carries (`"msg"`
   * before a string value) costs the search nothing where the next bytes rule it out. A superset of
   * what `after` accepts: the word counts only when both agree.
   */
  followedBy?: readonly (readonly ByteTest[])[];
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
import { createChainKernel, type ChainKernel } from './chain-kernel.js';

/** Bytes searched by four chains at once, then the next window (see below). */
const WINDOW = 64 * 1024;

export function createByteFinder(words: readonly ByteWord[]): ByteFind {
  if (words.some((w) => w.word.length === 0 || [...w.word].some((c) => c.charCodeAt(0) > 0x7f))) throw new Error('byte automaton: ASCII words of one character at least');
  const lowered = words.map((w) => ({ ...w, word: w.word.toLowerCase() }));

  // Byte classes: one per distinct (folded) character of the words; every other byte in a class of
  // the bytes that pass the same followedBy tests (class 0 for those that pass none).
  const tests = [...new Set(words.flatMap((w) => (w.followedBy ?? []).flat()))];
  const inWords = new Set(lowered.flatMap(({ word }) => [...word].map((c) => c.charCodeAt(0))));
  const classOf = new Uint8Array(256);
  const classBySignature = new Map<string, number>();
  let classes = 0;
  const representative: number[] = [];
  for (let b = 0; b < 256; b++) {
    const folded = b >= 65 && b <= 90 ? b + 32 : b;
    const passes = tests.map((t) => (t(b) ? 1 : 0)).join('');
    if (tests.some((t) => t(b) !== t(folded))) throw new Error('byte automaton: a followedBy test must treat both cases of a letter alike');
    const signature = inWords.has(folded) ? `w${folded}` : `o${passes}`;
    let c = classBySignature.get(signature);
    if (c === undefined) {
      c = classes;
      classBySignature.set(signature, c);
      representative[c] = b;
      classes += 1;
    }
    classOf[b] = c;
  }
  const stride = 1 << Math.ceil(Math.log2(classes));
  /** Every class path a run of tests allows. */
  const pathsOf = (run: readonly ByteTest[]): number[][] =>
    run.reduce<number[][]>((paths, test) => paths.flatMap((p) => representative.flatMap((b, c) => (test(b) ? [[...p, c]] : []))), [[]]);

  // The words as runs of classes, a word with followedBy once per run of bytes that may follow it.
  interface Ending {
    /** The word's length, and how many bytes of followedBy came after it. */
    length: number;
    extra: number;
    after: ByteWord['after'];
  }
  const entries: { classes: number[]; ending: Ending }[] = [];
  for (const { word, after, followedBy } of lowered) {
    const own = [...word].map((ch) => classOf[ch.charCodeAt(0)] as number);
    if (!followedBy) entries.push({ classes: own, ending: { length: word.length, extra: 0, after } });
    else for (const run of followedBy) for (const path of pathsOf(run)) entries.push({ classes: [...own, ...path], ending: { length: word.length, extra: path.length, after } });
  }

  // The trie, in rows of `stride` entries (0: no child yet; state 0 is the root), each state's
  // children also listed as (class, state) pairs, and the words ending at each state.
  const bound = 1 + entries.reduce((n, e) => n + e.classes.length, 0);
  const rows = new Int32Array(bound * stride);
  const children: number[][] = [[]];
  const ending: (Ending[] | undefined)[] = [undefined];
  for (const entry of entries) {
    let s = 0;
    for (const c of entry.classes) {
      const k = s * stride + c;
      if (rows[k] === 0) {
        rows[k] = ending.length;
        (children[s] as number[]).push(c, ending.length);
        children.push([]);
        ending.push(undefined);
      }
      s = rows[k] as number;
    }
    (ending[s] ??= []).push(entry.ending);
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
  let table: Int16Array<ArrayBufferLike> | Int32Array = states <= 0x8000 ? new Int16Array(states * stride) : new Int32Array(states * stride);
  for (let i = 0; i < table.length; i++) {
    const entry = rows[i] as number;
    table[i] = entry < 0 ? ~(~entry >> shift) : entry >> shift;
  }
  // Per state, a word ending there that always counts (how far back it starts; 0: none), and the
  // words that count only if what follows says so. A word with a check is on the hot path when its
  // followedBy lets common text through, so: no division, no iterator, no closure when a plain word
  // settles it.
  const plainBack = new Int32Array(states);
  const probes: (Ending[] | undefined)[] = new Array(states);
  for (let s = 0; s < states; s++) {
    for (const w of ending[s] ?? []) {
      if (!w.after) plainBack[s] ||= w.length + w.extra;
      else (probes[s] ??= []).push(w);
    }
  }
  /** For a state ending a word: where a word ending at `end` (inclusive) starts, if one counts there. */
  const accepted = (s: number, bytes: Uint8Array, end: number, limit: number): number => {
    const plain = plainBack[s] as number;
    if (plain !== 0) return end + 1 - plain;
    const candidates = probes[s] as Ending[];
    for (let k = 0; k < candidates.length; k++) {
      const w = candidates[k] as Ending;
      const wordEnd = end + 1 - w.extra;
      if ((w.after as NonNullable<Ending['after']>)(bytes, wordEnd, limit)) return wordEnd - w.length;
    }
    return -1;
  };

  /** One chain from `state` at `from`: where the first word counting that ends before `stop` starts, or -1. */
  const scan = (bytes: Uint8Array, from: number, stop: number, limit: number, state: number): number => {
    let s = state;
    for (let i = from; i < stop; i++) {
      s = table[(s << shift) + (classOf[bytes[i] as number] as number)] as number;
      if (s < 0) {
        s = ~s;
        const start = accepted(s, bytes, i, limit);
        if (start !== -1) return start;
      }
    }
    return -1;
  };

  // Four chains at once, each over a quarter of a window of the bytes (chain-kernel.ts). One chain is
  // bound by the latency of its table load (each byte's row depends on the byte before); four
  // independent ones keep the CPU's load units busy (docs/benchmarks.md, "Thirteenth round"). A
  // chain from the root that starts `depth` bytes early is in the very state one chain would be in
  // where its quarter starts (no state stands for more than the last `depth` bytes), so each starts
  // that much before its quarter. Any word a chain sees is in the bytes, but only chain 0 knows it is
  // the first: a later chain's word sends the chains again over the bytes from where chain 0 is up
  // to it, to find any word before it. Windows bound that (and the quarters a word leaves
  // unfinished) where words are dense. Made at the first long search: an agent that never catches
  // up never loads it.
  const depth = entries.reduce((n, e) => Math.max(n, e.classes.length), 0);
  const minChained = 4096 + 16 * depth;
  let kernel: ChainKernel | null | undefined;
  /** The first word counting that ends before `stop` (what follows it read up to `limit`). */
  const find = (bytes: Uint8Array, from: number, stop: number, limit: number): number => {
    if (stop - from < minChained) return scan(bytes, from, stop, limit, 0);
    if (kernel === undefined) {
      kernel = table instanceof Int16Array ? createChainKernel(classOf, table, shift, 2 * WINDOW) : null;
      // One copy of the table: the kernel's, which one chain reads as well.
      if (kernel) table = kernel.table;
    }
    if (!kernel) return scan(bytes, from, stop, limit, 0);
    const { states } = kernel;
    let s0 = 0;
    let at = from;
    while (stop - at >= minChained) {
      const end = stop - at < 2 * WINDOW ? stop : at + WINDOW;
      kernel.bytes.set(bytes.subarray(at, end));
      const steps = Math.ceil((end - at + 3 * depth) / 4) + 1;
      const gap = (end - at - steps) / 3;
      const c1 = Math.floor(gap);
      const c2 = Math.floor(2 * gap);
      const c3 = end - at - steps;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let done = 0; done < steps; ) {
        const ran = kernel.run(done, c1 + done, c2 + done, c3 + done, steps - done, s0, s1, s2, s3);
        [s0, s1, s2, s3] = states as unknown as [number, number, number, number];
        if (ran === steps - done) break;
        // A chain met a word at step `t`: its check, in the bytes themselves.
        const t = done + ran;
        done = t + 1;
        if (s0 < 0) {
          s0 = ~s0;
          const start = accepted(s0, bytes, at + t, limit);
          if (start !== -1) return start;
        }
        let wordEnd = -1;
        let start = -1;
        if (s1 < 0) {
          s1 = ~s1;
          start = accepted(s1, bytes, (wordEnd = at + c1 + t), limit);
        }
        if (start === -1 && s2 < 0) {
          s2 = ~s2;
          start = accepted(s2, bytes, (wordEnd = at + c2 + t), limit);
        }
        if (start === -1 && s3 < 0) {
          s3 = ~s3;
          start = accepted(s3, bytes, (wordEnd = at + c3 + t), limit);
        }
        if (start !== -1) {
          // Chain 0 has seen no word ending before at + t + 1: from `depth` before, the chains again.
          const first = find(bytes, Math.max(from, at + t + 1 - depth), wordEnd + 1, limit);
          return first === -1 ? start : first;
        }
      }
      // Chain 3 ends where the window does, in the state one chain would be in there.
      s0 = s3;
      at = end;
    }
    return scan(bytes, at, stop, limit, s0);
  };
  return (bytes, from, limit) => find(bytes, from, limit, limit);
}
