// The record screen (Detector.screen): a record it rules out is never parsed, so it must be certain.
// Examples for each way a text can hide what the parser makes of it (escapes, numbers, levels), and
// (property) over random records mixing literals, level words, field values and JSON / logfmt / text
// shapes: screen(raw) === false ⇒ no match and no success, with the embedded defaults, the shipped
// sentinel.yaml and random rule sets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MatchExpr, RuleConfig, SentinelConfig } from '../../src/config/config-types.js';
import { defaultConfig, loadConfig, loadConfigText } from '../../src/config/load-config.js';
import { createDetector, type Detector } from '../../src/detect/detector.js';
import { BUILTIN_PACKS } from '../../src/detect/packs/index.js';
import { parseRecord } from '../../src/parse/parse-record.js';

const SHIPPED = loadConfig('sentinel.yaml', {});
const DEFAULTS = defaultConfig({});

function verdicts(d: Detector, raw: string): { screen: boolean; matches: string[]; success: boolean } {
  const { event } = parseRecord({ text: raw, origin: { source: 'src-a', file: 'f.log', offset: 0, endOffset: raw.length + 1 }, readAt: 1 });
  return { screen: d.screen(raw), matches: d.match(event).map((m) => m.rule.id), success: d.isSuccess(event) };
}

const NO_PACKS = Object.fromEntries(BUILTIN_PACKS.map((p) => [p.name, false]));

function withRules(rules: string): SentinelConfig {
  const config = loadConfigText(`incidents: { success_match: { fields: { event: all_done } } }\nrules:\n${rules}`, 'r.yaml', {});
  return { ...config, packs: NO_PACKS };
}

