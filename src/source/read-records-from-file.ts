// Reads a finished file once, from byte 0, with the tailer's splitting and joining rules: the
// one-shot path behind `sentinel diagnose FILE`. Line numbers are known because it starts at 0.
import { open } from 'node:fs/promises';
import type { SourceConfig } from '../config/config-types.js';
import type { RawRecord } from '../types.js';
import { createLineSplitter } from './line-splitter.js';
import { createMultilineJoiner, type JoinedRecord } from './multiline-joiner.js';
import { neutraliseControls } from '../redact/control-chars.js';

export const READ_CHUNK_BYTES = 1 << 20;

/** Chunk size for a source: big enough that any line up to max_line_bytes fits in one read. */
export function chunkBytesFor(maxLineBytes: number): number {
  return Math.max(READ_CHUNK_BYTES, maxLineBytes + 2);
}

export async function* readRecordsFromFile(
  path: string,
  config: SourceConfig,
  now: () => number = Date.now,
): AsyncIterable<RawRecord> {
  const splitter = createLineSplitter({ maxLineBytes: config.max_line_bytes });
  const joiner = createMultilineJoiner({
    startPattern: config.multiline.start_pattern,
    timeoutMs: Infinity,
    maxLines: config.multiline.max_lines,
    maxBytes: config.multiline.max_bytes,
  });
  const buf = Buffer.allocUnsafe(chunkBytesFor(config.max_line_bytes));
  const out: JoinedRecord[] = [];
  let lineNo = 1;
  const sink = (text: string, start: number, end: number): void => {
    // As the live source does (file-source.ts): control sequences go before the joiner and parse.
    joiner.push(neutraliseControls(text), start, end, lineNo, 0, out);
    lineNo += 1;
  };
  const toRaw = (r: JoinedRecord, readAt: number): RawRecord => ({
    text: r.text,
    origin: { source: config.name, file: path, offset: r.offset, endOffset: r.endOffset, ...(r.line === undefined ? {} : { line: r.line }) },
    readAt,
  });

  const fh = await open(path, 'r');
  try {
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const next = splitter.push(buf, bytesRead, pos, sink);
      if (next === pos && bytesRead < buf.length) {
        // The file ends without a newline: its last line is complete all the same.
        pos = splitter.flushPartial(buf, bytesRead, pos, sink);
      } else {
        pos = next;
      }
      const readAt = now();
      for (const r of out) yield toRaw(r, readAt);
      out.length = 0;
    }
    joiner.flush(out);
    const readAt = now();
    for (const r of out) yield toRaw(r, readAt);
  } finally {
    await fh.close();
  }
}
