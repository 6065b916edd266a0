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

  it('reports a broken test file or rule file as a failure, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-rule-tests-'));
    writeFileSync(join(dir, 'bad-rules.yaml'), 'rules:\n  - id: a\n    match: { regex: "(" }\n');
    writeFileSync(join(dir, 't.yaml'), 'rule_files: [bad-rules.yaml]\ntests: []\n');
    const bad = await runRuleTests(join(dir, 't.yaml'), {});
    expect(bad.failed).toBe(1);
    expect(bad.report).toMatch(/invalid rule file:\n.*bad-rules\.yaml:3:21: rules\[0\]\.match\.regex: regex does not compile/);

    writeFileSync(join(dir, 'no-expect.yaml'), 'tests:\n  - name: x\n    lines: [a]\n');
    expect((await runRuleTests(join(dir, 'no-expect.yaml'), {})).report).toContain('"expect" must be a list');
  });
});
