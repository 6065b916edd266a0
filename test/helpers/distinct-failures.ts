// Distinct failures for storm and latency tests: each a Dagster-style step_failed JSON record with
// its own step, so each opens its own incident (no digits in step names: they would normalise to
// one fingerprint).
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** Step names without digits, so no two normalise to one fingerprint. */
export const stepName = (n: number): string => `sync_${LETTERS[n % 26]}${LETTERS[Math.floor(n / 26) % 26]}_table`;

export function failureLine(step: string): string {
  return (
    JSON.stringify({
      ts: new Date().toISOString(),
      level: 'error',
      pipeline: 'warehouse',
      run_id: 'run-a',
      step,
      event: 'step_failed',
      msg: `Execution of step "${step}" failed.`,
      error: {
        type: 'KeyError',
        message: `'${step}_id'`,
        stack: `Traceback (most recent call last):\n  File "/app/steps/${step}.py", line 41, in run\n    key = row["${step}_id"]\nKeyError: '${step}_id'`,
      },
    }) + '\n'
  );
}

