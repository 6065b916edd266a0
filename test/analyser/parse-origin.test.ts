// Where a value that did not parse came from (category-parse-origin.ts): the code's own object
// printed by its default representation is a code bug; a parser reading an HTTP response met what
// the service sent instead of its API's answer. Each class on wordings of several runtimes, none
// taken from a corpus log, with negatives: the same parse errors on data, and the same frames
// around an error that is no parse error. And a database server's notice is no error.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { parsedAnObjectReference, raisedReadingResponse } from '../../src/brain/analyser/category-parse-origin.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(text: string): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text, context: [] };
}

const run = (text: string) => analyse(request(text), { readSourceFiles: false, learned: false });

describe('a parse error on an object\'s default representation is the code\'s', () => {
  it('in Java, JavaScript and Python wordings', () => {
    expect(run('java.lang.NumberFormatException: For input string: "[I@4e25154f"\n\tat java.lang.Integer.parseInt(Integer.java:580)\n\tat com.shop.Orders.qty(Orders.java:41)').category).toBe('code_bug');
    expect(run('Exception in thread "main" java.lang.NumberFormatException: For input string: "com.shop.model.Sku@7a81197d"\n\tat java.lang.Long.parseLong(Long.java:589)').category).toBe('code_bug');
    expect(run('error: invalid input syntax for type integer: "[object Object]"').category).toBe('code_bug');
    expect(run("ValueError: invalid literal for int() with base 10: '<shop.models.Order object at 0x7f3b2c1d9e50>'").category).toBe('code_bug');
    expect(run("ValueError: could not convert string to float: '<bound method Row.total of <shop.rows.Row object at 0x10b2>>'").category).toBe('code_bug');
  });

  it('not on values from the data, nor an object named beside a parse error it did not cause', () => {
    expect(run('java.lang.NumberFormatException: For input string: "12,5"').category).toBe('data_quality');
    expect(run('error: invalid input syntax for type integer: "N/A"').category).toBe('data_quality');
    expect(run("ValueError: invalid literal for int() with base 10: 'twelve'").category).toBe('data_quality');
    expect(parsedAnObjectReference('could not parse "alice@example.com" as a date')).toBe(false);
    expect(parsedAnObjectReference('Unparseable date: "2024-13-01"')).toBe(false);
    expect(parsedAnObjectReference('object at 0x7f00 is [objects Objects]')).toBe(false);
    expect(parsedAnObjectReference('For input string: "[Ljava.lang.String;@1b6d3586"')).toBe(true);
    expect(parsedAnObjectReference("invalid literal: '<function load_rows at 0x10a3b2c10>'")).toBe(true);
  });
});

const pythonResponseTrace = (file: string, fn: string, error: string) =>
  ['Traceback (most recent call last):', '  File "/srv/etl/fetch_rates.py", line 18, in main', '    rates = resp.json()', `  File "/usr/lib/python3.11/site-packages/${file}", line 975, in ${fn}`, '    return complexjson.loads(self.text, **kwargs)', error].join('\n');

describe('a parse error raised while an HTTP client read a response is the service\'s', () => {
  it('requests, httpx and urllib3 reading a body; fetch in Node', () => {
    const requests = run(pythonResponseTrace('requests/models.py', 'json', 'requests.exceptions.JSONDecodeError: Expecting value: line 1 column 1 (char 0)'));
    expect(requests.category).toBe('network_or_service_unavailable');
    expect(requests.retryable).toBe(true);
    expect(run(pythonResponseTrace('httpx/_models.py', 'json', 'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)')).category).toBe('network_or_service_unavailable');
    expect(run(pythonResponseTrace('urllib3/response.py', '_update_chunk_length', "ValueError: invalid literal for int() with base 16: b''")).category).toBe('network_or_service_unavailable');
    const node = ['SyntaxError: Unexpected token \'<\', "<!DOCTYPE "... is not valid JSON', '    at JSON.parse (<anonymous>)', '    at parseJSONFromBytes (node:internal/deps/undici/undici:5584:19)', '    at async Response.json (node:internal/deps/undici/undici:5500:12)', '    at async loadRates (/srv/app/rates.js:12:17)'].join('\n');
    expect(run(node).category).toBe('network_or_service_unavailable');
  });

  it('not when the code parses a file or a string of its own, nor a non-parse error inside the client', () => {
    const ownFile = ['Traceback (most recent call last):', '  File "/srv/etl/load.py", line 9, in main', '    cfg = json.load(fh)', '  File "/usr/lib/python3.11/json/__init__.py", line 293, in load', '    return loads(fp.read(),', 'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)'].join('\n');
    expect(run(ownFile).category).toBe('data_quality');
    expect(run(pythonResponseTrace('requests/models.py', 'raise_for_status', 'requests.exceptions.HTTPError: 404 Client Error: Not Found for url: https://api.example.com/v2/rates')).category).not.toBe('network_or_service_unavailable');
    expect(raisedReadingResponse({ type: 'KeyError', message: "'rate'", stack: [{ file: '/srv/etl/fetch.py', line: 3, function: 'json' }] })).toBe(false);
    expect(raisedReadingResponse(undefined)).toBe(false);
  });
});

describe('a database server\'s notice is no error', () => {
  it('a tool failing after psql printed notices is not read as the notice', () => {
    const notice = ['psql:/deploy/migrate.sql:3: NOTICE:  relation "audit_log" already exists, skipping', 'Error: deploy step exited with status 3'].join('\n');
    expect(run(notice).category).not.toBe('database_error');
    expect(run('NOTICE:  table "tmp_orders" does not exist, skipping\nmigration runner failed').category).not.toBe('missing_input');
  });

  it('the same words at ERROR are the failure, and a server LOG line still counts', () => {
    expect(run('psql:/deploy/migrate.sql:3: ERROR:  relation "audit_log" already exists').category).toBe('database_error');
    expect(run('2024-05-02 03:11:09 UTC [61] LOG:  server process (PID 412) was terminated by signal 9: Killed').category).toBe('resource_exhaustion');
  });
});
