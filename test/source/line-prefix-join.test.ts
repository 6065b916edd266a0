// A trace relayed behind a per-line prefix (docker compose, kubectl --prefix, a CI runner's or
// docker's timestamps, dbt's clock, syslog) joins into one record like an unprefixed one; healthy
// prefixed lines stay records of their own.
import { describe, expect, it } from 'vitest';
import { linePrefixLength, samePrefix } from '../../src/source/line-prefix.js';
import { joinLines } from './helpers.js';


const PY_TRACE = ['Traceback (most recent call last):', '  File "/srv/jobs/load.py", line 8, in <module>', '    run()', '', 'loaders.errors.TargetMissing: table stage.orders is gone'];
const JAVA_TRACE = ['org.acme.sync.SyncFailed: cannot write batch 7', '\tat org.acme.sync.Writer.flush(Writer.java:55)', 'Caused by: java.net.SocketException: Broken pipe', '\tat java.base/sun.nio.ch.NioSocketImpl.write(NioSocketImpl.java:420)'];
const GO_CRASH = ['panic: assignment to entry in nil map', '', 'goroutine 12 [running]:', 'main.(*cache).put(...)', '\t/src/cache.go:31 +0x1d'];

/** Each line of `trace` behind `prefix(i)`; the blank lines as the relay writes them. */
const relayed = (trace: string[], prefix: (i: number) => string): string[] => trace.map((line, i) => `${prefix(i)}${line}`);

describe('a trace behind a relay prefix joins into one record', () => {
  it.each<[string, (i: number) => string]>([
    ['docker compose v2', () => 'loader-1  | '],
    ['docker compose v1', () => 'loader_1      | '],
    ['kubectl logs --prefix', () => '[pod/loader-5c8d7/main] '],
    ["a dev runner's padded name", () => '[      loader] '],
    ['a CI runner timestamp', (i) => `2026-05-04T10:11:${String(10 + i).padStart(2, '0')}.${'1234567'.slice(0, 7 - (i % 3))}Z `],
    ['a bracketed timestamp', (i) => `[2026-05-04T10:11:1${i}.865Z] `],
    ['a timestamp with a space', (i) => `2026-05-04 10:11:1${i} `],
    ["dbt's clock", (i) => `10:11:1${i}  `],
    ['syslog', (i) => `May  4 10:11:1${i} worker-3 loader[${4100 + i}]: `],
  ])('%s', (_name, prefix) => {
    for (const trace of [PY_TRACE, JAVA_TRACE, GO_CRASH]) {
      const records = joinLines(['hello from the relay', ...relayed(trace, prefix)]);
      expect(records).toHaveLength(2);
      // The first line keeps its prefix (time, service); the lines under it read as the program printed them.
      expect(records[1]).toBe([`${prefix(0)}${trace[0]}`, ...trace.slice(1)].join('\n'));
    }
  });

  it('keeps the lines of another relay apart', () => {
    const records = joinLines(['loader-1  | Traceback (most recent call last):', 'api-1     |   File "/srv/api.py", line 3, in <module>', 'loader-1  |   File "/srv/load.py", line 9, in <module>']);
    expect(records).toHaveLength(3);
  });
});

describe('healthy prefixed lines stay records of their own', () => {
  it.each<[string, string[]]>([
    ['columns padded after a CI timestamp', ['2026-05-04T10:11:12Z  INFO  loader started', '2026-05-04T10:11:13Z  INFO  12 batches queued', '2026-05-04T10:11:14Z  WARN  slow batch 3']],
    ['compose services logging one line each', ['loader-1  | starting', 'loader-1  | 2026-05-04 10:11:12 INFO connected', 'loader-1  | done']],
    ["Maven's level tags", ['[INFO] Building etl-loader 1.4.0', '[INFO] --- compiler:3.11.0:compile (default-compile) @ etl-loader ---', '[WARNING] unchecked call in Loader.java', '[INFO] BUILD SUCCESS']],
    ['dbt progress lines', ['10:11:12  1 of 3 START sql table model stage.orders', '10:11:13  1 of 3 OK created sql table model stage.orders', '10:11:14  Finished running 3 table models']],
  ])('%s', (_name, lines) => {
    expect(joinLines(lines)).toEqual(lines);
  });
});

describe('linePrefixLength and samePrefix', () => {
  it('reads shapes, digits as any digits', () => {
    const a = '2026-05-04T10:11:12.1234567Z x';
    const b = '2026-05-04T10:11:13.12Z y';
    expect(samePrefix(a, linePrefixLength(a), b, linePrefixLength(b))).toBe(true);
    expect(samePrefix('web-1  | x', 9, 'api-1  | x', 9)).toBe(false);
    expect(linePrefixLength('web-1  |   File "x.py"')).toBe('web-1  | '.length);
    expect(linePrefixLength('2026-05-04T10:11:12Z web-1  | x')).toBe('2026-05-04T10:11:12Z web-1  | '.length);
    expect(linePrefixLength('plain text line')).toBe(0);
    expect(linePrefixLength('  File "x.py", line 3')).toBe(0);
    expect(linePrefixLength("KeyError: 'a|b'")).toBe(0);
  });
});
