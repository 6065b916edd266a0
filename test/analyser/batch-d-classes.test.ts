// The failure classes batch D showed gaps in, checked on wordings and shapes other than the batch's
// own logs: object-store "doesn't exist" errors, urllib3 status retries, a broker that cannot be
// reached, Go fatal errors whose frames carry fp/sp/pc, and JS stacks inside JSON log records.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { unfoldJsonStack } from '../../src/brain/analyser/json-stack.js';
import { extractErrorChain, userFrameOf } from '../../src/parse/stack-trace/extract-error.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}

const run = (overrides: Partial<DiagnoseRequest>) => analyse(request(overrides), { readSourceFiles: false });

describe('batch D failure classes', () => {
  it.each([
    'level=error msg="download failed" error="read manifest: storage: object doesn\'t exist"',
    'Error: storage: bucket doesn\'t exist',
    'gocloud.dev/blob: blob (code=NotFound): blob does not exist',
  ])('reads a missing object-store object as missing input: %s', (text) => {
    const d = run({ text });
    expect(d.category).toBe('missing_input');
    expect(d.retryable).toBe(false);
  });

  it.each([
    "urllib3.exceptions.MaxRetryError: HTTPSConnectionPool(host='api.x.io', port=443): Max retries exceeded with url: /v1/items (Caused by ResponseError('too many 502 error responses'))",
    "requests.exceptions.RetryError: HTTPSConnectionPool(host='api.x.io', port=443): Max retries exceeded with url: /v1/items (Caused by ResponseError('too many 504 error responses'))",
  ])('reads exhausted status retries as a service unavailable, retryable: %s', (text) => {
    const d = run({ text });
    expect(d.category).toBe('network_or_service_unavailable');
    expect(d.retryable).toBe(true);
  });

  it('reads a client timeout after "broker not available" warnings as the network, and a bare one as a timeout', () => {
    const text = 'org.apache.kafka.common.errors.TimeoutException: Timeout expired while fetching topic metadata';
    const warned = ['WARN [Consumer clientId=c1] Connection to node -1 (kafka-0/10.0.0.5:9092) could not be established. Broker may not be available.'];
    expect(run({ text, context: warned }).category).toBe('network_or_service_unavailable');
    expect(run({ text }).category).toBe('timeout');
  });

  it('locates a Go fatal error at the running goroutine\'s innermost user frame, frames with fp/sp/pc', () => {
    const chain = extractErrorChain(
      [
        'fatal error: runtime: out of memory',
        '',
        'runtime stack:',
        'runtime.throw({0x8c9d15?, 0x2000?})',
        '\t/usr/local/go/src/runtime/panic.go:1077 +0x5c fp=0x7ffd1c2b8e40 sp=0x7ffd1c2b8e10 pc=0x43a67c',
        '',
        'goroutine 1 [running]:',
        'runtime.mallocgc(0x10000, 0x7e5a20, 0x1)',
        '\t/usr/local/go/src/runtime/malloc.go:1025 +0x6e5 fp=0xc0001a38d0 sp=0xc0001a3868 pc=0x412ba5',
        'example.com/etl/index.(*Builder).Put(0xc000120000)',
        '\t/src/index/builder.go:203 +0x1b4 fp=0xc0001a39d8 sp=0xc0001a3940 pc=0x6d1f34',
        'main.main()',
        '\t/src/cmd/etl/main.go:19 +0x9d fp=0xc0001a3f40 sp=0xc0001a3f20 pc=0x6d36fd',
      ].join('\n'),
    );
    expect(userFrameOf(chain)?.frame).toMatchObject({ file: '/src/index/builder.go', line: 203 });
  });

  it('unfolds pino err.stack and winston top-level stack records into stack lines', () => {
    const pino = JSON.stringify({ level: 50, msg: 'job failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at load (/app/dist/load.js:9:3)' } });
    expect(unfoldJsonStack(pino)).toBe('job failed\nError: boom\n    at load (/app/dist/load.js:9:3)');
    const winston = `2024-01-01T00:00:00Z error: run failed {"stack":"TypeError: x is not a function\\n    at step (/srv/app/step.js:4:1)"}`;
    expect(unfoldJsonStack(winston)).toBe('2024-01-01T00:00:00Z error: run failed\nTypeError: x is not a function\n    at step (/srv/app/step.js:4:1)');
    expect(unfoldJsonStack('{"level":50,"msg":"no stack here"}')).toBeUndefined();
  });

  it('locates an error whose stack arrives in a JSON record below the incident\'s record', () => {
    const after = [JSON.stringify({ level: 50, msg: 'export failed', err: { type: 'TypeError', message: "Cannot read properties of undefined (reading 'map')", stack: "TypeError: Cannot read properties of undefined (reading 'map')\n    at toRows (/srv/exporter/src/rows.js:22:18)\n    at async main (/srv/exporter/src/index.js:5:3)" } })];
    const d = run({ text: "TypeError: Cannot read properties of undefined (reading 'map')", after });
    expect(d.category).toBe('code_bug');
    expect(d.location).toMatchObject({ file: '/srv/exporter/src/rows.js', line: 22, function: 'toRows' });
  });
});
