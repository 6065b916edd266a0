// sources[].max_files through the real agent: more matching files than allowed are left alone with
// one SENTINEL_ERR_TOO_MANY_FILES warning and a gauge, and the files followed still alert.
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeLogTree } from '../../bench/log-tree.js';
import { createWorkspace, metricValue, scrape, startReadyAgent } from '../helpers/agent-workspace.js';
import { failureLine } from '../helpers/distinct-failures.js';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import type { RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';

const running: RunningProcess[] = [];
let slack: FakeSlack | undefined;
let workspace: string | undefined;
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  await slack?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('max_files', () => {
  it('follows at most max_files, warns once with SENTINEL_ERR_TOO_MANY_FILES, and the followed files still alert', async () => {
    slack = await startFakeSlack();
    const ws = createWorkspace('  url: embedded', '', { glob: '**/*.log', extra: '    max_files: 5' });
    workspace = ws.dir;
    writeLogTree(ws.logDir, 12);
    const { agent, port } = await startReadyAgent(ws.configFile, { SLACK_WEBHOOK_URL: slack.webhookUrl() }, running);

    const warnings = (): number => agent.stdout().split('\n').filter((l) => l.includes('"code":"SENTINEL_ERR_TOO_MANY_FILES"')).length;
    let metrics = await scrape(port);
    expect(metricValue(metrics, 'sentinel_files_watched{source="etl"}')).toBe(5);
    expect(metricValue(metrics, 'sentinel_files_not_followed{source="etl"}')).toBe(7);
    expect(warnings()).toBe(1);
    expect(agent.stdout()).toMatch(/"maxFiles":5,"notFollowed":7/);

    // A newer file than any followed one: still left alone (nothing followed is dropped for it),
    // counted, and not warned about again.
    writeFileSync(join(ws.logDir, 'job-000', 'late.log'), '');
    await waitFor('the new file counted as not followed', async () => metricValue(await scrape(port), 'sentinel_files_not_followed{source="etl"}') === 8);
    metrics = await scrape(port);
    expect(metricValue(metrics, 'sentinel_files_watched{source="etl"}')).toBe(5);
    expect(warnings()).toBe(1);

    // The files followed are the ones the agent says it follows; a failure in one of them alerts.
    const followed = [...agent.stdout().matchAll(/"file":"([^"]+)"[^\n]*"msg":"Following file\."/g)].map((m) => m[1]!);
    expect(followed).toHaveLength(5);
    appendFileSync(followed[0]!, failureLine('load_orders_table'));
    await waitFor('the alert from a followed file', () => slack!.messages.some((m) => m.raw.includes('load_orders_table')), { timeoutMs: 15_000 }, () => agent.stdout().slice(-800));

    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  }, 60_000);
});
