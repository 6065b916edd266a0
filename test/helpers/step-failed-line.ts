// One JSON log record of a pipeline step failing with a Python traceback, as the e2e tests append it.
export function stepFailedLine(step: string, message = `upstream table for ${step} is unavailable`): string {
  return (
    JSON.stringify({
      ts: new Date().toISOString(),
      level: 'error',
      pipeline: 'nightly_etl',
      run_id: 'r-1',
      step,
      event: 'step_failed',
      msg: `Execution of step "${step}" failed.`,
      error: { type: 'ValueError', message, stack: `Traceback (most recent call last):\n  File "/app/etl/${step}.py", line 12, in run\n    raise ValueError("${message}")\nValueError: ${message}` },
    }) + '\n'
  );
}
