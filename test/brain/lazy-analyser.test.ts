// The built-in analyser loads on its first use, not with the agent (src/brain/lazy-analyser.ts):
// what an agent's first failure meets while it loads must be what every later one meets.
import { describe, expect, it } from 'vitest';
import { confidentFromRecordAlone } from '../../src/agent/follow-up-lines.js';
import { loadAnalyser, loadedAnalyser } from '../../src/brain/lazy-analyser.js';
import type { DiagnoseRequest } from '../../src/types.js';

const request = (text: string): DiagnoseRequest => ({ fingerprint: 'fp', rule: 'python-traceback', severity: 'error', title: 'Step failed', text, context: [] });

// A traceback that names its error and the user frame it came from: it explains itself.
const traceback = request(
  [
    'Traceback (most recent call last):',
    '  File "/opt/etl/steps/load_orders.py", line 42, in load',
    '    total = sum(row["amount"] for row in rows) / len(rows)',
    'ZeroDivisionError: division by zero',
  ].join('\n'),
);
// A bare failure line: the lines after it may say why.
const vague = request('Step load_orders failed');

describe('the built-in analyser, loaded on first use', () => {
  // Vitest gives each test file its own modules: nothing here has loaded the analyser yet.
  it("answers a record's first question with a promise while it loads, then the same answer at once", async () => {
    expect(loadedAnalyser()).toBeUndefined();
    const first = [confidentFromRecordAlone(traceback), confidentFromRecordAlone(vague)];
    const pending = first.filter((answer) => answer instanceof Promise);
    expect(pending).toHaveLength(2);
    const whileLoading = await Promise.all(pending);
    const loaded = [confidentFromRecordAlone(traceback), confidentFromRecordAlone(vague)];
    expect(loaded).toEqual(whileLoading);
    expect(loaded).toEqual([true, false]);
  });

  it('loads once: every caller gets the same function', async () => {
    const [a, b] = await Promise.all([loadAnalyser(), loadAnalyser()]);
    expect(a).toBe(b);
    expect(loadedAnalyser()).toBe(a);
  });
});
