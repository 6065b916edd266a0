// `sentinel test-rules FILE`: rule behaviour as data, in the spirit of `promtool test rules`.
//
//   rule_files: [../sentinel.yaml]     # relative to this file; none: the embedded defaults (packs only)
//   tests:
//     - name: demo step failure
//       lines: ['{"level":"error","event":"step_failed",...}']   # or input_file: sample.log
//       expect:                         # the incidents these lines must open; [] for none
//         - { rule: step-failed, severity: critical, count: 1, fingerprint: optional }
//
// The lines go through the live agent's own pipeline (pipeline.ts), replayed as a tailed file
// would deliver them (text-replay.ts: the log's own timestamps pace them, so a threshold's window
// is measured on the log's time), with incidents in memory and nothing diagnosed or sent. The set of
// incidents they open must equal `expect` exactly: a missing incident and an unexpected one both
// fail the test.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { SentinelError } from '../errors.js';
import { createLocator, type Position } from '../config/yaml-locator.js';
import type { SentinelConfig, SourceConfig } from '../config/config-types.js';
import { ConfigError, defaultConfig, loadConfig } from '../config/load-config.js';
import { fingerprintText } from '../detect/fingerprint.js';
import { createMetrics } from '../metrics/metrics.js';
import type { Incident } from '../types.js';
import { NO_FOLLOW_UP } from './follow-up-lines.js';
import { buildPipeline } from './pipeline.js';
import { createVirtualClock, replayText } from './text-replay.js';

export interface ExpectedIncident {
  rule: string;
  severity?: string;
  count?: number;
  fingerprint?: string;
}

interface RuleTest {
  name: string;
  lines?: string[];
  input_file?: string;
  format?: 'auto' | 'json' | 'logfmt' | 'text';
  expect: ExpectedIncident[];
}

export interface GotIncident {
  rule: string;
  severity: string;
  count: number;
  fingerprint: string;
  /** The text the fingerprint hashes, minus the rule id: what a template renders to. */
  fingerprintText: string;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const TEST_KEYS = ['name', 'lines', 'input_file', 'format', 'expect'];
const EXPECT_KEYS = ['rule', 'severity', 'count', 'fingerprint'];

/** A test file that cannot be run: FILE:LINE:COL and what is wrong, apart from failed expectations. */
function invalid(file: string, at: Position, message: string): SentinelError {
  return new SentinelError('SENTINEL_ERR_RULE_TEST_INVALID', `${file}:${at.line}:${at.column}: ${message}`);
}

function readTestFile(file: string): { ruleFiles: string[]; tests: RuleTest[] } {
  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(readFileSync(file, 'utf8'), { lineCounter, prettyErrors: false });
  const syntax = yamlDoc.errors[0];
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    throw invalid(file, { line, column: col }, syntax.message.split('\n', 1)[0] ?? 'YAML syntax error');
  }
  const where = createLocator(yamlDoc, lineCounter);
  const doc: unknown = yamlDoc.toJS();
  if (!isObj(doc) || !Array.isArray(doc.tests)) throw invalid(file, where.at([]), 'expected a mapping with a "tests" list');
  for (const key of Object.keys(doc)) if (key !== 'tests' && key !== 'rule_files') throw invalid(file, where.at([key], true), `unknown key "${key}" (keys: rule_files, tests)`);
  const ruleFiles = doc.rule_files === undefined ? [] : doc.rule_files;
  if (!Array.isArray(ruleFiles) || !ruleFiles.every((f) => typeof f === 'string')) throw invalid(file, where.at(['rule_files']), 'rule_files must be a list of paths');
  const tests = doc.tests.map((t: unknown, i: number): RuleTest => {
    const at = (...path: Array<string | number>): Position => where.at(['tests', i, ...path]);
    if (!isObj(t)) throw invalid(file, at(), `tests[${i}] must be a mapping`);
    const name = typeof t.name === 'string' ? t.name : `tests[${i}]`;
    for (const key of Object.keys(t)) if (!TEST_KEYS.includes(key)) throw invalid(file, where.at(['tests', i, key], true), `${name}: unknown key "${key}" (keys: ${TEST_KEYS.join(', ')})`);
    if (!Array.isArray(t.expect)) throw invalid(file, at('expect'), `${name}: "expect" must be a list ([] for no incident)`);
    if (t.lines === undefined && t.input_file === undefined) throw invalid(file, at(), `${name}: give "lines" or "input_file"`);
    if (t.lines !== undefined && !(Array.isArray(t.lines) && t.lines.every((l) => typeof l === 'string'))) {
      throw invalid(file, at('lines'), `${name}: "lines" must be a list of strings`);
    }
    const expect = t.expect.map((e: unknown, j: number) => {
      if (!isObj(e) || typeof e.rule !== 'string') throw invalid(file, at('expect', j), `${name}: expect[${j}] needs a "rule"`);
      for (const key of Object.keys(e)) if (!EXPECT_KEYS.includes(key)) throw invalid(file, where.at(['tests', i, 'expect', j, key], true), `${name}: expect[${j}]: unknown key "${key}" (keys: ${EXPECT_KEYS.join(', ')})`);
      return e as unknown as ExpectedIncident;
    });
    const test: RuleTest = { name, expect };
    if (t.lines !== undefined) test.lines = t.lines as string[];
    if (typeof t.input_file === 'string') test.input_file = t.input_file;
    if (t.format === 'auto' || t.format === 'json' || t.format === 'logfmt' || t.format === 'text') test.format = t.format;
    return test;
  });
  return { ruleFiles: ruleFiles as string[], tests };
}

