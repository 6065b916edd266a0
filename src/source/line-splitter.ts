// Splits bytes read by offset into lines without holding any bytes itself: the caller reads again
// from the returned offset, so a partial last line is simply re-read once the writer finishes it.
// That keeps memory flat whatever the file holds (no ever-growing string, no ever-growing buffer).

/**
 * Called once per complete line: `start` and `end` are file offsets, `end` just after the '\n'.
 * Returning false stops the split after this line (the caller's batch is full).
 */
export type LineSink = (text: string, start: number, end: number) => boolean | void;

export interface LineSplitter {
  /**
   * Split `buf[0, len)`, which holds the file's bytes from `base` on. Returns the file offset of the
   * first byte not consumed: the next read starts there. A partial last line is left unconsumed,
   * unless it is already longer than `maxLineBytes`: then its head is emitted and the rest of that
   * line is skipped as it arrives, never buffered.
   */
  push(buf: Buffer, len: number, base: number, sink: LineSink): number;
  /** Emit `buf[0, len)` as one line even without its '\n' (the writer went away mid-line). */
  flushPartial(buf: Buffer, len: number, base: number, sink: LineSink): number;
  /** Lines cut at maxLineBytes since the last call. */
  takeTruncated(): number;
  /** Forget a cut line in progress (after a truncation or reopen). */
  reset(): void;
  /** Skip bytes up to the next '\n' (starting mid-line, e.g. `start_at: end` while a line is being written). */
  skipToNextLine(): void;
  readonly skipping: boolean;
}

export function createLineSplitter(options: { maxLineBytes: number }): LineSplitter {
  const max = Math.max(1, options.maxLineBytes);
  let skipping = false;
  let truncated = 0;

  // Buffer#toString replaces invalid UTF-8 with U+FFFD, as TextDecoder does, and gives a flat
  // string per line (a slice of one big decoded chunk would pin the whole chunk in memory).
  const decode = (buf: Buffer, start: number, end: number): string => {
    if (end > start && buf[end - 1] === 13) end -= 1;
    if (end - start > max) {
      truncated += 1;
      end = start + max;
    }
    return buf.toString('utf8', start, end);
  };

  return {
    get skipping() {
      return skipping;
    },
    push(whole, len, base, sink) {
      // A view of exactly `len` bytes, so indexOf never scans stale bytes past the read.
      const buf = len === whole.length ? whole : whole.subarray(0, len);
      let pos = 0;
      if (skipping) {
        const nl = buf.indexOf(10, 0);
        if (nl === -1 || nl >= len) return base + len;
        skipping = false;
        pos = nl + 1;
      }
      while (pos < len) {
        const nl = buf.indexOf(10, pos);
        if (nl === -1 || nl >= len) break;
        const more = sink(decode(buf, pos, nl), base + pos, base + nl + 1);
        pos = nl + 1;
        if (more === false) return base + pos;
      }
      if (len - pos > max) {
        truncated += 1;
        sink(buf.toString('utf8', pos, pos + max), base + pos, base + len);
        skipping = true;
        return base + len;
      }
      return base + pos;
    },
    flushPartial(buf, len, base, sink) {
      if (len <= 0) return base;
      if (skipping) {
        skipping = false;
        return base + len;
      }
      sink(decode(buf, 0, len), base, base + len);
      return base + len;
    },
    takeTruncated() {
      const n = truncated;
      truncated = 0;
      return n;
    },
    reset() {
      skipping = false;
    },
    skipToNextLine() {
      skipping = true;
    },
  };
}
