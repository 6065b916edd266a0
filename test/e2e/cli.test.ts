// The CLI's contract (docs/architecture.md, "Interfaces others rely on"), through the real bin/sentinel.js.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline, startSentinel } from '../helpers/sentinel-process.js';
import { startFakeSlack } from '../helpers/fake-slack.js';

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startSentinel(args, { env });
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

describe('sentinel CLI', () => {
  it('prints help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of ['run', 'brain', 'check', 'test-rules', 'diagnose', 'notify-test']) expect(stdout).toContain(command);
  });

  it('check: exit 0 on the shipped sentinel.yaml, exit 1 with FILE:LINE:COL on a broken one', async () => {
    const good = await run(['check', '--config', 'sentinel.yaml']);
    expect(good.code, good.stderr).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, ['rules:', '  - id: a', '    match: { regex: "(unclosed" }', '    severity: loud', '  - id: a', '    match: { level: error }', 'colour: blue', ''].join('\n'));
    const result = await run(['check', '--config', bad]);
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith(bad + ':'));
    // Every problem in one run, each with its line and column.
    expect(lines.some((l) => /:3:\d+: .*regex/i.test(l))).toBe(true);
    expect(lines.some((l) => /:4:\d+: .*severity/i.test(l))).toBe(true);
    expect(lines.some((l) => /:5:\d+: .*duplicate/i.test(l))).toBe(true);
    expect(lines.some((l) => /:7:\d+: .*colour/i.test(l))).toBe(true);
  });

  it('run: a broken config exits non-zero with a message naming the place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));
    const bad = join(dir, 'sentinel.yaml');
    writeFileSync(bad, 'sources:\n  - name: x\n    paths: "not-a-list"\n');
    const result = await run(['run', '--config', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${bad}:3:\\d+: `));
    expect(result.stderr).toContain('SENTINEL_ERR_CONFIG_INVALID');
  });

  it('diagnose: one JSON line per incident with the fields docs/architecture.md promises', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));
    const log = join(dir, 'run.log');
    await runPipeline(log, 'missing-column').exited;
    const result = await run(['diagnose', log]);
    expect(result.code, result.stderr).toBe(0);
    const reports = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(reports).toHaveLength(1);
    const [report] = reports;
    for (const key of ['rule', 'severity', 'fingerprint', 'count', 'category', 'summary', 'rootCause', 'location', 'fix', 'retryable', 'engine']) {
      expect(report).toHaveProperty(key);
    }
    expect(report!.category).toBe('schema_drift');
    expect(JSON.stringify(report)).toContain('amount_cents');
    expect(report!.engine).toBe('builtin');
  });

  it('diagnose: exit 0 and no output when nothing failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));
    const log = join(dir, 'ok.log');
    await runPipeline(log, 'success').exited;
    const result = await run(['diagnose', log]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('');
  });

  it('test-rules: exit 0 when every expectation holds, exit 1 with expected vs got otherwise', async () => {
    const passing = await run(['test-rules', 'test/fixtures/rule-tests/passing.yaml']);
    expect(passing.code, passing.stdout + passing.stderr).toBe(0);
    expect(passing.stdout).toMatch(/\d+ passed, 0 failed/);
    const failing = await run(['test-rules', 'test/fixtures/rule-tests/failing.yaml']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/expected/i);
    expect(failing.stdout).toMatch(/got/i);
    expect(failing.stderr).toContain('SENTINEL_ERR_RULE_TEST_FAILED');
  });

  it('notify-test: posts a sample alert to each destination and reports what Slack said', async () => {
    const slack = await startFakeSlack();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));
      const config = join(dir, 'sentinel.yaml');
      writeFileSync(config, `state_dir: ${join(dir, 'state')}\nnotify:\n  slack:\n    - { name: oncall, webhook_url: "${slack.webhookUrl()}" }\n`);
      const ok = await run(['notify-test', '--config', config]);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/ok\s+oncall/);
      expect(slack.messages).toHaveLength(1);

      slack.setMode({ mode: 'permanent-error', status: 404, error: 'channel_not_found' });
      const refused = await run(['notify-test', '--config', config]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(/FAIL oncall: .*channel_not_found/);
    } finally {
      await slack.close();
    }
  });
});
