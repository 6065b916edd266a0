// Issue 15 "one failure, one alert", through the real CLI and the real agent: the records of one
// failure (a stack and its summary line, an adapter's debug line and the error it raises, an Airflow
// attempt's traceback and "Marking task as UP_FOR_RETRY") are one incident whichever rules match
// them, and take one storm slot; distinct failures of one file stay apart. Real Spark, Airflow and
// dbt logs go through `sentinel diagnose` and through a running agent that tails them.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { REPO_ROOT, startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { agentPort, createWorkspace, listIncidents, metricSum, metricValue, scrape, workspaceBaseYaml } from '../helpers/agent-workspace.js';
import { waitFor } from '../helpers/wait.js';

interface Report {
  file: string;
  rule: string;
  count: number;
  category: string;
}

const REAL = join(REPO_ROOT, 'test/fixtures/real/dev');
const WRITTEN = join(REPO_ROOT, 'test/fixtures/failures');

/** `sentinel diagnose` over the files, one report per incident, grouped by file. */
async function diagnose(files: string[]): Promise<Map<string, Report[]>> {
  const p = startSentinel(['diagnose', '--engine', 'builtin', '--format', 'json', ...files]);
  const { code } = await p.exited;
  expect(code, p.stderr()).toBe(0);
  const byFile = new Map<string, Report[]>(files.map((f) => [f, []]));
  for (const line of p.stdout().split('\n').filter(Boolean)) {
    const report = JSON.parse(line) as Report;
    byFile.get(report.file)?.push(report);
  }
  return byFile;
}

// Real logs (test/fixtures/real/dev, each .json keeps the thread's source_url) where several rules
// or packs match the records of a single failure. The agent test below tails the Spark, Airflow and
// dbt ones.
const REAL_ONE_FAILURE: Array<[file: string, rulesThatMatch: string]> = [
  [`${REAL}/spark/noobaa-chunkfs-spark-copy-array-index-out-of-bounds-8574.log`, 'generic.error-record on ERROR FileFormatWriter "Job … aborted", then jvm.spark-failure on the SparkException'],
  [`${REAL}/spark/tensorflowonspark-tfsparknode-mgr-none-saveastextfile-32.log`, 'generic.error-line on the task\'s AttributeError, then jvm.spark-failure on "Job aborted due to stage failure"'],
  [`${REAL}/spark/spark-redshift-orc-save-yarn-python-worker-crashed-470.log`, 'jvm.spark-failure on two "Lost task" lines, then python.traceback of the driver\'s save()'],
  [`${REAL}/spark/deep-packet-parquet-write-python-worker-crashed-1.log`, 'jvm.spark-failure on ERROR FileFormatWriter and on the paste-wrapped rest of its SparkException'],
  [`${REAL}/spark/pyspark-save-path-already-exists-docker-blog-4.log`, 'python.traceback of Py4JJavaError, then jvm.exception on the JVM exception it carries'],
  [`${REAL}/spark/datacleaner-spark-csv-path-wrong-nosuchcolumn-1100.log`, 'generic.error-record, then jvm.uncaught-exception (Exception in thread "main")'],
  [`${REAL}/airflow/case-4503573e.log`, 'airflow.killed (SIGTERM), then airflow.task-failed'],
  [`${REAL}/airflow/airflow-mysql-operator-execution-timeout-15766.log`, 'generic.error-record (Process timed out), then airflow.task-failed'],
  [`${REAL}/airflow/case-feb60fa2.log`, 'postgresql.constraint on the error line and on the traceback that repeats it'],
  [`${REAL}/airflow/telemetry-airflow-broken-dag-keyword-arguments-operators-427.log`, 'airflow.dag-import-error on three adjacent lines'],
  [`${REAL}/dbt/case-fb4153da.log`, 'generic.error-record on the runner\'s "ERROR - Running with dbt=", then dbt.database-error below the run summary'],
  [`${REAL}/dbt/dbt-core-syntax-error-broken-model-1093.log`, 'generic.error-record, dbt.database-error twice, dbt.compilation-error'],
  [`${REAL}/dbt/case-339acfe1.log`, 'dbt.compilation-error, then python.traceback of the runner that raised it'],
  [`${REAL}/python/ark-funds-tracker-duplicate-holdings-unique-violation-1.log`, 'python.traceback, then postgresql.constraint on its last line'],
  [`${REAL}/node/case-0a3c25e6.log`, 'node.network-error, then node.unhandled-rejection twice'],
  [`${REAL}/prefect/dataflow-ops-prefect-deployment-build-s3-putobject-denied-4.log`, 'python.traceback, then cloud.access-denied'],
];
// Written by us (test/fixtures/failures): shapes the real corpus has fewer of.
const WRITTEN_ONE_FAILURE: Array<[file: string, rulesThatMatch: string]> = [
  [`${WRITTEN}/spark/yarn-container-killed-skewed-join.log`, 'jvm.spark-failure on the lost task, ERROR FileFormatWriter and the final app status'],
  [`${WRITTEN}/spark/pyspark-udf-valueerror.log`, 'jvm.exception, python.traceback, jvm.spark-failure'],
  [`${WRITTEN}/airflow/s3-upload-access-denied.log`, 'cloud.access-denied, airflow.task-retry (UP_FOR_RETRY), the runner\'s "Failed to execute job"'],
  [`${WRITTEN}/airflow/bash-psql-connection-refused.log`, 'postgresql.connection, airflow.task-failed, airflow.task-retry'],
  [`${WRITTEN}/dagster/partition-parquet-missing-upstream.log`, 'dagster.step-failure, dagster.run-failure'],
];
const ONE_FAILURE = [...REAL_ONE_FAILURE, ...WRITTEN_ONE_FAILURE];

