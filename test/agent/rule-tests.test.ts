// `sentinel test-rules`: a passing file and a failing one whose report shows expected vs got.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRuleTests } from '../../src/agent/rule-tests.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'rule-tests');

describe('runRuleTests', () => {
  it('passes a file whose expectations hold (shipped sentinel.yaml, a second rule file, packs, thresholds)', async () => {
    const result = await runRuleTests(join(DIR, 'passing.yaml'), {});
    expect(result.report).not.toContain('FAIL');
    expect(result).toMatchObject({ passed: 6, failed: 0 });
  });

  it('fails a file whose expectations do not hold, showing expected vs got', async () => {
    const result = await runRuleTests(join(DIR, 'failing.yaml'), {});
    expect({ passed: result.passed, failed: result.failed }).toEqual({ passed: 1, failed: 2 });
    expect(result.report).toMatch(
      /FAIL severity is critical, not warning\n {2}expected:\n {4}- \{ rule: step-failed, severity: warning, count: 1 \}\n {2}got:\n {4}- \{ rule: step-failed, severity: critical, count: 1, fingerprint: [0-9a-f]{16}, fingerprint text: .*\}/,
    );
    expect(result.report).toContain('FAIL expects an incident that does not happen\n  expected:\n    - { rule: python.traceback }\n  got:\n    (no incident)');
    expect(result.report).toContain('PASS passes');
  });

  it('reports a test file or rule file that cannot run as an input error at FILE:LINE:COL, not as a failed test', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-rule-tests-'));
    const inputError = async (name: string, body: string): Promise<string> => {
      writeFileSync(join(dir, name), body);
      const error = await runRuleTests(join(dir, name), {}).then(
        () => undefined,
        (err: unknown) => err as { code?: string; message: string },
      );
      expect(error?.code, name).toBe('SENTINEL_ERR_RULE_TEST_INVALID');
      return error?.message ?? '';
    };
    writeFileSync(join(dir, 'bad-rules.yaml'), 'rules:\n  - id: a\n    match: { regex: "(" }\n');
    expect(await inputError('t.yaml', 'rule_files: [bad-rules.yaml]\ntests: []\n')).toMatch(/invalid rule file:\n.*bad-rules\.yaml:3:21: rules\[0\]\.match\.regex: regex does not compile/);
    expect(await inputError('no-expect.yaml', 'tests:\n  - name: x\n    lines: [a]\n')).toContain('no-expect.yaml:2:5: x: "expect" must be a list');
    expect(await inputError('syntax.yaml', 'tests:\n  - name: x\n    lines: ["a"\n')).toMatch(/syntax\.yaml:\d+:\d+: /);
    // An unknown key names its test and where it is, and what the keys are.
    expect(await inputError('unknown.yaml', 'tests:\n  - name: ok\n    lines: [a]\n    expect: []\n  - name: typo\n    lines: [a]\n    expcet: []\n')).toBe(
      `${join(dir, 'unknown.yaml')}:7:5: typo: unknown key "expcet" (keys: name, lines, input_file, format, expect)`,
    );
  });

  it('counts incidents as the agent does: the records of one failure are one incident', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-rule-tests-'));
    // An Airflow attempt: the traceback, then the task runner's UP_FOR_RETRY line (two pack rules).
    writeFileSync(
      join(dir, 'airflow.yaml'),
      [
        'tests:',
        '  - name: one attempt, one incident',
        '    lines:',
        '      - "[2024-06-02, 01:15:04 UTC] {taskinstance.py:2905} ERROR - Task failed with exception"',
        '      - "Traceback (most recent call last):"',
        '      - \'  File "/opt/airflow/dags/orders.py", line 40, in transform_orders\'',
        '      - "ValueError: negative amount in row 17"',
        '      - "[2024-06-02, 01:15:04 UTC] {taskinstance.py:1206} INFO - Marking task as UP_FOR_RETRY. dag_id=orders, task_id=transform_orders, run_id=r1"',
        '    expect:',
        '      - { rule: airflow.task-failed, count: 1 }',
        '',
      ].join('\n'),
    );
    const result = await runRuleTests(join(dir, 'airflow.yaml'), {});
    expect(result.report).toBe('PASS one attempt, one incident');
  });
});
