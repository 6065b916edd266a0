// The detect stage: user rules first (each that matches fires), packs only for records no user rule
// claimed and then only the most specific; unless, macros, lists, levels, fields; success records;
// and (property) the literal pre-filter never changes a result.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig, loadConfigText } from '../../src/config/load-config.js';
import { createDetector } from '../../src/detect/detector.js';
import { BUILTIN_PACKS } from '../../src/detect/packs/index.js';
import { parseRecord } from '../../src/parse/parse-record.js';
import type { LogEvent } from '../../src/types.js';

const CONFIG = loadConfigText(
  `
macros:
  in-etl: { fields: { pipeline: [etl, aio_pipeline] } }
  noisy: { regex: "retry(ing)? in \\\\d+ s" }
lists:
  flaky_steps: [extract_partner, sync_crm]
rules:
  - id: step-failed
    match:
      all:
        - macro: in-etl
        - fields: { event: step_failed }
    severity: critical
    labels: { team: data }
  - id: disk-full
    match: { regex: "No space left on device", ignore_case: true }
    unless: { macro: noisy }
    severity: critical
  - id: flaky
    match: { in_list: { step: flaky_steps }, level: error }
    severity: info
  - id: error-code
    match: { field_regex: { "error.code": "^E[0-9]{3}$" } }
    severity: warning
  - id: digits-only
    match: { regex: "^\\\\d+ \\\\d+$" }
    severity: info
  - id: disabled
    enabled: false
    match: { level: error }
  - id: any-of
    match:
      any:
        - { raw_regex: "quota exceeded" }
        - { regex: "limit (reached|hit)" }
      not: { level: debug }
    severity: warning
`,
  'detector.yaml',
  {},
);

function parse(text: string): LogEvent {
  return parseRecord({ text, origin: { source: 's', file: 'f.log', offset: 0, endOffset: text.length + 1 }, readAt: 1 }).event;
}
const ids = (e: LogEvent, d = createDetector(CONFIG)): string[] => d.match(e).map((m) => m.rule.id);

