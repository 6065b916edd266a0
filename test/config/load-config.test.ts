// The config edge: every problem printed as FILE:LINE:COL with the right position, all of them in
// one run; defaults filled; ${VAR} interpolation; the shipped sentinel.yaml valid as it is.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  checkConfig,
  defaultConfig,
  formatProblem,
  loadConfig,
  loadConfigText,
  type ConfigProblem,
} from '../../src/config/load-config.js';
import type { SentinelError } from '../../src/errors.js';

const REPO = join(import.meta.dirname, '..', '..');

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfigText(text, 'sentinel.yaml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('SENTINEL_ERR_CONFIG_INVALID');
    return (err as ConfigError).problems.map(formatProblem);
  }
  return [];
}

const y = (lines: string[]): string => lines.join('\n') + '\n';

describe('config problems: FILE:LINE:COL: message', () => {
  it.each<[kind: string, text: string, expected: RegExp]>([
    ['YAML syntax error', y(['rules:', '  - id: a', '    match: { regex: "x"', '  - id: b']), /^sentinel\.yaml:4:3: YAML syntax: .*Flow map/],
    ['YAML duplicate key', y(['server:', '  port: 1', '  port: 2']), /^sentinel\.yaml:3:3: YAML syntax: Map keys must be unique/],
    ['unknown top-level key', y(['state_dir: x', 'notfiy: {}']), /^sentinel\.yaml:2:1: notfiy: unknown key "notfiy" \(did you mean "notify"\?\); allowed: sources, rules/],
    ['unknown nested key', y(['sources:', '  - paths: [a.log]', '    start: end']), /^sentinel\.yaml:3:5: sources\[0\]\.start: unknown key "start"; allowed: name, paths/],
    ['wrong type', y(['server:', '  port: "http"']), /^sentinel\.yaml:2:9: server\.port: must be integer, not the string "http"$/],
    ['unknown severity', y(['rules:', '  - id: a', '    match: { level: error }', '    severity: fatal']), /^sentinel\.yaml:4:15: rules\[0\]\.severity: the string "fatal" is not one of critical, error, warning, info$/],
    ['missing required key', y(['rules:', '  - match: { level: error }']), /^sentinel\.yaml:2:5: rules\[0\]: missing required key "id"$/],
    ['duplicate rule id', y(['rules:', '  - id: a', '    match: { level: error }', '  - id: a', '    match: { level: fatal }']), /^sentinel\.yaml:4:9: rules\[1\]\.id: duplicate rule id "a" \(first used by rules\[0\]\)$/],
    ['regex that does not compile', y(['rules:', '  - id: a', '    match:', '      regex: "Step (failed"']), /^sentinel\.yaml:4:14: rules\[0\]\.match\.regex: regex does not compile: Unterminated group$/],
    ['catastrophic regex', y(['rules:', '  - id: a', '    match:', '      regex: "(a+)+b"']), /^sentinel\.yaml:4:14: rules\[0\]\.match\.regex: regex may backtrack catastrophically/],
    ['undefined macro', y(['macros:', '  m1: { level: error }', 'rules:', '  - id: a', '    match:', '      all: [{ macro: m2 }]']), /^sentinel\.yaml:6:22: rules\[0\].match.all\[0\]\.macro: macro "m2" is not defined \(defined: m1\)$/],
    ['undefined list', y(['rules:', '  - id: a', '    match:', '      in_list: { step: flaky }']), /^sentinel\.yaml:4:24: rules\[0\]\.match\.in_list\.step: list "flaky" is not defined$/],
    ['macro cycle', y(['macros:', '  a: { macro: b }', '  b: { macro: a }']), /^sentinel\.yaml:2:3: macros\.a: macros refer to each other in a cycle \(a → b → a\)$/],
    ['unknown pack', y(['packs:', '  pyhton: false']), /^sentinel\.yaml:2:3: packs\.pyhton: unknown name "pyhton" \(did you mean "python"\?\)/],
    ['unset variable', y(['state_dir: ${STATE_DIR}']), /^sentinel\.yaml:1:12: state_dir: environment variable STATE_DIR is not set \(write \$\{STATE_DIR:-default\} for a default\)$/],
    ['bad redact regex', y(['redact:', '  patterns:', '    - { name: t, regex: "[" }']), /^sentinel\.yaml:3:25: redact\.patterns\[0\]\.regex: regex does not compile/],
    ['bot token without channel', y(['notify:', '  slack: { bot_token: xoxb-1 }']), /^sentinel\.yaml:2:10: notify\.slack: bot_token needs a channel$/],
    ['slack list item with unknown key', y(['notify:', '  slack:', '    - { webhook_url: "http://x", chanel: a }']), /^sentinel\.yaml:3:34: notify\.slack\[0\]\.chanel: unknown key "chanel" \(did you mean "channel"\?\)/],
    ['bad brain url', y(['brain:', '  url: brain:8787']), /^sentinel\.yaml:2:8: brain\.url: the string "brain:8787" must match/],
  ])('%s', (_kind, text, expected) => {
    const problems = problemsOf(text);
    expect(problems.length, problems.join('\n')).toBeGreaterThan(0);
    expect(problems[0]).toMatch(expected);
  });

  it('reports every problem of a file in one run, in file order', () => {
    const text = y([
      'sources:', //                                   1
      '  - name: etl', //                              2
      '    paths: ["/var/log/etl/*.log"]', //          3
      '    start_at: middle', //                       4
      '    colour: blue', //                           5
      'rules:', //                                     6
      '  - id: step-failed', //                        7
      '    match: { regex: "Step failed" }', //        8
      '    severity: fatal', //                        9
      '  - id: step-failed', //                        10
      '    match: { regex: "(unclosed" }', //          11
      '  - id: slow', //                               12
      '    match: { regex: "(a+)+b" }', //             13
      '  - id: uses-macro', //                         14
      '    match: { macro: nope }', //                 15
      '    threshold: { count: "5", window_secs: 60 }', // 16
      'server:', //                                    17
      '  prot: 1', //                                  18
    ]);
    const problems = problemsOf(text).map((p) => p.replace(/^sentinel\.yaml:(\d+:\d+): ([^:]+):.*$/, '$1 $2'));
    expect(problems).toEqual([
      '4:15 sources[0].start_at',
      '5:5 sources[0].colour',
      '9:15 rules[0].severity',
      '10:9 rules[1].id',
      '11:21 rules[1].match.regex',
      '13:21 rules[2].match.regex',
      '15:21 rules[3].match.macro',
      '16:25 rules[3].threshold.count',
      '18:3 server.prot',
    ]);
  });

  it('warns (without failing) about a rule whose regexes have no required literal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-config-'));
    const file = join(dir, 'sentinel.yaml');
    writeFileSync(file, y(['rules:', '  - id: digits', '    match:', '      regex: "^\\\\d+ \\\\w+$"', '  - id: fine', '    match: { regex: "Step failed" }']));
    const { problems, warnings } = checkConfig(file, {});
    expect(problems).toEqual([]);
    expect(warnings.map(formatProblem)).toEqual([
      `${file}:4:7: rules[0].match: rule "digits" has no required literal of 3+ characters, so its regexes run on every line (slower); add a fixed word to the regex`,
    ]);
  });

  it('checkConfig reports a missing file as a problem; loadConfig throws SENTINEL_ERR_CONFIG_NOT_FOUND', () => {
    const missing = join(tmpdir(), 'no-such-dir-sentinel', 'sentinel.yaml');
    const { problems } = checkConfig(missing, {});
    expect(problems).toHaveLength(1);
    expect(formatProblem(problems[0] as ConfigProblem)).toMatch(/no-such-dir-sentinel\/sentinel\.yaml:1:1: cannot read the configuration file \(ENOENT\)/);
    expect(() => loadConfig(missing, {})).toThrow(expect.objectContaining({ code: 'SENTINEL_ERR_CONFIG_NOT_FOUND' }) as SentinelError);
  });
});

