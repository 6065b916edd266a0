// `sentinel run` keeps V8's young generation at its first size (src/cli/young-generation.ts): the
// flag only works when set at run time, so a real Node.js process checks that it still does.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepYoungGenerationSmall } from '../../src/cli/young-generation.js';
import { REPO_ROOT } from '../helpers/sentinel-process.js';

/** The young generation's size (MB) after churning objects of which some survive a while, in a fresh process. */
function youngGenerationAfterChurn(callIt: boolean, nodeArgs: string[] = []): number {
  const script = `
    const v8 = await import('node:v8');
    const { keepYoungGenerationSmall } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/cli/young-generation.js'))});
    if (${callIt}) keepYoungGenerationSmall();
    let kept = [];
    for (let i = 0; i < 2e6; i++) {
      const o = { i, s: 'record ' + i };
      if (i % 5 === 0) kept.push(o);
      if (kept.length > 100000) kept = [];
    }
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(young.space_size / 1048576);
  `;
  const r = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

describe('young generation kept at its first size', () => {
  it('grows under churn without the call, and stays at its first size with it', () => {
    const grown = youngGenerationAfterChurn(false);
    const kept = youngGenerationAfterChurn(true);
    expect(grown).toBeGreaterThanOrEqual(8);
    expect(kept).toBeLessThanOrEqual(4);
  });

  it("leaves an operator's own young-generation flags alone", () => {
    expect(keepYoungGenerationSmall({ NODE_OPTIONS: '--max-semi-space-size=32' }, [])).toBe(false);
    expect(keepYoungGenerationSmall({}, ['--min-semi-space-size=4'])).toBe(false);
    expect(keepYoungGenerationSmall({}, ['--semi_space_growth_factor=4'])).toBe(false);
  });
});