/** The first rule file is the config; the rules, macros and lists of the others are added to it. */
function loadRuleFiles(files: string[], env: NodeJS.ProcessEnv): SentinelConfig {
  if (files.length === 0) return defaultConfig(env);
  const [first, ...rest] = files.map((f) => loadConfig(f, env));
  const base = first as SentinelConfig;
  if (rest.length === 0) return base;
  return {
    ...base,
    rules: [...base.rules, ...rest.flatMap((c) => c.rules)],
    macros: Object.assign({}, base.macros, ...rest.map((c) => c.macros)) as SentinelConfig['macros'],
    lists: Object.assign({}, base.lists, ...rest.map((c) => c.lists)) as SentinelConfig['lists'],
  };
}

/** The incidents `text` opens, read as `source` reads a file, with `config`'s rules and incident settings. */
export function incidentsOfText(text: string, file: string, config: SentinelConfig, source: SourceConfig, format?: SourceConfig['format']): GotIncident[] {
  const clock = createVirtualClock();
  // No diagnosis, nothing announced, every incident on its own: only which incidents open matters here.
  const pipeline = buildPipeline({ config, metrics: createMetrics({ defaultMetrics: false }), now: clock.now, stateDir: null, followUp: NO_FOLLOW_UP, storms: false });
  replayText(text, pipeline, { source: { ...source, format: format ?? source.format }, file, clock });
  const { open, resolved, held } = pipeline.tracker.list();
  return [...open, ...resolved, ...held].sort((a, b) => a.firstSeen - b.firstSeen).map(got);
}

function got(incident: Incident): GotIncident {
  const sample = incident.samples[0];
  const text = sample ? fingerprintText(incident.rule, sample) : incident.rule.id;
  return {
    rule: incident.rule.id,
    severity: incident.severity,
    count: incident.count,
    fingerprint: incident.fingerprint,
    fingerprintText: text.slice(text.indexOf('\n') + 1),
  };
}

function satisfies(got: GotIncident, want: ExpectedIncident): boolean {
  if (got.rule !== want.rule) return false;
  if (want.severity !== undefined && got.severity !== want.severity) return false;
  if (want.count !== undefined && got.count !== want.count) return false;
  if (want.fingerprint !== undefined && want.fingerprint !== got.fingerprint && want.fingerprint !== got.fingerprintText) return false;
  return true;
}

/** Pairs each expected incident with a distinct one that satisfies it; true when both sides are used up. */
function sameIncidents(got: GotIncident[], expected: ExpectedIncident[]): boolean {
  if (got.length !== expected.length) return false;
  const used = new Set<number>();
  const assign = (i: number): boolean => {
    if (i === expected.length) return true;
    for (let j = 0; j < got.length; j++) {
      if (used.has(j) || !satisfies(got[j] as GotIncident, expected[i] as ExpectedIncident)) continue;
      used.add(j);
      if (assign(i + 1)) return true;
      used.delete(j);
    }
    return false;
  };
  return assign(0);
}

function show(list: ReadonlyArray<ExpectedIncident | GotIncident>): string {
  if (list.length === 0) return '    (no incident)';
  return list
    .map((x) => {
      const parts = [`rule: ${x.rule}`];
      if (x.severity !== undefined) parts.push(`severity: ${x.severity}`);
      if (x.count !== undefined) parts.push(`count: ${x.count}`);
      if (x.fingerprint !== undefined) parts.push(`fingerprint: ${x.fingerprint}`);
      if ('fingerprintText' in x) parts.push(`fingerprint text: ${JSON.stringify(x.fingerprintText)}`);
      return `    - { ${parts.join(', ')} }`;
    })
    .join('\n');
}

export async function runRuleTests(file: string, env: NodeJS.ProcessEnv = {}): Promise<{ passed: number; failed: number; report: string }> {
  const base = dirname(resolve(file));
  let config: SentinelConfig;
  // A file that cannot be run is an input error (SENTINEL_ERR_RULE_TEST_INVALID), not a failed test.
  const spec = readTestFile(file);
  try {
    config = loadRuleFiles(spec.ruleFiles.map((f) => resolve(base, f)), env);
  } catch (err) {
    if (err instanceof ConfigError) throw new SentinelError('SENTINEL_ERR_RULE_TEST_INVALID', `invalid rule file:\n${err.message}`, { cause: err });
    throw err;
  }
  const source = config.sources[0] ?? defaultConfig(env).sources[0];
  const lines: string[] = [];
  let passed = 0;
  let failed = 0;
  for (const test of spec.tests) {
    let text: string;
    let origin = `${file} (${test.name})`;
    try {
      if (test.input_file !== undefined) {
        origin = resolve(base, test.input_file);
        text = readFileSync(origin, 'utf8');
      } else text = (test.lines ?? []).join('\n') + '\n';
    } catch (err) {
      failed++;
      lines.push(`FAIL ${test.name}\n    cannot read input_file: ${(err as Error).message}`);
      continue;
    }
    const got = incidentsOfText(text, origin, config, source as SourceConfig, test.format);
    if (sameIncidents(got, test.expect)) {
      passed++;
      lines.push(`PASS ${test.name}`);
    } else {
      failed++;
      lines.push(`FAIL ${test.name}\n  expected:\n${show(test.expect)}\n  got:\n${show(got)}`);
    }
  }
  return { passed, failed, report: lines.join('\n') };
}