describe('createDetector', () => {
  it.each<[string, string, string[]]>([
    ['user rule claims the demo failure (packs stay quiet)', JSON.stringify({ level: 'error', pipeline: 'aio_pipeline', event: 'step_failed', step: 't', msg: 'x', error: { type: 'RangeError', message: 'Division by zero' } }), ['step-failed']],
    ['same record from another pipeline falls to the packs', JSON.stringify({ level: 'error', pipeline: 'billing', event: 'step_failed', step: 't', msg: 'x', error: { type: 'RangeError', message: 'Division by zero' } }), ['generic.failure-event']],
    ['regex, case-insensitive', '2026-11-25 ERROR write failed: NO SPACE LEFT ON DEVICE', ['disk-full']],
    ['unless suppresses known noise', 'write failed: No space left on device, retrying in 5 s', []],
    ['several user rules fire together', 'No space left on device; quota exceeded', ['disk-full', 'any-of']],
    ['named list', JSON.stringify({ level: 'error', step: 'sync_crm', msg: 'sync broke' }), ['flaky']],
    ['named list, value not in it', JSON.stringify({ level: 'error', step: 'load', msg: 'sync broke' }), []],
    ['field regex on a dotted path', JSON.stringify({ level: 'warn', msg: 'bad input', error: { code: 'E042', message: 'x' } }), ['error-code']],
    ['a regex without literal still runs', '123 456', ['digits-only']],
    ['any + not', JSON.stringify({ level: 'info', msg: 'limit hit for tenant' }), ['any-of']],
    ['any + not (excluded level)', JSON.stringify({ level: 'debug', msg: 'limit hit for tenant' }), []],
    ['disabled rules never fire', JSON.stringify({ level: 'error', msg: 'cache warm-up took 3 s' }), []],
    ['an error record that says what failed falls to the packs', JSON.stringify({ level: 'error', msg: 'upload failed: bucket not found' }), ['generic.error-record']],
    ['quiet line', '2026-11-25 12:00:00 INFO loaded 1200 rows', []],
  ])('%s', (_name, line, expected) => {
    expect(ids(parse(line))).toEqual(expected);
  });

  it('fires at most one pack rule per record: the most specific', () => {
    const line = 'Traceback (most recent call last):\n  File "/app/x.py", line 3, in f\npsycopg2.OperationalError: FATAL:  sorry, too many clients already';
    const detector = createDetector(defaultConfig({}));
    const matches = detector.match(parse(line));
    expect(matches.map((m) => [m.rule.id, m.severity, m.rule.pack, m.labels.pack])).toEqual([['postgresql.connection', 'critical', 'postgresql', 'postgresql']]);
  });

  it('lists user rules first, then pack rules by priority, with their metadata', () => {
    const detector = createDetector(CONFIG);
    const userIds = detector.rules.filter((r) => r.pack === undefined).map((r) => r.id);
    expect(userIds).toEqual(['step-failed', 'disk-full', 'flaky', 'error-code', 'digits-only', 'any-of']);
    expect(detector.rules[0]).toEqual({ id: 'step-failed', severity: 'critical', labels: { team: 'data' } });
    const packRules = detector.rules.filter((r) => r.pack !== undefined);
    expect(packRules.length).toBe(BUILTIN_PACKS.reduce((n, p) => n + p.rules.length, 0));
    expect(packRules[0]?.id).toBe('kubernetes.oom-killed');
  });

  it('carries threshold, cooldown and fingerprint template to RuleInfo', () => {
    const c = loadConfigText(
      'rules:\n  - id: r\n    match: { level: error }\n    threshold: { count: 3, window_secs: 60 }\n    cooldown_secs: 10\n    fingerprint: "{{step}}"\n    hint: h\n    runbook: http://x\n',
      'r.yaml',
      {},
    );
    expect(createDetector(c).rules[0]).toEqual({
      id: 'r',
      severity: 'error',
      labels: {},
      threshold: { count: 3, window_secs: 60 },
      cooldownSecs: 10,
      fingerprint: '{{step}}',
      hint: 'h',
      runbook: 'http://x',
    });
  });

  it.each<[string, boolean]>([
    [JSON.stringify({ level: 'info', pipeline: 'aio_pipeline', event: 'run_succeeded', msg: 'Finished run.' }), true],
    [JSON.stringify({ level: 'info', event: 'step_succeeded', step: 'load_data', msg: 'ok' }), true],
    [JSON.stringify({ level: 'INFO', dagster_event_type: 'RUN_SUCCESS', msg: 'Finished execution of run' }), true],
    ['[2026-11-25, 12:00:32 UTC] {local_task_job_runner.py:234} INFO - Task exited with return code 0', true],
    ['[2026-11-25, 12:00:32 UTC] {taskinstance.py:1138} INFO - Marking task as SUCCESS. dag_id=etl, task_id=load', true],
    ['[2026-11-25, 12:00:32 UTC] {local_task_job_runner.py:234} INFO - Task exited with return code 1', false],
    [JSON.stringify({ level: 'error', event: 'run_succeeded', msg: 'contradiction' }), false],
    [JSON.stringify({ level: 'info', event: 'run_failed', msg: 'Run failed.' }), false],
  ])('isSuccess(%s) → %s', (line, expected) => {
    expect(createDetector(defaultConfig({})).isSuccess(parse(line))).toBe(expected);
  });

  it('honours a configured success_match', () => {
    const c = loadConfigText('incidents:\n  success_match: { regex: "all green" }\n', 's.yaml', {});
    expect(createDetector(c).isSuccess(parse('INFO all green'))).toBe(true);
    expect(createDetector(c).isSuccess(parse(JSON.stringify({ level: 'info', event: 'run_succeeded' })))).toBe(false);
  });
});

