// The eval's live path: a log replayed as a tailed file through the agent's own modules must give
// the brain what the live agent has when it announces, and nothing written after that moment.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBrain, type Brain } from '../../src/brain/brain.js';
import { defaultConfig } from '../../src/config/load-config.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { silentLogger } from '../../src/log.js';
import { FINISHED_FILE_FOLLOW_UP, NO_FOLLOW_UP } from '../../src/agent/follow-up-lines.js';
import { replayLive } from '../../scripts/eval/live-replay.js';
import { stampMs } from '../../src/agent/text-replay.js';
import { loadCorpus } from '../../scripts/eval/corpus.js';
import { judge, locationMatches, scoreCorpus } from '../../scripts/eval/score.js';

// An Airflow task log as users paste it: the failing record (log line + traceback), the
// framework's own summary printed with it, and a line logged 35 s later by the next attempt.
const AIRFLOW_LOG = [
  '[2023-09-08, 10:14:52 +07] {taskinstance.py:1157} INFO - Starting attempt 1 of 2',
  '[2023-09-08, 10:14:54 +07] {taskinstance.py:1824} ERROR - Task failed with exception',
  'Traceback (most recent call last):',
  '  File "/opt/airflow/dags/etl.py", line 42, in load',
  '    hook.run(sql)',
  '  File "/home/airflow/.local/lib/python3.8/site-packages/airflow/providers/postgres/hooks/postgres.py", line 100, in run',
  '    cur.execute(sql_statement)',
  'psycopg2.errors.UndefinedTable: relation "staging.orders" does not exist',
  '[2023-09-08, 10:14:54 +07] {taskinstance.py:1345} INFO - Dependencies of the next attempt are being checked. dag_id=etl, task_id=load',
  '[2023-09-08, 10:14:55 +07] {local_task_job.py:208} INFO - Task exited with return code 1',
  '[2023-09-08, 10:15:30 +07] {taskinstance.py:1157} INFO - Starting attempt 2 of 2 LATE_MARKER',
  '',
].join('\n');

const config = defaultConfig({});
const brains: Brain[] = [];
function builtinBrain(): Brain {
  const brain = createBrain({ config: { ...config.brain, url: 'embedded' }, metrics: createMetrics({ defaultMetrics: false }), logger: silentLogger(), readSourceFiles: false, cacheSize: 0 });
  brains.push(brain);
  return brain;
}
afterAll(async () => {
  for (const b of brains) await b.close();
});

