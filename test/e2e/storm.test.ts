// Issue 7's measure through the real agent: 10,000 error lines of 100 distinct causes across 50 files
// within a few seconds. Every occurrence counted, exactly 100 incidents, a handful of Slack messages.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { agentPort, createWorkspace, metricSum, metricValue, scrape } from '../helpers/agent-workspace.js';

const TABLES = ['orders', 'customers', 'invoices', 'payments', 'shipments', 'refunds', 'products', 'stores', 'vendors', 'returns'];
const COLUMNS = ['amount', 'currency', 'region', 'status', 'owner', 'channel', 'segment', 'tier', 'country', 'created'];
const CAUSES = TABLES.flatMap((table) => COLUMNS.map((column) => ({ table, column })));
const FILES = 50;
const LINES = 10_000;

function errorLine(i: number): string {
  const { table, column } = CAUSES[i % CAUSES.length]!;
  return JSON.stringify({
    ts: new Date().toISOString(),
    level: 'error',
    pipeline: 'warehouse_sync',
    run_id: `run-${i}`,
    step: `sync_${table}`,
    event: 'step_failed',
    msg: `Execution of step "sync_${table}" failed.`,
    error: { type: 'KeyError', message: `column '${column}' missing from ${table} batch ${i}` },
  });
}

let agent: RunningProcess | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  agent?.kill('SIGKILL');
  await slack?.close();
});

describe('an incident storm through the real agent', () => {
  it('counts 10,000 occurrences into exactly 100 incidents and sends a bounded number of alerts', async () => {
    slack = await startFakeSlack();
    const ws = createWorkspace('  url: embedded', 'incidents:\n  storm: { window_secs: 3, max_individual_alerts: 1 }');
    agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    const port = await agentPort(agent);
    await waitFor('the agent to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);

    // Ten waves, each appending 20 lines to every one of the 50 files.
    const perWave = LINES / FILES / 10;
    let written = 0;
    for (let wave = 0; wave < 10; wave++) {
      for (let f = 0; f < FILES; f++) {
        const lines = Array.from({ length: perWave }, () => errorLine(written++));
        appendFileSync(join(ws.logDir, `job-${f}.log`), lines.join('\n') + '\n');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(written).toBe(LINES);

    let last = '';
    const metrics = await waitFor(
      'every occurrence matched and 100 incidents open',
      async () => {
        last = await scrape(port);
        return metricSum(last, 'sentinel_rule_matches_total') === LINES && metricValue(last, 'sentinel_incidents_open') === 100 ? last : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
      () => `matches=${metricSum(last, 'sentinel_rule_matches_total')} open=${metricValue(last, 'sentinel_incidents_open')}`,
    );
    expect(metricSum(metrics, 'sentinel_incidents_opened_total')).toBe(100);
    expect(metricSum(metrics, 'sentinel_log_lines_total')).toBe(LINES);

    // The first incident went out at once; the rest arrive as digests when the storm window closes.
    await waitFor('the digest', async () => metricSum(await scrape(port), 'sentinel_digest_alerts_total') >= 1, { timeoutMs: 15_000, intervalMs: 200 });
    // The digest is journaled, then handed to the notifier: wait for Slack to have it.
    await waitFor('the digest in Slack', () => slack!.messages.some((m) => /Incident storm/.test(m.text ?? '')), { timeoutMs: 15_000, intervalMs: 100 });
    await waitFor('the outbox to drain', async () => metricSum(await scrape(port), 'sentinel_outbox_depth') === 0, { timeoutMs: 15_000, intervalMs: 200 });
    console.log(`storm: ${LINES} lines → 100 incidents → ${slack.messages.length} Slack messages`);
    expect(slack.messages.length).toBeGreaterThanOrEqual(2);
    expect(slack.messages.length).toBeLessThanOrEqual(10);
    // Nothing lost: the digests together account for every incident but the first.
    const digestTotal = slack.messages
      .map((m) => /(\d+) (?:new )?incidents/i.exec(m.text ?? '')?.[1])
      .filter((n): n is string => n !== undefined)
      .reduce((sum, n) => sum + Number(n), 0);
    expect(digestTotal).toBe(99);
  }, 60_000);
});
