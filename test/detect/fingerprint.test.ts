// Fingerprints: volatile parts go, so one failure repeated is one incident; everything that tells
// two failures apart stays, so two failures are never merged.
import { describe, expect, it } from 'vitest';
import { computeFingerprint, fingerprintText, normaliseMessage } from '../../src/detect/fingerprint.js';
import type { LogEvent } from '../../src/types.js';

function event(message: string, fields: Record<string, unknown> = {}, error?: LogEvent['error']): LogEvent {
  const e: LogEvent = { ts: 0, readAt: 0, level: 'error', message, fields, raw: message, format: 'text', origin: { source: 's', file: 'f.log', offset: 0, endOffset: 1 } };
  if (error) e.error = error;
  return e;
}

describe('normaliseMessage', () => {
  it.each<[string, string]>([
    ['Run 42 failed after 3 retries', 'Run <num> failed after <num> retries'],
    ['job 6c1f0b2a-9e2d-4a57-8c1e-1f6c2f1e4a11 failed', 'job <uuid> failed'],
    ['at 2026-11-25T12:00:00.123Z the load stopped', 'at <ts> the load stopped'],
    ['2026-11-25 12:00:01,017 ERROR etl: boom', '<ts> ERROR etl: boom'],
    ['since 12:00:01 waiting', 'since <time> waiting'],
    ['connect ECONNREFUSED 10.0.3.7:5432', 'connect ECONNREFUSED <ip>'],
    ['peer fe80::1ff:fe23:4567:890a unreachable', 'peer <ip> unreachable'],
    ['object 0x7f3a2b1c freed; commit 9f86d081884c7d65 missing', 'object <hex> freed; commit <hex> missing'],
    ['step took 1532 ms, limit 900s', 'step took <dur>, limit <dur>'],
    ['read /data/run_1234567/part-00017.parquet', 'read /data/run_<num>/part-<num>.parquet'],
    // What tells failures apart stays.
    ["KeyError: 'col_1'", "KeyError: 'col_1'"],
    ["KeyError: 'col_2'", "KeyError: 'col_2'"],
    ['column "order_total" of relation "orders" does not exist', 'column "order_total" of relation "orders" does not exist'],
    ['  File "/app/etl/transform.py", line 42, in transform', 'File "/app/etl/transform.py", line 42, in transform'],
    ['    at transformData (/app/dist/steps/transform.js:21:27)', 'at transformData (/app/dist/steps/transform.js:<num>:<num>)'.replace(':<num>:<num>', ':21:27')],
    ['std::vector<int> out of range', 'std::vector<int> out of range'],
    ['python3.12 and log4j2 and s3 bucket', 'python3.12 and log4j2 and s3 bucket'],
    // Volatile parts inside quotes go too, short numbers inside quotes stay (they may be names).
    ["No such file: '/data/in/2026-11-24/orders.csv'", "No such file: '/data/in/<ts>/orders.csv'"],
    // What differs between the pods of one fleet: pod names, per-run temp directories, run ids.
    ['lost executor on etl-load-7d9f8b6c5d-x7k2p', 'lost executor on etl-load-<pod>'],
    ['job pod etl-load-q2x7z exited', 'job pod etl-load-<pod> exited'],
    ['cannot write /tmp/tmpk3j_x9a8/part.csv', 'cannot write /tmp/<tmp>/part.csv'],
    ['batch failed for run_id=manual-abc-7 at step load', 'batch failed for run_id=<run> at step load'],
    // …but not words that look alike, nor a file directly in /tmp.
    ['stack-trace of the job-board pod', 'stack-trace of the job-board pod'],
    ['cannot read /tmp/orders.csv', 'cannot read /tmp/orders.csv'],
  ])('%s', (input, expected) => {
    expect(normaliseMessage(input)).toBe(expected);
  });

  it('is bounded on huge records', () => {
    const huge = 'x1 '.repeat(100_000);
    const start = performance.now();
    expect(normaliseMessage(huge).length).toBeLessThan(5000);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('computeFingerprint', () => {
  const rule = { id: 'step-failed' };

  it('is a 16-hex-digit hash, the same for repeats of one failure', () => {
    const a = computeFingerprint(rule, event('Run 41 failed at 2026-11-25T12:00:00Z (job 6c1f0b2a-9e2d-4a57-8c1e-1f6c2f1e4a11)'));
    const b = computeFingerprint(rule, event('Run 42 failed at 2026-11-26T08:30:00Z (job 0d9e8f7a-1b2c-4d5e-8f90-a1b2c3d4e5f6)'));
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(a).toBe(b);
  });

  it.each<[string, LogEvent, LogEvent]>([
    ['different columns', event("KeyError: 'customer_id'"), event("KeyError: 'order_id'")],
    ['different exception types', event('step failed', {}, { type: 'KeyError', message: 'x', stack: [] }), event('step failed', {}, { type: 'ValueError', message: 'x', stack: [] })],
    ['different error messages', event('step failed', {}, { type: 'KeyError', message: "'a'", stack: [] }), event('step failed', {}, { type: 'KeyError', message: "'b'", stack: [] })],
    ['different steps', event('failed', { step: 'extract' }), event('failed', { step: 'load' })],
    ['different pipelines', event('failed', { pipeline: 'orders' }), event('failed', { pipeline: 'billing' })],
    ['different failing lines', event('File "x.py", line 10, in f\nZeroDivisionError'), event('File "x.py", line 20, in f\nZeroDivisionError')],
  ])('keeps %s apart', (_name, a, b) => {
    expect(computeFingerprint(rule, a)).not.toBe(computeFingerprint(rule, b));
  });

  it('is the same for one failure on two pods of a fleet (pod name, temp dir, run id)', () => {
    const on = (pod: string, tmp: string, run: string): string =>
      computeFingerprint(rule, event(`load failed on ${pod}: cannot write /tmp/${tmp}/orders.parquet (run_id=${run})`, { step: 'load' }));
    expect(on('etl-load-7d9f8b6c5d-x7k2p', 'tmpk3j_x9a8', 'scheduled__2026-11-25')).toBe(on('etl-load-7d9f8b6c5d-b4wz9', 'tmp0q_zz81m', 'manual-77'));
  });

  it('keeps rules apart', () => {
    expect(computeFingerprint({ id: 'a' }, event('boom'))).not.toBe(computeFingerprint({ id: 'b' }, event('boom')));
  });

  it('renders a template over fields, dotted paths, {{rule}} and {{message}}', () => {
    const e = event('Run 7 failed', { pipeline: 'aio_pipeline', step: 'transform_data', run_id: 'r-1' }, { type: 'RangeError', message: 'Division by zero', stack: [] });
    const templated = { id: 'step-failed', fingerprint: '{{pipeline}}:{{step}}:{{error.type}}|{{rule}}|{{message}}|{{missing}}' };
    expect(fingerprintText(templated, e)).toBe('step-failed\naio_pipeline:transform_data:RangeError|step-failed|Run <num> failed|');
    const other = event('Run 8 failed', { pipeline: 'aio_pipeline', step: 'transform_data', run_id: 'r-2' }, { type: 'RangeError', message: 'x', stack: [] });
    expect(computeFingerprint(templated, e)).toBe(computeFingerprint(templated, other));
  });
});
