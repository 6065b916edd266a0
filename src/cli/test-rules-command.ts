// `sentinel test-rules FILE`: rule tests as data, in the spirit of `promtool test rules`.
import { runRuleTests } from '../detect/rule-tests.js';

export async function runRuleTestsCommand(file: string | undefined): Promise<number> {
  if (!file) {
    console.error('sentinel test-rules: give the rule-test file, e.g. sentinel test-rules test/fixtures/rule-tests/demo.yaml');
    return 2;
  }
  const { passed, failed, report } = await runRuleTests(file, process.env);
  console.log(report);
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0) console.error(`sentinel: SENTINEL_ERR_RULE_TEST_FAILED: ${failed} rule test(s) did not produce the expected incidents`);
  return failed > 0 ? 1 : 0;
}
