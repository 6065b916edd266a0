// The ripgrep approach for the tailer: search a whole read buffer for what any rule needs before
// splitting it into lines, and turn into strings and records only the lines near a possible hit.
// Most lines of a busy log are JSON records no rule can match; decoding, joining and batching each
// of them cost more than reading the file (docs/adr/0011-screen-whole-buffers.md).
//
// A line is skipped (counted, never materialised) only when skipping it cannot change what the
// agent sees about any other record:
//   - it starts with `{` and ends with `}`: the multi-line joiner always hands such a line out as a
//     record of its own and flushes the record before it, so skipping it is "flush, then nothing";
//     and it is not a visibly cut JSON record (those are counted as parse errors);
//   - it is not longer than max_line_bytes (a cut line is counted as truncated);
//   - the buffer search finds no possible hit in it, and no hit lies within `after` lines above it;
//   - it is not among the `before` lines just above a hit, nor the last `before` complete lines of
//     the buffer (a hit may open the next read): those are the context the brain is shown.
// Everything else goes through the ordinary splitter, joiner and batching, in file order.

/**
 * The search of a record screen over raw bytes: where a possible hit in `bytes[from, limit)` starts
 * (at or after `from`), or -1 when there is none. Never decodes: clean regions stay bytes.
 */
export type BufferSearch = (bytes: Uint8Array, from: number, limit: number) => number;

export interface ScreenedSplitOptions {
  search: BufferSearch;
  /** Records kept above each hit (the context window's size). */
  before: number;
  /** Lines kept below each hit (what the agent may collect after a failure). */
  after: number;
  maxLineBytes: number;
}

export interface SkipSink {
  /** A line about to be skipped: called once before the first of a run, so a pending record is flushed first. */
  beforeSkip(): void;
  /** `count` lines and no record, in file order with the lines the sink was given. */
  skipped(count: number): void;
}

/**
 * Takes one line. `screenedOut`: the line is a `{…}` line the search found no possible hit in, handed
 * on only as context, so the record screen (whose first step is this same search) would rule it out.
 */
type LineSink = (text: string, start: number, end: number, screenedOut: boolean) => boolean | void;

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const NEWLINE = 10;
const CR = 13;

/**
 * Splits the complete lines of `buf[0, len)` (file bytes from `base` on), materialising only those
 * near a possible hit through `sink` and reporting the rest to `skip`. Returns the file offset of the
 * first byte not consumed, as LineSplitter.push does; the partial last line is left to the caller.
 */
export function splitScreened(buf: Buffer, len: number, base: number, sink: LineSink, skip: SkipSink, options: ScreenedSplitOptions): number {
  const lastNewline = len === 0 ? -1 : buf.lastIndexOf(NEWLINE, len - 1);
  if (lastNewline === -1) return base;
  const end = lastNewline + 1;
  const { search, before, after, maxLineBytes } = options;
  // Buffer offsets of the skipped lines just above the current one: a ring of the last `before`,
  // so holding a million lines allocates nothing (a growing array spliced every 1,024 lines was
  // ~28 MB of garbage over the catch-up benchmark).
  const held = new Float64Array(Math.max(1, before));
  let heldStart = 0;
  let heldCount = 0;
  /** Holds the line at `start`; the oldest held line, pushed out, is skipped for good. */
  const hold = (start: number): void => {
    if (before === 0) {
      skip.skipped(1);
      return;
    }
    if (heldCount === before) {
      skip.skipped(1);
      held[heldStart] = start;
      heldStart = heldStart + 1 === before ? 0 : heldStart + 1;
    } else {
      held[(heldStart + heldCount) % before] = start;
      heldCount += 1;
    }
  };
  let keepBelow = 0;
  let inRun = false;

  /** Hands one line to the sink; false when the sink's batch is full. */
  const emit = (start: number, nl: number, screenedOut: boolean): boolean => {
    const lineEnd = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    return sink(buf.toString('utf8', start, lineEnd), base + start, base + nl + 1, screenedOut) !== false;
  };
  /** The held lines go out after all (the context above a hit or above the next read). Returns where to stop reading, or -1. */
  const release = (): number => {
    const count = heldCount;
    heldCount = 0;
    for (let k = 0; k < count; k++) {
      const start = held[(heldStart + k) % before] as number;
      const nl = buf.indexOf(NEWLINE, start);
      // The sink's batch is full: the held lines after this one are read again next time.
      // Held lines are skippable lines: nothing in them can match.
      if (!emit(start, nl, true)) return nl + 1;
    }
    return -1;
  };

  // A view with Uint8Array's own shape: the search's loop is compiled for it alone (a Buffer costs it ~1.5x).
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, end);
  let pos = 0;
  let hit = search(bytes, 0, end);
  while (pos < end) {
    const nl = buf.indexOf(NEWLINE, pos);
    if (hit !== -1 && hit < pos) hit = search(bytes, pos, end);
    const isHit = hit !== -1 && hit <= nl;
    const last = nl > pos && buf[nl - 1] === CR ? nl - 2 : nl - 1;
    const skippable = !isHit && nl - pos <= maxLineBytes && buf[pos] === OPEN_BRACE && buf[last] === CLOSE_BRACE;
    if (skippable && keepBelow === 0) {
      if (!inRun) {
        skip.beforeSkip();
        inRun = true;
      }
      hold(pos);
      pos = nl + 1;
      continue;
    }
    inRun = false;
    const stop = release();
    if (stop !== -1) return base + stop;
    if (isHit) keepBelow = after;
    else if (keepBelow > 0) keepBelow -= 1;
    const more = emit(pos, nl, skippable);
    pos = nl + 1;
    if (!more) return base + pos;
  }
  // The last lines of the buffer are the context of a hit the next read may bring.
  const stop = release();
  return base + (stop === -1 ? end : stop);
}
