// Issue 15 "alerts for people", Airflow: through the real agent and a loopback Slack, an attempt's
// log (dag_id=…/run_id=…/task_id=…/attempt=N.log, Airflow 2's default layout) gives one alert that
// names the DAG, task, run and try; a later attempt's success (a new file) resolves it, and the
// resolved message says why.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { agentPort, createWorkspace } from '../helpers/agent-workspace.js';
import { waitFor } from '../helpers/wait.js';

const RUN = 'scheduled__2024-06-01T00:00:00+00:00';
const TASK_LINE = `dag_id=orders_daily, task_id=transform_orders, run_id=${RUN}, execution_date=20240601T000000, start_date=20240602T011501, end_date=20240602T011504`;

const FAILED_ATTEMPT = [
  '[2024-06-02, 01:15:01 UTC] {taskinstance.py:2306} INFO - Starting attempt 1 of 3',
  "[2024-06-02, 01:15:01 UTC] {taskinstance.py:2330} INFO - Executing <Task(PythonOperator): transform_orders> on 2024-06-01 00:00:00+00:00",
  '[2024-06-02, 01:15:04 UTC] {taskinstance.py:2905} ERROR - Task failed with exception',
  'Traceback (most recent call last):',
  '  File "/opt/airflow/dags/orders.py", line 40, in transform_orders',
  '    raise ValueError("negative amount in row 17")',
  'ValueError: negative amount in row 17',
  `[2024-06-02, 01:15:04 UTC] {taskinstance.py:1206} INFO - Marking task as UP_FOR_RETRY. ${TASK_LINE}`,
  '[2024-06-02, 01:15:04 UTC] {standard_task_runner.py:110} ERROR - Failed to execute job 88123 for task transform_orders (negative amount in row 17; 1432)',
  '[2024-06-02, 01:15:04 UTC] {local_task_job_runner.py:240} INFO - Task exited with return code 1',
];
const SUCCEEDED_ATTEMPT = [
  '[2024-06-02, 01:20:05 UTC] {taskinstance.py:2306} INFO - Starting attempt 2 of 3',
  `[2024-06-02, 01:20:09 UTC] {taskinstance.py:1206} INFO - Marking task as SUCCESS. ${TASK_LINE}`,
  '[2024-06-02, 01:20:09 UTC] {local_task_job_runner.py:240} INFO - Task exited with return code 0',
];

let agent: RunningProcess | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  agent?.kill('SIGKILL');
  await slack?.close();
});

describe('Airflow task attempts through the real agent', () => {
  it('one alert naming DAG, task, run and try; resolved by the next attempt\'s success, saying so', async () => {
    slack = await startFakeSlack();
    const ws = createWorkspace();
    // Airflow's log tree under the workspace's log directory.
    const config = readFileSync(ws.configFile, 'utf8').replace(`${ws.logDir}/*.log`, `${ws.logDir}/**/*.log`);
    writeFileSync(ws.configFile, config);
    agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    const port = await agentPort(agent);
    await waitFor('the agent to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);

    const taskDir = join(ws.logDir, 'dag_id=orders_daily', `run_id=${RUN}`, 'task_id=transform_orders');
    mkdirSync(taskDir, { recursive: true });
    writeFileSync(join(taskDir, 'attempt=1.log'), FAILED_ATTEMPT.join('\n') + '\n');

    const opened = await waitFor('the failure alert', () => slack!.messages[0], { timeoutMs: 15_000 });
    const body = JSON.stringify(opened.blocks);
    for (const fact of ['*Pipeline*\\norders_daily', '*Step*\\ntransform_orders', RUN, '*Try*\\n1']) expect(body).toContain(fact);
    // The fallback a phone shows: a sentence, not "An Airflow task failed.: transform_orders".
    expect(opened.text).toMatch(/^\[ERROR\] Airflow task failed in orders_daily\/transform_orders: ValueError: negative amount in row 17/);
    expect(opened.text).not.toMatch(/\.:/);

    writeFileSync(join(taskDir, 'attempt=2.log'), SUCCEEDED_ATTEMPT.join('\n') + '\n');
    const resolved = await waitFor('the resolved alert', () => slack!.messages.find((m) => /RESOLVED/.test(m.text ?? '')), { timeoutMs: 15_000 });
    expect(JSON.stringify(resolved.blocks)).toContain('attempt 2 of orders_daily › transform_orders succeeded after attempt 1 failed (attempt=2.log');
    // The traceback, the retry line and the runner's line were one failure: one opening alert.
    expect(slack.messages.filter((m) => !/RESOLVED/.test(m.text ?? ''))).toHaveLength(1);
    // `sentinel incidents` says why it resolved, once the agent has saved its state.
    const listed = await waitFor('the resolved incident in `sentinel incidents`', async () => {
      const p = startSentinel(['incidents', '--config', ws.configFile, '--format', 'json']);
      await p.exited;
      const rows = p.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { status: string; resolvedBecause?: string });
      return rows.find((r) => r.status === 'resolved');
    });
    expect(listed.resolvedBecause).toMatch(/^attempt 2 of orders_daily › transform_orders succeeded after attempt 1 failed/);
  });
});