describe('literal pre-filter', () => {
  // Words that occur in the rules' literals, in mixed case and cut in pieces, among noise.
  const packWords = ['Traceback (most recent call last):', 'psycopg2.OperationalError', 'psycopg.errors.UndefinedTable', 'ThrottlingException', 'sqlalchemy.exc.', 'STEP_FAILURE', 'RUN_FAILURE', 'Killed', 'OOMKilled', 'exit code 137', 'ERROR:  ', 'FATAL:  ', 'AccessDenied', 'NoSuchKey', 'Throttling', 'Database Error in model', 'Compilation Error', 'Task failed with exception', 'Task exited with return code 0', 'Marking task as SUCCESS', 'JavaScript heap out of memory', ' does not exist', 'relation "x"', 'TypeError', '\n    at f (/app/x.js:1:2)', '.java:12)', 'java.lang.OutOfMemoryError', 'ECONNREFUSED', 'CrashLoopBackOff', 'pandas.errors.', 'site-packages/pandas/', 'UnhandledPromiseRejection', 'zombie job', 'MemoryError', 'No space left on device', 'retrying in 5 s', 'quota exceeded', 'limit reached', '123 456'];
  const noise = ['the', 'load', 'rows', '42', ' ', '\n', '"', '\\', 'é', 'step', 'a.b', '{', '}', ':', 'Error', 'exception'];
  const word = fc.oneof(
    fc.constantFrom(...packWords),
    fc.constantFrom(...packWords).chain((w) => fc.tuple(fc.nat(w.length), fc.nat(w.length)).map(([a, b]) => w.slice(Math.min(a, b), Math.max(a, b)))),
    fc.constantFrom(...packWords).map((w) => w.toUpperCase()),
    fc.constantFrom(...noise),
    fc.string({ maxLength: 6 }),
  );
  const text = fc.array(word, { maxLength: 12 }).map((ws) => ws.join(''));
  const level = fc.constantFrom('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'unknown');
  const jsonLine = fc
    .record({ level, msg: text, event: fc.constantFrom('step_failed', 'run_succeeded', 'step_started', 'x'), pipeline: fc.constantFrom('etl', 'billing'), step: fc.constantFrom('sync_crm', 'load'), error: fc.option(fc.record({ type: fc.constantFrom('KeyError', 'Error'), message: text, stack: text, code: fc.constantFrom('E042', 'X1') }), { nil: undefined }) })
    .map((o) => JSON.stringify(o));
  const textLine = fc.tuple(fc.constantFrom('', '2026-11-25 12:00:00 ERROR ', 'INFO ', '[x] WARNING - '), text).map(([p, t]) => p + t);
  const events = fc.oneof(
    jsonLine.map(parse),
    textLine.map(parse),
    // Events built by hand, whose message is not part of raw: the filter must hold for them too.
    fc.tuple(text, text, level).map(([raw, message, lv]): LogEvent => ({ ...parse(raw), message, level: lv as LogEvent['level'] })),
  );

  it('gives the same matches and success verdicts with and without it', () => {
    const configs = [CONFIG, defaultConfig({})];
    for (const config of configs) {
      const fast = createDetector(config);
      const slow = createDetector(config, { prefilter: false });
      fc.assert(
        fc.property(events, (e) => {
          const a = fast.match(e).map((m) => `${m.rule.id}:${m.fingerprint}`);
          const b = slow.match(e).map((m) => `${m.rule.id}:${m.fingerprint}`);
          expect(a).toEqual(b);
          expect(fast.isSuccess(e)).toBe(slow.isSuccess(e));
        }),
        { numRuns: 3000 },
      );
    }
  });

  it('is exercised: the generated lines do match rules', () => {
    // Guards the property above against vacuity: a good share of generated events must match.
    const detector = createDetector(defaultConfig({}));
    const sample = fc.sample(events, { numRuns: 2000, seed: 7 });
    const matched = sample.filter((e) => detector.match(e).length > 0).length;
    expect(matched).toBeGreaterThan(200);
    expect(matched).toBeLessThan(2000);
  });
});
