// Hostile log content through the real agent process (issue 11): secrets in forms the redactor used
// to miss, terminal escapes, a JSON line nested 10,000 deep and a regex that would backtrack for
// ever must neither leak, nor silence the alerts that follow them.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startFakeGemini, type FakeGemini } from '../helpers/fake-gemini.js';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { agentPort, createWorkspace, metricValue, scrape } from '../helpers/agent-workspace.js';

const running: RunningProcess[] = [];
const servers: (FakeSlack | FakeGemini)[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});

/** An agent diagnosing through fake Gemini and alerting fake Slack, with `extraYaml` appended to its config. */
async function startAgent(extraYaml: string) {
  const gemini = await startFakeGemini();
  const slack = await startFakeSlack();
  servers.push(gemini, slack);
  const ws = createWorkspace(['  url: embedded', '  gemini:', '    base_url: ${GEMINI_BASE}'].join('\n'), extraYaml);
  const agent = startSentinel(['run', '--config', ws.configFile], {
    env: { SLACK_WEBHOOK_URL: slack.webhookUrl(), GOOGLE_API_KEY: 'test-key-not-secret', GEMINI_BASE: gemini.url },
  });
  running.push(agent);
  const port = await agentPort(agent);
  await waitFor('the agent to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
  return { gemini, slack, ws, agent, port };
}

/** One rule per marker, so every line is its own incident with its own alert and prompt. */
function markerRules(markers: string[]): string {
  return [
    'incidents:',
    '  storm:',
    '    max_individual_alerts: 50',
    'rules:',
    ...markers.flatMap((m) => [`  - id: ${m.toLowerCase()}`, '    match:', `      regex: "${m}\\\\b"`, '    severity: error']),
  ].join('\n');
}

// Issue 11, finding 6: each form reached Slack and Gemini verbatim. [marker, line, fragments that must not leave]
const SECRET_LINES: Array<[string, string, string[]]> = [
  ['LEAK1', 'ERROR LEAK1 could not connect to postgres://etl:p@ss/w0rd@db.internal:5432/warehouse', ['p@ss', 'ss/w0rd', 'w0rd']],
  ['LEAK2', 'ERROR LEAK2 command failed: mysql -u etl -pS3cr3tPw -h db warehouse', ['S3cr3tPw']],
  ['LEAK3', 'ERROR LEAK3 s3 upload denied for AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AKIAIOSFODNN7EXAMPLE']],
  ['LEAK4', 'ERROR LEAK4 login rejected, password: hunter', ['hunter']],
  ['LEAK5', 'ERROR LEAK5 login rejected: Password is "opensesame"', ['opensesame']],
  ['LEAK6', 'ERROR LEAK6 dump failed: pg_dump --password Tr0ub4dor --host db', ['Tr0ub4dor']],
];

describe('hostile input through the agent', () => {
  it('masks every secret form in Slack and in the LLM prompt (finding 6)', async () => {
    const markers = SECRET_LINES.map(([m]) => m);
    const { gemini, slack, ws, agent } = await startAgent(markerRules(markers));
    appendFileSync(ws.logFile, SECRET_LINES.map(([, line]) => line + '\n').join(''));

    const everyMarker = (text: string): boolean => markers.every((m) => text.includes(m));
    await waitFor('an alert for every line', () => everyMarker(slack.messages.map((m) => m.raw).join('\n')), { timeoutMs: 20_000 }, () => agent.stdout().slice(-1500));
    await waitFor('a prompt for every line', () => everyMarker(gemini.requests.map((r) => r.prompt).join('\n')), { timeoutMs: 10_000 });

    const slackText = slack.requests.map((r) => r.raw).join('\n');
    const prompts = gemini.requests.map((r) => r.prompt).join('\n');
    for (const [marker, , fragments] of SECRET_LINES) {
      for (const fragment of fragments) {
        expect(slackText, `${marker} in Slack`).not.toContain(fragment);
        expect(prompts, `${marker} in the prompt`).not.toContain(fragment);
      }
    }
    expect(slackText).toContain('[REDACTED');
    expect(prompts).toContain('[REDACTED');
  }, 40_000);
});

