// Issue 15 "one failure, one alert", through the real CLI and the real agent: the records of one
// failure (a stack and its summary line, an adapter's debug line and the error it raises, an Airflow
// attempt's traceback and "Marking task as UP_FOR_RETRY") are one incident whichever rules match
// them, and take one storm slot; distinct failures of one file stay apart.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { REPO_ROOT, startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { agentPort, createWorkspace, metricSum, metricValue, scrape } from '../helpers/agent-workspace.js';
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

// Logs where several rules match the records of a single failure. Real logs (each fixture's .json
// keeps its source_url); the real corpus has no Spark driver log that several rules match, so the
// Spark cases are from the written corpus (test/fixtures/failures/spark).
const ONE_FAILURE: Array<[file: string, rulesThatMatch: string]> = [
  [`${REAL}/airflow/case-feb60fa2.log`, 'postgresql.constraint on the error line and on the traceback that repeats it'],
  [`${REAL}/airflow/telemetry-airflow-broken-dag-keyword-arguments-operators-427.log`, 'airflow.dag-import-error on three adjacent lines'],
  [`${REAL}/dbt/case-339acfe1.log`, 'dbt.compilation-error, then python.traceback of the runner that raised it'],
  [`${REAL}/python/ark-funds-tracker-duplicate-holdings-unique-violation-1.log`, 'python.traceback, then postgresql.constraint on its last line'],
  [`${REAL}/node/case-0a3c25e6.log`, 'node.network-error, then node.unhandled-rejection twice'],
  [`${REAL}/prefect/dataflow-ops-prefect-deployment-build-s3-putobject-denied-4.log`, 'python.traceback, then cloud.access-denied'],
  [`${WRITTEN}/spark/yarn-container-killed-skewed-join.log`, 'jvm.spark-failure on the lost task, ERROR FileFormatWriter and the final app status'],
  [`${WRITTEN}/spark/pyspark-udf-valueerror.log`, 'jvm.exception, python.traceback, jvm.spark-failure'],
  [`${WRITTEN}/airflow/s3-upload-access-denied.log`, 'cloud.access-denied, airflow.task-retry (UP_FOR_RETRY), the runner\'s "Failed to execute job"'],
  [`${WRITTEN}/airflow/bash-psql-connection-refused.log`, 'postgresql.connection, airflow.task-failed, airflow.task-retry'],
  [`${WRITTEN}/dagster/partition-parquet-missing-upstream.log`, 'dagster.step-failure, dagster.run-failure'],
];

let agent: RunningProcess | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  agent?.kill('SIGKILL');
  agent = undefined;
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
