// Classes added in tuning round 3 (on the tune half of the real dev corpus): each checked on
// wordings of our own, so the rule holds for the class, not for one log.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { extractErrorChain, userFrameOf } from '../../src/parse/stack-trace/extract-error.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}

const run = (text: string, context: string[] = []) => analyse(request({ text, context }), { readSourceFiles: false, learned: false });

describe('retrying what a retry cannot fix', () => {
  it('a refusal at a fixed port on this host is not retryable; a remote one or an ephemeral local port is', () => {
    expect(run('Error: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)')).toMatchObject({ category: 'network_or_service_unavailable', retryable: false });
    expect(run('psycopg2.OperationalError: could not connect to server: Connection refused\n\tIs the server running on host "localhost" (127.0.0.1) and accepting TCP/IP connections on port 5432?').retryable).toBe(false);
    expect(run('Error: connect ECONNREFUSED 10.0.4.17:5432').retryable).toBe(true);
    expect(run('Error: connect ECONNREFUSED 127.0.0.1:41877').retryable).toBe(true);
  });

  it('a statement cancelled by its statement timeout is a timeout that will recur', () => {
    expect(run('psycopg2.errors.QueryCanceled: canceling statement due to statement timeout')).toMatchObject({ category: 'timeout', retryable: false });
    expect(run('requests.exceptions.ReadTimeout: HTTPSConnectionPool(host=\'api.example.com\', port=443): Read timed out. (read timeout=30)')).toMatchObject({ category: 'timeout', retryable: true });
  });
});

describe('KeyError: a missing column only when a table was indexed', () => {
  it('reads a KeyError inside pandas indexing as schema drift', () => {
    const d = run(['Traceback (most recent call last):', '  File "/app/etl/load.py", line 12, in load', '    df["amount"].sum()', '  File "/usr/lib/python3.11/site-packages/pandas/core/frame.py", line 3761, in __getitem__', '    indexer = self.columns.get_loc(key)', "KeyError: 'amount'"].join('\n'));
    expect(d.category).toBe('schema_drift');
  });

  it('reads a KeyError from a plain dictionary lookup as a code bug', () => {
    const d = run(['Traceback (most recent call last):', '  File "/app/etl/route.py", line 30, in pick', '    return HANDLERS[kind]', "KeyError: 'invoice_v2'"].join('\n'));
    expect(d.category).toBe('code_bug');
  });
});

describe('classes a person names at a glance', () => {
  it('a port held by another process is configuration', () => {
    expect(run('Error: listen EADDRINUSE: address already in use :::3000').category).toBe('configuration');
    expect(run('FATAL:  could not create any TCP/IP sockets', ['LOG:  could not bind IPv4 socket: Address already in use']).category).toBe('configuration');
  });

  it('an input file that is not what its name says is a data problem', () => {
    expect(run("gzip.BadGzipFile: Not a gzipped file (b'<!')").category).toBe('data_quality');
    expect(run('zipfile.BadZipFile: File is not a zip file').category).toBe('data_quality');
  });

  it('a native assertion is a code bug', () => {
    expect(run("python3: ../src/arrow/array.cc:120: void f(): Assertion `length >= 0' failed.").category).toBe('code_bug');
  });

  it('reads the cause on the failing record\'s own lines, indented or not', () => {
    expect(run('ERROR: Database Error\n  timeout expired').category).toBe('timeout');
    expect(run('go: github.com/acme/x@v1.2.0: reading https://proxy.golang.org/github.com/acme/x/@v/v1.2.0.mod: 502 Bad Gateway').category).toBe('network_or_service_unavailable');
  });
});

describe('locations when every frame is installed code', () => {
  it('takes the innermost frame of an installed application package, not of well-known libraries', () => {
    const chain = extractErrorChain(
      [
        'Traceback (most recent call last):',
        '  File "/usr/local/lib/python3.9/site-packages/celery/app/trace.py", line 412, in trace_task',
        '    R = retval = fun(*args, **kwargs)',
        '  File "/usr/local/lib/python3.9/site-packages/billing_jobs/tasks.py", line 75, in run',
        '    total = rates[currency]',
        '  File "/usr/local/lib/python3.9/site-packages/requests/models.py", line 960, in json',
        '    return complexjson.loads(self.text, **kwargs)',
        'ValueError: bad json',
      ].join('\n'),
    );
    expect(userFrameOf(chain)?.frame).toMatchObject({ file: '/usr/local/lib/python3.9/site-packages/billing_jobs/tasks.py', line: 75 });
  });

  it('does not take old Node core modules (`net.js`, `events.js`) for the application', () => {
    const chain = extractErrorChain(['Error: connect ECONNREFUSED 127.0.0.1:27017', '    at Object._errnoException (util.js:992:11)', '    at TCPConnectWrap.afterConnect [as oncomplete] (net.js:1161:14)'].join('\n'));
    expect(userFrameOf(chain)).toBeUndefined();
  });
});
