// Raw log text → parsed events, with the source's multi-line joining and the parser, for tests of
// the detector on its own (which rule fires on which record). Incidents come from the pipeline
// instead (incidentsOfText in src/agent/rule-tests.ts).
import type { SourceConfig } from '../../src/config/config-types.js';
import { parseRecord } from '../../src/parse/parse-record.js';
import { createMultilineJoiner, type JoinedRecord } from '../../src/source/multiline-joiner.js';
import type { LogEvent } from '../../src/types.js';

export function eventsFromText(text: string, file: string, source: SourceConfig): LogEvent[] {
  const joiner = createMultilineJoiner({
    startPattern: source.multiline.start_pattern,
    timeoutMs: Infinity,
    maxLines: source.multiline.max_lines,
    maxBytes: source.multiline.max_bytes,
  });
  const records: JoinedRecord[] = [];
  let offset = 0;
  text.split('\n').forEach((line, i, all) => {
    if (i === all.length - 1 && line === '') return;
    const end = offset + Buffer.byteLength(line) + 1;
    joiner.push(line, offset, end, i + 1, 0, records);
    offset = end;
  });
  joiner.flush(records);
  return records.map((r, i) => {
    const raw = { text: r.text, origin: { source: source.name, file, offset: r.offset, endOffset: r.endOffset, line: r.line ?? i + 1 }, readAt: 0 };
    return parseRecord(raw, source.format).event;
  });
}
