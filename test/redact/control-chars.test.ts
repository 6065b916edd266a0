import { describe, expect, it } from 'vitest';
import { neutraliseControls } from '../../src/redact/control-chars.js';
import { createRedactor } from '../../src/redact/redactor.js';

const ESC = '\x1b';

describe('neutraliseControls', () => {
  it.each([
    ['dbt colours', `${ESC}[0m12:00:19  ${ESC}[31mFailure in model orders_daily (models/marts/orders_daily.sql)${ESC}[0m`, '12:00:19  Failure in model orders_daily (models/marts/orders_daily.sql)'],
    ['256-colour and bold', `${ESC}[1;38;5;196mERROR${ESC}[22;39m: boom`, 'ERROR: boom'],
    ['OSC-8 hyperlink keeps its label, drops its URL', `see ${ESC}]8;;https://evil.example/x${ESC}\\the docs${ESC}]8;;${ESC}\\ now`, 'see the docs now'],
    ['OSC-8 ended by BEL', `${ESC}]8;;http://evil.example\x07click${ESC}]8;;\x07`, 'click'],
    ['window title', `${ESC}]0;pwned\x07done`, 'done'],
    ['NUL and other C0', 'a\x00b\x07c\x08d\x0ee\x1f', 'abcde'],
    ['C1 and DEL', 'x\x9b31my\x7fz', 'x31myz'],
    ['bidi overrides', 'access \u202eevil\u202c granted', 'access evil granted'],
    ['tabs and newlines stay', 'a\tb\nc', 'a\tb\nc'],
    ['unterminated OSC to the end', `ok ${ESC}]8;;http://evil.example`, 'ok '],
  ])('%s', (_name, input, expected) => {
    expect(neutraliseControls(input)).toBe(expected);
  });

  it('returns the same string when there is nothing to remove', () => {
    const line = '2026-11-25 09:14:03 INFO wrote 18234 rows — ünïcödé ok';
    expect(neutraliseControls(line)).toBe(line);
  });

  it('lets the redactor see a secret an escape was splitting', () => {
    expect(createRedactor().redact(`pass${ESC}[0mword=hunter2`)).toBe('password=[REDACTED]');
  });
});