let agent: RunningProcess | undefined;
let slack: FakeSlack | undefined;
/** Short-lived CLI processes (the incidents listing), killed if a test fails midway. */
const running: RunningProcess[] = [];
afterEach(async () => {
  agent?.kill('SIGKILL');
  agent = undefined;
  for (const p of running.splice(0)) p.kill('SIGKILL');
  await slack?.close();
  slack = undefined;
});

describe('one failure, one alert', () => {
  it('sentinel diagnose: logs that several rules match give one incident per failure', async () => {
    const reports = await diagnose(ONE_FAILURE.map(([file]) => file));
    for (const [file, rules] of ONE_FAILURE) {
      const found = reports.get(file) ?? [];
      expect(found.map((r) => r.rule), `${file} (${rules})`).toHaveLength(1);
    }
  });

  it('sentinel diagnose: distinct failures of one file stay apart (three dbt models, five dbt tests)', async () => {
    const shopify = `${REAL}/dbt/dbt-shopify-upgrade-unique-key-missing-needs-full-refresh-80.log`;
    const tests = `${REAL}/dbt/case-661dfaa2.log`;
    const reports = await diagnose([shopify, tests]);
    expect(reports.get(shopify)).toHaveLength(3);
    expect(reports.get(tests)).toHaveLength(5);
  });

  it('the agent: real Spark, Airflow and dbt logs, each one failure that several rules match, give one alert each', async () => {
    slack = await startFakeSlack();
    const ws = createWorkspace();
    writeFileSync(
      ws.configFile,
      [
        ...workspaceBaseYaml(ws),
        // Slack's pace is one message a second; a loopback Slack takes them faster.
        'notify:',
        '  slack: { webhook_url: "${SLACK_WEBHOOK_URL}", rate_per_sec: 20 }',
        'brain: { url: embedded }',
        // Room for an alert per log: a storm digest would hide a second incident of one log.
        'incidents:',
        '  storm: { window_secs: 30, max_individual_alerts: 100 }',
        '',
      ].join('\n'),
    );
    agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    const port = await agentPort(agent);
    await waitFor('the agent to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);

    const real = REAL_ONE_FAILURE.filter(([file]) => /\/(spark|airflow|dbt)\//.test(file));
    // Each log is its own pipeline's file, written after the agent started (as a job would).
    const tailed = real.map(([file]) => join(ws.logDir, file.split('/').slice(-2).join('--')));
    let bytes = 0;
    for (const [i, [file]] of real.entries()) {
      const text = readFileSync(file);
      bytes += text.length;
      appendFileSync(tailed[i] as string, text);
    }

    await waitFor('every line read', async () => metricSum(await scrape(port), 'sentinel_log_bytes_total') >= bytes, { timeoutMs: 20_000 });
    await waitFor(`${real.length} alerts in Slack`, () => slack!.messages.length >= real.length, { timeoutMs: 30_000 });
    const metrics = await scrape(port);
    const incidents = await listIncidents<{ file: string; rule: string }>(ws.configFile, running);
    for (const [i, [, rules]] of real.entries()) {
      const file = tailed[i] as string;
      expect(incidents.filter((incident) => incident.file === file).map((incident) => incident.rule), `${file} (${rules})`).toHaveLength(1);
    }
    expect(metricSum(metrics, 'sentinel_incidents_opened_total')).toBe(real.length);
    expect(slack.messages).toHaveLength(real.length);
    // Several rules matched each log: its other records joined the incident of its failure.
    expect(metricSum(metrics, 'sentinel_rule_matches_total')).toBeGreaterThan(real.length);
    expect(metricSum(metrics, 'sentinel_incidents_suppressed_total', 'reason="same_failure"')).toBeGreaterThanOrEqual(real.length);
    expect(metricSum(metrics, 'sentinel_incidents_suppressed_total', 'reason="storm"')).toBe(0);
  });

  it('the agent: a Spark failure that three rules and the operator\'s rule match is one alert with the operator\'s rule and runbook, and takes one storm slot', async () => {
    slack = await startFakeSlack();
    // One alert at once per storm window: the duplicates used to take it, and the operator's own
    // critical rule ended up as a line of a digest without its runbook.
    const ws = createWorkspace(
      '  url: embedded',
      [
        'incidents:',
        '  storm: { window_secs: 30, max_individual_alerts: 1 }',
        'rules:',
        '  - id: revenue-job-aborted',
        '    match: { regex: "Final app status: FAILED" }',
        '    severity: critical',
        '    runbook: https://runbooks.example/revenue-job',
      ].join('\n'),
    );
    agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    const port = await agentPort(agent);
    await waitFor('the agent to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);

    appendFileSync(join(ws.logDir, 'driver.log'), readFileSync(`${WRITTEN}/spark/yarn-container-killed-skewed-join.log`));

    await waitFor('the alert in Slack', () => slack!.messages.length >= 1, { timeoutMs: 15_000 });
    let metrics = '';
    await waitFor('every record matched', async () => {
      metrics = await scrape(port);
      return metricSum(metrics, 'sentinel_incidents_suppressed_total', 'reason="same_failure"') >= 2;
    });
    expect(metricValue(metrics, 'sentinel_incidents_open')).toBe(1);
    expect(metricSum(metrics, 'sentinel_incidents_suppressed_total', 'reason="storm"')).toBe(0);
    const [message] = slack.messages;
    expect(slack.messages).toHaveLength(1);
    const body = JSON.stringify(message?.blocks);
    expect(body).toContain('revenue-job-aborted');
    expect(body).toContain('https://runbooks.example/revenue-job');
    expect(message?.text).toMatch(/^\[CRITICAL\]/);

    // A second, unrelated failure still gets its own alert after the window (it is not folded in).
    const other = join(ws.logDir, 'other.log');
    appendFileSync(other, 'Traceback (most recent call last):\n  File "/srv/etl/load.py", line 3, in <module>\n    load()\nKeyError: \'customer_id\'\n');
    await waitFor('the second incident open', async () => metricValue(await scrape(port), 'sentinel_incidents_open') === 2);
  });
});
