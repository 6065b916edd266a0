import { describe, expect, it } from 'vitest';
import { parseLogfmt } from '../../src/parse/logfmt.js';

describe('logfmt', () => {
  it('reads quoted and bare values as logfmt defines them', () => {
    expect(parseLogfmt('level=error msg="step failed" step=transform_data')).toEqual({ level: 'error', msg: 'step failed', step: 'transform_data' });
  });

  it('an unquoted message runs to the next pair, not to its first space', () => {
    expect(parseLogfmt('log_level=ERROR message=Command failed. Return code: 1')).toEqual({ log_level: 'ERROR', message: 'Command failed. Return code: 1' });
    expect(parseLogfmt('msg=load failed for 3 rows level=error')).toEqual({ msg: 'load failed for 3 rows', level: 'error' });
    // Other keys keep their first word: a stray word must not spoil a level.
    expect(parseLogfmt('level=info something msg=ok')).toEqual({ level: 'info', msg: 'ok' });
  });
});

describe('logfmt cut by a paste', () => {
  it('a message whose quote never closes runs to the end of the line', () => {
    expect(parseLogfmt('logger=acme.Task msg="Failed to run query for table: orders')).toEqual({ logger: 'acme.Task', msg: 'Failed to run query for table: orders' });
  });
});