describe('Detector.screen', () => {
  const shipped = createDetector(SHIPPED);

  it('is not defeated by the shipped rules: every pack rule and the default success match need a literal', () => {
    // A pack rule with no required literal would make the screen pass every record (and ingest slow).
    expect(createDetector(DEFAULTS).screen).toHaveProperty('firstSearch', expect.any(Function));
    expect(shipped.screen).toHaveProperty('firstSearch', expect.any(Function));
  });

  it('rules out the ordinary lines of the benchmark log and keeps its failures', () => {
    const info = '{"ts":"2025-11-24T16:00:00.000Z","level":"info","pipeline":"aio_pipeline","run_id":"run-9abc","step":"transform_data","event":"batch_processed","msg":"batch 1 rows=37 ms=1"}';
    const failure = '{"ts":"2025-11-24T16:00:00.000Z","level":"error","pipeline":"aio_pipeline","run_id":"run-9abc","step":"transform_data","event":"step_failed","msg":"Execution of step \\"transform_data\\" failed: ZeroDivisionError: division by zero"}';
    expect(verdicts(shipped, info)).toEqual({ screen: false, matches: [], success: false });
    expect(verdicts(shipped, failure)).toMatchObject({ screen: true, matches: ['step-failed'] });
    expect(shipped.screen(JSON.stringify({ level: 'info', event: 'run_succeeded', pipeline: 'aio_pipeline' }))).toBe(true);
  });

  it.each<[string, string]>([
    ['a pino numeric level (55 → error)', '{"level":55,"pipeline":"aio_pipeline","msg":"x"}'],
    ['a level word hidden by a \\u escape', '{"level":"\\u0065rror","pipeline":"aio_pipeline","msg":"x"}'],
    ['a non-string message', '{"level":"info","pipeline":"aio_pipeline","msg":{"text":"Traceback (most recent call last):"}}'],
    ['an error object (its type defaults to Error)', '{"level":"info","pipeline":"aio_pipeline","error":{"message":"x"}}'],
    ['a text level word in capitals', '2026-11-25 12:00:00 CRITICAL pipeline=aio_pipeline broke'],
  ])('passes %s', (_name, raw) => {
    expect(shipped.screen(raw)).toBe(true);
  });

  it.each(['Traceback (most recent call last):\n  File "x.py", line 1', 'panic: boom', 'goroutine 7 [running]:', 'Exception in thread "main" x'])('passes a stack start a text record gets level error from: %s', (raw) => {
    const d = createDetector(withRules('  - id: bad\n    match: { level: error }\n    severity: error'));
    expect(verdicts(d, raw)).toEqual({ screen: true, matches: ['bad'], success: false });
  });

  it('reads numeric levels exactly: 30 is info, 60 fatal', () => {
    const d = createDetector(withRules('  - id: bad\n    match: { level: [error, fatal] }\n    severity: error'));
    expect(d.screen('{"level":30,"msg":"fine"}')).toBe(false);
    expect(d.screen('{"level":60,"msg":"fine"}')).toBe(true);
    expect(d.screen('{"severity" : 1e2,"msg":"fine"}')).toBe(true);
  });

  it('treats a number written otherwise than JavaScript prints it as possibly equal', () => {
    const d = createDetector(withRules('  - id: s\n    match: { fields: { status: 100 } }\n    severity: error'));
    expect(verdicts(d, '{"status":1e2}')).toEqual({ screen: true, matches: ['s'], success: false });
    expect(d.screen('{"status":200}')).toBe(false);
    expect(d.screen('status=100 msg=x')).toBe(true);
  });

  it('passes everything when a rule needs no literal (has_error, not, field_regex)', () => {
    for (const m of ['{ has_error: true }', '{ not: { regex: "x" } }', '{ field_regex: { step: "^load" } }', '{ fields: { source: src-a } }']) {
      const d = createDetector(withRules(`  - id: r\n    match: ${m}\n    severity: error`));
      expect(d.screen('nothing here')).toBe(true);
    }
  });

  it('combines all (one child suffices) and any (every branch must have one)', () => {
    const all = createDetector(withRules('  - id: r\n    match: { all: [ { has_error: true }, { regex: "disk full" } ] }\n    severity: error'));
    expect(all.screen('{"msg":"all fine"}')).toBe(false);
    const anyNone = createDetector(withRules('  - id: r\n    match: { any: [ { has_error: true }, { regex: "disk full" } ] }\n    severity: error'));
    expect(anyNone.screen('{"msg":"all fine"}')).toBe(true);
    const anyBoth = createDetector(withRules('  - id: r\n    match: { any: [ { level: warn }, { regex: "disk full" } ] }\n    severity: error'));
    expect(anyBoth.screen('{"msg":"all fine"}')).toBe(false);
    expect(anyBoth.screen('{"msg":"WARNING all fine"}')).toBe(true);
  });

  it('finds a rule literal beside non-ASCII text in any case, through the record\'s UTF-8 bytes', () => {
    const d = createDetector(withRules('  - id: r\n    match: { regex: "Prüfung fehlgeschlagen", ignore_case: true }\n    severity: error'));
    expect(d.screen.bufferSearch).toEqual(expect.any(Function));
    expect(d.screen('{"msg":"Prüfung bestanden"}')).toBe(false);
    for (const raw of ['{"msg":"Prüfung fehlgeschlagen: x"}', '{"msg":"PRÜFUNG FEHLGESCHLAGEN"}', `{"msg":"${'é'.repeat(20_000)} prüfung fehlgeschlagen"}`]) {
      expect(d.screen(raw)).toBe(true);
      expect(verdicts(d, raw).matches).toEqual(['r']);
    }
  });
});