describe('regexes that would hang the agent (finding 4)', () => {
  it('check rejects ambiguous repetitions in rule, unless, multiline and redact patterns with FILE:LINE:COL and exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-regex-'));
    const file = join(dir, 'sentinel.yaml');
    writeFileSync(
      file,
      [
        'sources:',
        '  - name: etl',
        '    paths: ["./logs/*.log"]',
        '    multiline:',
        String.raw`      start_pattern: '^(\s|\s\s)+x'`,
        'rules:',
        '  - id: hang',
        '    match:',
        '      regex: "(a|a)*$"',
        '    unless:',
        '      regex: "(?:a|aa)+$"',
        'redact:',
        '  patterns:',
        '    - name: ids',
        String.raw`      regex: '(\w|\d)+-id'`,
        '',
      ].join('\n'),
    );
    const check = startSentinel(['check', '--config', file]);
    const { code } = await check.exited;
    expect(code, check.stderr()).toBe(1);
    const lines = check.stderr().split('\n').filter((l) => l.startsWith(file + ':') && /backtrack/.test(l));
    for (const [line, what] of [[5, 'start_pattern'], [9, 'match.regex'], [11, 'unless.regex'], [15, 'patterns']] as const) {
      expect(lines.some((l) => new RegExp(`^${file}:${line}:\\d+: .*${what.replace('.', '\\.')}`).test(l)), `line ${line} (${what}) in:\n${check.stderr()}`).toBe(true);
    }

    const run = startSentinel(['run', '--config', file]);
    running.push(run);
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toMatch(new RegExp(`${file}:9:\\d+: .*backtrack`));
  });

  it('a record that takes a rule past the match budget is counted and skipped; the next failure still alerts', async () => {
    // Accepted by the static check (no ambiguous repetition under a repetition) but polynomial:
    // adjacent \d+ on a long line of digits. V8's linear-time fallback bounds each run (a few hundred
    // ms here); twenty-four such rules (enough to pass the budget on an idle machine too) on one record go past the budget, which skips the rest.
    const slowRules = Array.from({ length: 24 }, (_, i) => ['  - id: slow-digits-' + i, '    match:', String.raw`      raw_regex: '\d+\d+\d+x` + i + "'"]).flat();
    const { slack, ws, agent, port } = await startAgent(['rules:', ...slowRules, '  - id: step-failed', '    match:', '      regex: "Step failed"'].join('\n'));
    // The line holds every slow rule's literal (x0 … x23, after a space, so no rule matches): the
    // screen must hand the record to those rules however the reader's buffers fall.
    const literals = Array.from({ length: 24 }, (_, i) => `x${i}`).join(' ');
    appendFileSync(ws.logFile, `ERROR ${'1'.repeat(200_000)} ${literals}\n`);
    appendFileSync(ws.logFile, 'ERROR Step failed: load_orders exited 1\n');
    const alert = await waitFor('the alert for the failure after the slow line', () => slack.messages.find((m) => m.raw.includes('load_orders')), { timeoutMs: 20_000 }, () => agent.stdout().slice(-1500));
    expect(alert.raw).toContain('Step failed');
    const metrics = await scrape(port);
    expect(metricValue(metrics, 'sentinel_dropped_total{stage="detect",reason="match_budget"}')).toBeGreaterThanOrEqual(1);
    expect(agent.stdout()).toMatch(/"reason":"match_budget"[^\n]*"file":"[^"]+aio_pipeline\.log","offset":0/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.ok).toBe(true);
  }, 40_000);
});

describe('deeply nested JSON (finding 2)', () => {
  it('a JSON line nested 10,000 deep does not stop the next failure from alerting', async () => {
    // The deep record matches a rule of its own, so it becomes an incident the agent must journal and save.
    const { slack, ws, agent, port } = await startAgent(
      ['rules:', '  - id: payload-rejected', '    match:', '      regex: "payload rejected"', '  - id: step-failed', '    match:', '      regex: "Step failed"'].join('\n'),
    );
    const deep = `{"level":"error","msg":"payload rejected","data":${'['.repeat(10_000)}1${']'.repeat(10_000)}}`;
    appendFileSync(ws.logFile, deep + '\n');
    appendFileSync(ws.logFile, JSON.stringify({ level: 'error', msg: 'Step failed: load_orders exited 1' }) + '\n');
    const alert = await waitFor('the alert for the failure after the deep line', () => slack.messages.find((m) => m.raw.includes('load_orders')), { timeoutMs: 20_000 }, () => agent.stdout().slice(-1500));
    expect(alert.raw).toContain('Step failed');
    // The deep record alerts too, its deep part kept as text.
    await waitFor('the alert for the deep record', () => slack.messages.find((m) => m.raw.includes('payload rejected')), { timeoutMs: 10_000 });
    const metrics = await scrape(port);
    expect(metricValue(metrics, 'sentinel_parse_errors_total{source="etl",reason="too_deep"}')).toBe(1);
    // State is still written: SIGTERM saves it and exits 0.
    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  }, 40_000);
});

describe('terminal escapes and control characters (finding 9)', () => {
  it("dbt's coloured output, an OSC-8 link and NUL reach Slack and the prompt as clean, readable text", async () => {
    const { gemini, slack, ws, agent } = await startAgent('');
    // Gemini records the prompt and fails, so the built-in analyser answers and quotes the log in Slack.
    gemini.mode = 'bad-key';
    const E = '\x1b';
    const lines = [
      `${E}[0m12:00:19  1 of 3 START sql table model analytics.orders_daily ........ [RUN]`,
      `${E}[0m12:00:19  1 of 3 ${E}[31mERROR${E}[0m creating sql table model analytics.orders_daily ${E}]8;;https://evil.example/phish${E}\\docs${E}]8;;${E}\\ [${E}[31mERROR${E}[0m in 0.42s]`,
      `${E}[0m12:00:19  ${E}[31mDatabase Error in model orders_daily (models/marts/orders_daily.sql)${E}[0m`,
      '  syntax error at or near "form"\x00\x00',
      '  LINE 3:   form analytics.stg_orders',
      '  compiled code at target/run/shop/models/marts/orders_daily.sql',
    ];
    appendFileSync(ws.logFile, lines.join('\n') + '\n');
    const message = await waitFor('the dbt alert', () => slack.messages.find((m) => m.raw.includes('orders_daily')), { timeoutMs: 20_000 }, () => agent.stdout().slice(-1500));
    await waitFor('the prompt', () => gemini.requests.find((r) => r.prompt.includes('orders_daily')), { timeoutMs: 10_000 });
    const prompts = gemini.requests.map((r) => r.prompt).join('\n');
    for (const [where, text] of [['Slack', slack.requests.map((r) => r.raw).join('\n')], ['the prompt', prompts]] as const) {
      for (const control of ['\\u001b', '\x1b', '\\u0000', '\x00']) expect(text, where).not.toContain(control);
      expect(text, where).not.toContain('evil.example');
      expect(text, where).not.toMatch(/\[(?:0|31)m/);
    }
    expect(message.raw).toContain('form analytics.stg_orders');
    expect(prompts).toContain('Database Error in model orders_daily (models/marts/orders_daily.sql)');
  }, 40_000);
});