describe('live replay (npm run eval)', () => {
  it('gives the brain nothing logged after the failing record when the agent does not wait', async () => {
    const outcome = await replayLive(AIRFLOW_LOG, config, builtinBrain(), { followUp: NO_FOLLOW_UP });
    expect(outcome.incidents).toBe(1);
    const [first] = outcome.announced;
    expect(first?.request.text).toContain('UndefinedTable');
    expect(first?.request.after).toBeUndefined();
    const sent = JSON.stringify(first?.request);
    expect(sent).not.toContain('Dependencies of the next attempt');
    expect(sent).not.toContain('LATE_MARKER');
    // What came before is context, as the agent's ring holds it.
    expect(first?.request.context.join('\n')).toContain('Starting attempt 1 of 2');
    expect(first?.diagnosis.location).toMatchObject({ file: '/opt/airflow/dags/etl.py', line: 42 });
  });

  it('hands on the lines printed with the failure, not those after a quiet spell, when the agent waits', async () => {
    const outcome = await replayLive(AIRFLOW_LOG, config, builtinBrain(), { followUp: { maxLines: 40, quietMs: 1000, maxWaitMs: 1500 } });
    const after = outcome.announced[0]?.request.after ?? [];
    expect(after.join('\n')).toContain('Dependencies of the next attempt');
    // Stamped one second later: still inside the wait (its quiet period restarts on each line).
    expect(after.join('\n')).toContain('Task exited with return code 1');
    // 35 s later by the log's own clock: the alert has long gone.
    expect(after.join('\n')).not.toContain('LATE_MARKER');
  });

  it('ends the wait at its line limit even when the writer keeps going', async () => {
    const outcome = await replayLive(AIRFLOW_LOG, config, builtinBrain(), { followUp: { maxLines: 1, quietMs: 1000, maxWaitMs: 1500 } });
    expect(outcome.announced[0]?.request.after).toEqual(['[2023-09-08, 10:14:54 +07] {taskinstance.py:1345} INFO - Dependencies of the next attempt are being checked. dag_id=etl, task_id=load']);
  });

  it('a finished file (sentinel diagnose) sees the lines below the record however late', async () => {
    const outcome = await replayLive(AIRFLOW_LOG, config, builtinBrain(), { followUp: FINISHED_FILE_FOLLOW_UP });
    expect(outcome.announced[0]?.request.after?.join('\n')).toContain('LATE_MARKER');
  });

  it('reads the arrival time of a line from the stamps real logs carry', () => {
    const a = stampMs('[2023-09-08, 10:14:54 +07] {x.py:1} INFO - a');
    const b = stampMs('2023-09-08T10:14:55.250Z level=info msg=b');
    expect(b !== undefined && a !== undefined ? b - a : NaN).toBe(1250);
    expect((stampMs('23/01/01 10:00:02 ERROR Executor: x') ?? 0) - (stampMs('23/01/01 10:00:00 INFO x') ?? 0)).toBe(2000);
    expect((stampMs('10:00:01,500 x') ?? 0) - (stampMs('10:00:01 y') ?? 0)).toBe(500);
    expect(stampMs('  File "/x.py", line 3, in f')).toBeUndefined();
  });

  it('scores a corpus: detection is an opened incident, any incident on a healthy log is a false alarm', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sentinel-eval-'));
    try {
      mkdirSync(join(root, 'airflow'));
      writeFileSync(join(root, 'airflow/missing-table.log'), AIRFLOW_LOG);
      const url = 'https://github.com/example/project/issues/1';
      writeFileSync(
        join(root, 'airflow/missing-table.json'),
        JSON.stringify({ file: 'airflow/missing-table.log', stack: 'airflow', source_url: url, label_source: 'inferred', kind: 'failure', category: 'missing_input', location: { file: 'etl.py', line: 42, function: 'load' }, retryable: false }),
      );
      writeFileSync(join(root, 'airflow/quiet-run.log'), '[2023-09-08, 10:14:52 +07] {taskinstance.py:1157} INFO - Starting attempt 1 of 1\n[2023-09-08, 10:14:58 +07] {taskinstance.py:1400} INFO - Marking task as SUCCESS. errors=0\n');
      writeFileSync(join(root, 'airflow/quiet-run.json'), JSON.stringify({ file: 'airflow/quiet-run.log', stack: 'airflow', source_url: `${url}#2`, label_source: 'inferred', kind: 'healthy' }));
      writeFileSync(join(root, 'airflow/broken.log'), 'x\n');
      writeFileSync(join(root, 'airflow/broken.json'), '{ not json');
      const corpus = loadCorpus(root);
      expect(corpus.cases.map((c) => c.name)).toEqual(['airflow/missing-table.log', 'airflow/quiet-run.log']);
      expect(corpus.problems).toHaveLength(1);
      const results = [];
      for (const c of corpus.cases) {
        const outcome = await replayLive(c.log, config, builtinBrain());
        results.push(judge(c, outcome.incidents, outcome.announced[0]?.diagnosis));
      }
      const score = scoreCorpus(corpus, results);
      expect(score.failures).toMatchObject({ cases: 1, detection: 1, location: 1, incidentsPerLog: 1 });
      expect(score.healthy).toMatchObject({ cases: 1, falseAlarms: 0, rate: 0 });
      expect(score.incidentSpread).toEqual({ none: 0, one: 1, two: 0, more: 0 });
      expect(score.misses).toEqual([]);
      // A miss names the thread, so a reader can check the label.
      const wrong = scoreCorpus(corpus, [judge({ ...corpus.cases[0]!, label: { ...corpus.cases[0]!.label, category: 'timeout' } }, 1, results[0]?.diagnosis)]);
      expect(wrong.misses).toEqual([{ name: 'airflow/missing-table.log', stack: 'airflow', kind: 'failure', what: [`category ${results[0]?.diagnosis?.category} (want timeout)`], source_url: url }]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('compares locations by base name, Windows paths included, and a frameless label by step name or file', () => {
    expect(locationMatches({ file: 'etl.py', line: 42, function: 'load' }, { file: 'C:\\jobs\\etl.py', line: 42, function: null, code: null })).toBe(true);
    expect(locationMatches({ file: 'etl.py', line: 42, function: 'load' }, { file: '/x/etl.py', line: 43, function: 'load', code: null })).toBe(false);
    expect(locationMatches({ file: 'models/x/orders.sql', line: null, function: 'orders' }, { file: 'orders', line: null, function: 'orders', code: null })).toBe(true);
    expect(locationMatches({ file: 'models/x/orders.sql', line: null, function: 'orders' }, { file: 'models/x/orders.sql', line: 3, function: null, code: null })).toBe(true);
    expect(locationMatches(null, null)).toBe(true);
    expect(locationMatches(null, { file: 'a.py', line: 1, function: null, code: null })).toBe(false);
  });
});
