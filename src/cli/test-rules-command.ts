// `sentinel test-rules FILE`: rule tests as data, in the spirit of `promtool test rules`.
import { existsSync, statSync } from 'node:fs';
import { runRuleTests } from '../agent/rule-tests.js';
import { SentinelError } from '../errors.js';

export async function runRuleTestsCommand(file: string): Promise<number> {
  // A missing file is an input error (exit 1 with its code), not a failed expectation.
  if (!existsSync(file) || !statSync(file).isFile()) throw new SentinelError('SENTINEL_ERR_FILE_NOT_FOUND', `rule-test file ${file} does not exist or is not a file`);
  const { passed, failed, report } = await runRuleTests(file, process.env);
  console.log(report);
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0) console.error(`sentinel: SENTINEL_ERR_RULE_TEST_FAILED: ${failed} rule test(s) did not produce the expected incidents`);
  return failed > 0 ? 1 : 0;
}
