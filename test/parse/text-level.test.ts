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

// Telegraf / InfluxDB's level letters count after an RFC 3339 timestamp or at the line's start
// before a bracketed plugin; glog / klog's `E1203 …` with its whole header only.
describe('agent level letters', () => {
  it.each([
    ['2024-02-01T10:00:00Z E! [outputs.kafka] Error writing to outputs.kafka: broker unreachable', 'error'],
    ['2024-02-01T10:00:00.123+01:00 W! [inputs.cpu] Collection took longer than expected', 'warn'],
    ['2024-02-01T10:00:00Z I! Loaded inputs: cpu mem', 'info'],
    ['2024-02-01T10:00:00Z D! [outputs.file] Wrote batch of 12 metrics', 'debug'],
    ['E! [telegraf] Error running agent: no outputs found', 'error'],
    ['Mar  3 10:00:00 host-1 telegraf[812]: 2024-03-03T10:00:00Z E! [inputs.nginx] Error in plugin: status 502', 'error'],
    ['telegraf[812]: W! [inputs.cpu] Collection took longer than expected', 'warn'],
    // The letter is the level, whatever word the message carries.
    ['2024-02-01T10:00:00Z I! [inputs.exec] ERROR lines of the script are ignored', 'info'],
    // Elsewhere a letter and `!` is a word of the message.
    ['the job said: E! [boom]', 'unknown'],
    ['2024-02-01 10:00:00 E! something', 'unknown'],
    ['E1203 12:00:00.123456    1234 controller.go:42] sync failed', 'error'],
    ['F0101 00:00:01.000001 7 main.go:9] cannot start: bind: address already in use', 'fatal'],
    ['W1203 12:00:00.123456 1234 warnings.go:70] ERROR budget low', 'warn'],
    ['I1203 12:00:00.123456 1 reflector.go:255] Listing and watching *v1.Pod', 'info'],
    // A letter and digits without the whole header is not one.
    ['E1203 sync failed', 'unknown'],
    ['E1203 12:00:00 1234 controller.go:42] sync failed', 'unknown'],
    ['E1303 12:00:00.123456 1234 controller.go:42] sync failed', 'unknown'],
  ])('%s → %s', (text, level) => {
    expect(levelOf(text)).toBe(level);
  });
});