describe('Detector.screen (property): false ⇒ no match and no success', () => {
  const LEVEL_WORDS = ['error', 'ERROR', 'Err', 'fatal', 'CRITICAL', 'crit', 'panic', 'emerg', 'alert', 'severe', 'exception', 'warn', 'WARNING', 'info', 'information', 'notice', 'debug', 'trace', ' Error '];
  const LITERALS = ['Traceback (most recent call last):', 'No space left on device', 'ECONNREFUSED', 'OOMKilled', 'step_failed', 'run_succeeded', 'RUN_SUCCESS', 'Task exited with return code 0', 'psycopg2.OperationalError', 'AccessDenied', 'JavaScript heap out of memory', 'Killed', 'panic: ', 'goroutine 1 [', 'Exception in thread "main"', 'quota exceeded', 'disk full'];
  const VALUES = ['aio_pipeline', 'etl', 'step_failed', 'run_succeeded', 'all_done', 'transform_data', 'load', 'sync_crm', '100', '1e2', '0.0000001', '1e-7', 'true', 'false', 'ERROR', 'error', 'unknown', 'a/b/c', 'x"y', 'é', 'none'];
  const NOISE = ['the', 'rows', '42', ' ', '"', '\\', 'é', '{', '}', ':', '=', '\n'];
  const word = fc.oneof(fc.constantFrom(...LEVEL_WORDS), fc.constantFrom(...LITERALS), fc.constantFrom(...VALUES), fc.constantFrom(...NOISE), fc.string({ maxLength: 5 }));
  const text = fc.array(word, { maxLength: 6 }).map((ws) => ws.join(' '));
  // A JSON string as a writer may spell it: plain, or with one character as a \u escape.
  const jsonString = fc.tuple(fc.oneof(text, fc.constantFrom(...VALUES, ...LEVEL_WORDS)), fc.boolean(), fc.nat()).map(([s, esc, at]) => {
    const q = JSON.stringify(s);
    if (!esc || s.length === 0) return q;
    const i = at % s.length;
    return JSON.stringify(s.slice(0, i)).slice(0, -1) + `\\u${s.charCodeAt(i).toString(16).padStart(4, '0')}` + JSON.stringify(s.slice(i + 1)).slice(1);
  });
  const jsonNumber = fc.constantFrom('100', '1e2', '1E2', '100.0', '0.0000001', '12345678901234567890', '50', '55', '60', '30', '10', '-1', '1e400', '0.1');
  const jsonValue = fc.oneof(
    { weight: 5, arbitrary: jsonString },
    { weight: 2, arbitrary: jsonNumber },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '[]', '["x"]', '[1, 2]') },
    { weight: 1, arbitrary: fc.tuple(jsonString, jsonString).map(([t, m]) => `{"type": ${t}, "message": ${m}}`) },
  );
  const KEYS = ['level', 'severity', 'lvl', 'msg', 'message', 'event', 'pipeline', 'step', 'status', 'error', 'err', 'exc_info', 'stack', 'dagster_event_type', 'code', 'source', 'error.type'];
  const jsonLine = fc
    .array(fc.tuple(fc.constantFrom(...KEYS), jsonValue, fc.constantFrom(':', ': ', ' : ')), { maxLength: 7 })
    .map((kvs) => `{${kvs.map(([k, v, sep]) => `${JSON.stringify(k)}${sep}${v}`).join(',')}}`);
  const logfmtLine = fc
    .array(fc.tuple(fc.constantFrom(...KEYS), fc.oneof(fc.constantFrom(...VALUES, ...LEVEL_WORDS).map((v) => (/[\s"]/.test(v) ? JSON.stringify(v) : v)), jsonString)), { minLength: 2, maxLength: 6 })
    .map((kvs) => kvs.map(([k, v]) => `${k}=${v}`).join(' '));
  // Level letters as agents write them: Telegraf's after an RFC 3339 time or before a bracket, glog / klog's header.
  const LETTER_PREFIXES = ['2026-11-25T12:00:00Z E! ', '2026-11-25T12:00:00Z W! ', 'E! [', 'I! [', 'E1125 12:00:00.123456    7 x.go:42] ', 'F1125 12:00:00.123456 7 y.go:1] ', 'W0102 03:04:05.000001 1 z.go:9] ', 'e1125 12:00:00.123456 7 x.go:42] '];
  const textLine = fc.tuple(fc.constantFrom('', '2026-11-25 12:00:00 ', '[x] ', 'Traceback (most recent call last):\n', 'panic: ', 'goroutine 7 [', 'Exception in thread "w" ', ...LETTER_PREFIXES), fc.constantFrom('', ...LEVEL_WORDS.map((w) => w.toUpperCase() + ' ')), text).map(([a, b, c]) => a + b + c);
  const cutJson = jsonLine.map((l) => l.slice(0, Math.max(1, l.length - 3)));
  const record = fc.oneof(jsonLine, jsonLine, logfmtLine, textLine, cutJson);

  // Random rule sets over the same vocabulary.
  const withLiteral: fc.Arbitrary<MatchExpr> = fc.oneof(
    fc.subarray<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unknown'>(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'unknown'], { minLength: 1 }).map((level) => ({ level })),
    fc.tuple(fc.constantFrom(...KEYS, 'message', 'level'), fc.oneof(fc.constantFrom<string | number | boolean>(...VALUES, 100, 1e-7, true, 50), fc.subarray(VALUES, { minLength: 1, maxLength: 3 }))).map(([k, v]) => ({ fields: { [k]: v } })),
    fc.constantFrom(...LITERALS, ...VALUES).map((w) => ({ regex: w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), ignore_case: true })),
    fc.constantFrom(...LITERALS).map((w) => ({ raw_regex: w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') })),
    fc.constantFrom<MatchExpr>({ in_list: { step: 'steps' } }, { macro: 'failed' }),
  );
  // Leaves that need no literal (and so defeat the screen for their rule set): rarer.
  const withoutLiteral = fc.constantFrom<MatchExpr>({ has_error: true }, { field_regex: { 'error.type': '^Error$' } }, { fields: { source: 'src-a' } });
  const leaf = fc.oneof({ weight: 6, arbitrary: withLiteral }, { weight: 1, arbitrary: withoutLiteral });
  const expr: fc.Arbitrary<MatchExpr> = fc.letrec<{ e: MatchExpr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('e'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie('e'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
      fc.tuple(tie('e'), tie('e')).map(([e, not]) => ({ all: [e, { not }] })),
    ),
  })).e;
  const ruleSet = fc.tuple(fc.array(expr, { minLength: 1, maxLength: 3 }), fc.option(expr, { nil: undefined }), fc.boolean()).map(([exprs, success, packs]): SentinelConfig => {
    const rules: RuleConfig[] = exprs.map((match, i) => ({ id: `r${i}`, enabled: true, match, severity: 'error', labels: {} }));
    return {
      ...DEFAULTS,
      rules,
      macros: { failed: { any: [{ fields: { event: 'step_failed' } }, { level: 'fatal' }] } },
      lists: { steps: ['sync_crm', 'load', 'aio_pipeline'] },
      packs: packs ? {} : NO_PACKS,
      incidents: { ...DEFAULTS.incidents, ...(success ? { success_match: success } : {}) },
    };
  });

  function check(d: Detector, raw: string): boolean {
    const v = verdicts(d, raw);
    // The tailer's search over raw bytes speaks for the screen: no hit in a line's bytes ⇒ ruled out.
    const search = d.screen.bufferSearch;
    if (search && v.screen) {
      const bytes = new Uint8Array(Buffer.from(raw));
      expect(search(bytes, 0, bytes.length), raw).not.toBe(-1);
    }
    if (!v.screen) {
      expect(v.matches, raw).toEqual([]);
      expect(v.success, raw).toBe(false);
    }
    return v.screen;
  }

  it.each<[string, SentinelConfig]>([
    ['the embedded defaults', DEFAULTS],
    ['the shipped sentinel.yaml', SHIPPED],
  ])('holds with %s', (_name, config) => {
    const d = createDetector(config);
    let ruledOut = 0;
    fc.assert(
      fc.property(record, (raw) => {
        if (!check(d, raw)) ruledOut++;
      }),
      { numRuns: 4000 },
    );
    // Not vacuous: the screen does rule records out.
    expect(ruledOut).toBeGreaterThan(200);
  });

  it('holds with random rule sets', () => {
    let ruledOut = 0;
    let matched = 0;
    fc.assert(
      fc.property(ruleSet, fc.array(record, { minLength: 20, maxLength: 20 }), (config, raws) => {
        const d = createDetector(config);
        for (const raw of raws) {
          if (!check(d, raw)) ruledOut++;
          else if (verdicts(d, raw).matches.length > 0) matched++;
        }
      }),
      { numRuns: 400 },
    );
    expect(ruledOut).toBeGreaterThan(500);
    expect(matched).toBeGreaterThan(200);
    // 400 random rule sets, each compiled with every pack: minutes on a machine shared by many jobs.
  }, 120_000);
});
