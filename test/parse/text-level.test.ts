// The level of a plain-text record, read from its level word: upper-case anywhere near the start, a
// lower-case one only between delimiters (`[error]`, `| warn |`), where it cannot be a word of the message.
import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/parse/parse-record.js';

const levelOf = (text: string): string => parseRecord({ text, origin: { source: 's', file: 'f', offset: 0, endOffset: text.length + 1 }, readAt: 0 }, 'text').event.level;

describe('text record level', () => {
  it.each([
    ['2026-11-25 12:00:00 ERROR etl: load failed', 'error'],
    ['2022-04-15 07:25:11.625 [error] Error connecting to Snowflake: token expired', 'error'],
    ['2022-04-15 07:25:11.625 [warning] Unable to execute query', 'warn'],
    ['| 2019-08-10T08:51:56.778Z | warn  | [Consumer clientId=c-1] auto-commit failed', 'warn'],
    ['| 2019-08-10T08:51:57.179Z | error | [Consumer clientId=c-1] Offset commit failed', 'error'],
    ['2026-11-25 12:00:00 loaded 3 rows, no error in batch', 'unknown'],
  ])('%s → %s', (text, level) => {
    expect(levelOf(text)).toBe(level);
  });
});