describe('defaults and environment', () => {
  const MINIMAL = y([
    'sources:',
    '  - name: etl',
    '    paths: ["/var/log/etl/*.log"]',
    '    start_at: end',
    'rules:',
    '  - id: step-failed',
    '    match:',
    '      regex: "Step failed"',
    '    severity: critical',
    'state_dir: /var/lib/sentinel',
    'server:',
    '  port: 9464',
    'notify:',
    '  slack:',
    '    webhook_url: ${SLACK_WEBHOOK_URL}',
    'brain:',
    '  url: embedded',
  ]);

  it("loads the README's minimal configuration and fills every default", () => {
    const c = loadConfigText(MINIMAL, 'min.yaml', {});
    expect(c.sources).toEqual([
      {
        name: 'etl',
        paths: ['/var/log/etl/*.log'],
        exclude: [],
        start_at: 'end',
        format: 'auto',
        max_line_bytes: 262144,
        multiline: { timeout_ms: 200, max_lines: 500, max_bytes: 1048576 },
        poll: false,
        poll_interval_ms: 1000,
      },
    ]);
    expect(c.rules).toEqual([{ id: 'step-failed', match: { regex: 'Step failed' }, severity: 'critical', enabled: true, labels: {} }]);
    expect(c.state_dir).toBe('/var/lib/sentinel');
    expect(c.server).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(c.notify).toEqual({ console: true, slack: [], max_retry_delay_ms: 60000 });
    expect(c.brain).toEqual({
      url: 'embedded',
      timeout_ms: 8000,
      gemini: { model: 'gemini-flash-lite-latest', timeout_ms: 7000, daily_call_budget: 500, max_input_tokens: 6000 },
      openai: { timeout_ms: 7000, daily_call_budget: 500, max_input_tokens: 6000 },
      audit_max_bytes: 10485760,
    });
    expect(c.incidents).toMatchObject({ resolve_after_secs: 1800, cooldown_secs: 3600, storm: { window_secs: 5, max_individual_alerts: 3, max_window_secs: 300 }, max_tracked: 10000 });
    expect(c.incidents.success_match).toBeDefined();
    expect(c.packs).toEqual({});
    expect(c.file).toBe('min.yaml');
  });

  it('returns a deeply frozen config', () => {
    const c = loadConfigText(MINIMAL, 'min.yaml', {});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.sources[0]?.multiline)).toBe(true);
    expect(Object.isFrozen(c.rules[0]?.match)).toBe(true);
    expect(() => {
      (c.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('an unset SLACK_WEBHOOK_URL means console only; a set one a Slack destination', () => {
    expect(loadConfigText(MINIMAL, 'min.yaml', {}).notify.slack).toEqual([]);
    expect(loadConfigText(MINIMAL, 'min.yaml', { SLACK_WEBHOOK_URL: '' }).notify.slack).toEqual([]);
    const withSlack = loadConfigText(MINIMAL, 'min.yaml', { SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/hook' }).notify;
    expect(withSlack).toEqual({ console: false, slack: [{ name: 'slack', webhook_url: 'http://127.0.0.1:9/hook', rate_per_sec: 1 }], max_retry_delay_ms: 60000 });
  });

  it('replaces ${VAR} and ${VAR:-default}, types whole plain values, keeps $${ literal', () => {
    const c = loadConfigText(
      y([
        'state_dir: ${STATE:-/tmp/state}/sentinel',
        'server:',
        '  port: ${PORT:-9464}',
        '  host: "${HOST:-127.0.0.1}"',
        'rules:',
        '  - id: r',
        '    match: { regex: "cost $${price}" }',
        '    hint: ${HINT}',
      ]),
      'env.yaml',
      { PORT: '9999', HINT: 'see the runbook' },
    );
    expect(c.state_dir).toBe('/tmp/state/sentinel');
    expect(c.server).toEqual({ port: 9999, host: '127.0.0.1' });
    expect(c.rules[0]?.match.regex).toBe('cost ${price}');
    expect(c.rules[0]?.hint).toBe('see the runbook');
  });

  it('GOOGLE_API_KEY or GEMINI_API_KEY fills brain.gemini.api_key unless the file sets it', () => {
    expect(loadConfigText(MINIMAL, 'min.yaml', {}).brain.gemini.api_key).toBeUndefined();
    expect(loadConfigText(MINIMAL, 'min.yaml', { GEMINI_API_KEY: 'g-key' }).brain.gemini.api_key).toBe('g-key');
    expect(loadConfigText(MINIMAL, 'min.yaml', { GOOGLE_API_KEY: 'google', GEMINI_API_KEY: 'g-key' }).brain.gemini.api_key).toBe('google');
    const own = y(['brain:', '  gemini:', '    api_key: ${MY_KEY}', '    base_url: http://127.0.0.1:8080']);
    expect(loadConfigText(own, 'own.yaml', { MY_KEY: 'mine', GOOGLE_API_KEY: 'google' }).brain.gemini).toMatchObject({ api_key: 'mine', base_url: 'http://127.0.0.1:8080' });
    // Unset in the file: the key is left out, so the environment's key applies.
    expect(loadConfigText(own, 'own.yaml', { GOOGLE_API_KEY: 'google' }).brain.gemini.api_key).toBe('google');
  });

  it('brain.openai takes ${VAR} for base_url and api_key; an unset variable leaves the engine off', () => {
    const file = y(['brain:', '  openai:', '    base_url: ${LLM_URL}', '    api_key: ${LLM_KEY}', '    model: qwen2.5:7b', '    timeout_ms: 20000', '  audit_max_bytes: 0']);
    const on = loadConfigText(file, 'o.yaml', { LLM_URL: 'http://127.0.0.1:11434/v1', LLM_KEY: 'sk-1' }).brain;
    expect(on.openai).toEqual({ base_url: 'http://127.0.0.1:11434/v1', api_key: 'sk-1', model: 'qwen2.5:7b', timeout_ms: 20000, daily_call_budget: 500, max_input_tokens: 6000 });
    expect(on.audit_max_bytes).toBe(0);
    const off = loadConfigText(file, 'o.yaml', {}).brain.openai;
    expect(off.base_url).toBeUndefined();
    expect(off.api_key).toBeUndefined();
  });

  it('brain.openai with a base_url and no model is an error at its place; a bad URL or a negative audit size too', () => {
    expect(problemsOf(y(['brain:', '  openai:', '    base_url: http://127.0.0.1:11434/v1']))).toEqual([
      expect.stringMatching(/^sentinel\.yaml:3:\d+: brain\.openai: base_url needs a model/),
    ]);
    expect(problemsOf(y(['brain:', '  openai:', '    base_url: ollama:11434', '    model: m']))[0]).toMatch(/^sentinel\.yaml:3:\d+: .*base_url/);
    expect(problemsOf(y(['brain:', '  audit_max_bytes: -1']))[0]).toMatch(/^sentinel\.yaml:2:\d+: .*audit_max_bytes/);
  });

  it('accepts notify.slack as a list of routed destinations, dropping those whose URL is unset', () => {
    const c = loadConfigText(
      y([
        'notify:',
        '  slack:',
        '    - { name: oncall, webhook_url: "${ONCALL_URL}", severities: [critical] }',
        '    - { name: data, webhook_url: "${DATA_URL}", labels: { team: data }, rate_per_sec: 2 }',
      ]),
      'routes.yaml',
      { DATA_URL: 'http://127.0.0.1:9/data' },
    );
    expect(c.notify.slack).toEqual([{ name: 'data', webhook_url: 'http://127.0.0.1:9/data', labels: { team: 'data' }, rate_per_sec: 2 }]);
    expect(c.notify.console).toBe(false);
  });

  it('an empty file (or only comments) is the defaults; a non-mapping is an error', () => {
    expect(loadConfigText('', 'empty.yaml', {}).sources.map((s) => s.paths)).toEqual([['./logs/*.log']]);
    expect(loadConfigText('# nothing yet\n', 'c.yaml', {}).rules).toEqual([]);
    expect(problemsOf('- a\n- b\n')).toEqual(['sentinel.yaml:1:1: (top level): must be object, not a list']);
  });

  it('supports YAML anchors and merge keys between rules', () => {
    const c = loadConfigText(
      y(['rules:', '  - &base', '    id: a', '    match: { level: error }', '    labels: { team: data }', '  - <<: *base', '    id: b', '    severity: warning']),
      'merge.yaml',
      {},
    );
    expect(c.rules.map((r) => [r.id, r.severity, r.labels.team])).toEqual([
      ['a', 'error', 'data'],
      ['b', 'warning', 'data'],
    ]);
  });

  it('defaultConfig tails ./logs/*.log with packs on, console alerts and the embedded brain', () => {
    const c = defaultConfig({});
    expect(c.file).toBe('<embedded>');
    expect(c.sources.map((s) => [s.name, s.paths, s.start_at])).toEqual([['logs', ['./logs/*.log'], 'end']]);
    expect(c.rules).toEqual([]);
    expect(c.packs).toEqual({});
    expect(c.notify.console).toBe(true);
    expect(c.brain.url).toBe('embedded');
    expect(c.state_dir).toBe('.sentinel-state');
    expect(Object.isFrozen(c)).toBe(true);
    expect(defaultConfig({ SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/h', GOOGLE_API_KEY: 'k' })).toMatchObject({
      notify: { console: false, slack: [{ name: 'slack', webhook_url: 'http://127.0.0.1:9/h' }] },
      brain: { gemini: { api_key: 'k' } },
    });
  });
});

describe('the shipped sentinel.yaml', () => {
  const file = join(REPO, 'sentinel.yaml');

  it('is valid as shipped, with no environment at all', () => {
    const { problems, warnings } = checkConfig(file, {});
    expect(problems).toEqual([]);
    // The one warning says Slack is off because SLACK_WEBHOOK_URL is unset.
    expect(warnings.map((w) => w.message)).toEqual(['notify.slack.webhook_url: SLACK_WEBHOOK_URL is not set or empty, so this Slack destination is off']);
  });

  it('works with the demo: source on ./logs/*.log from the end, step-failed rule, embedded brain, port 9464', () => {
    const c = loadConfig(file, { SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/hook' });
    expect(c.sources).toMatchObject([{ name: 'demo', paths: ['./logs/*.log'], start_at: 'end' }]);
    expect(c.rules.map((r) => [r.id, r.severity])).toEqual([['step-failed', 'critical']]);
    expect(c.notify.slack).toMatchObject([{ webhook_url: 'http://127.0.0.1:9/hook' }]);
    expect(c.brain.url).toBe('embedded');
    expect(c.state_dir).toBe('.sentinel-state');
    expect(c.server.port).toBe(9464);
  });

  it('points editors at the published schema', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/sentinel.schema.json');
    const schema = JSON.parse(await readFile(join(REPO, 'schema', 'sentinel.schema.json'), 'utf8')) as { additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
  });
});
