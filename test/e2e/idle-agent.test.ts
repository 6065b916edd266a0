// What an idle agent still does, through the real agent (issue 14, "idle is idle"): it keeps no
// timer for checkpoints while nothing changes, reuses the listings of directories watched since
// before they were read (however fresh), and backs its rescans off while nothing moves. None of that
// may cost a line, a new file, a rotation or a checkpoint: each is still taken at once.
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

interface CheckpointFile {
  files: Array<{ path: string; offset: number }>;
}

describe('an idle agent', () => {
  it('checkpoints an append, and reads appends, new files and rotations in directories written just before it started', async () => {
    slack = await startFakeSlack();
    const ws = createWorkspace('  url: embedded', '', { glob: '**/*.log' });
    workspace = ws.dir;
    // Written just before the start: every directory changed within moments of its listing.
    const files = writeLogTree(ws.logDir, 300);
    const { agent, port } = await startReadyAgent(ws.configFile, { SLACK_WEBHOOK_URL: slack.webhookUrl() }, running);
    const checkpoints = join(ws.stateDir, 'checkpoints-etl.json');
    const offsetOf = (path: string): number | undefined => {
      try {
        return (JSON.parse(readFileSync(checkpoints, 'utf8')) as CheckpointFile).files.find((f) => f.path === path)?.offset;
      } catch {
        return undefined; // not written yet, or being replaced
      }
    };
    const first = files[7]!;
    await waitFor('the first checkpoint', () => offsetOf(first) === statSync(first).size, { timeoutMs: 15_000 });

    // An append after the quiet start: read, and checkpointed without a timer running while idle.
    appendFileSync(first, failureLine('load_orders_table'));
    await waitFor('the alert for the append', () => slack!.messages.some((m) => m.raw.includes('load_orders_table')), { timeoutMs: 15_000 }, () => agent.stdout().slice(-800));
    await waitFor('the checkpoint of the append', () => offsetOf(first) === statSync(first).size, { timeoutMs: 15_000 }, () => String(offsetOf(first)));

    // A new file in a directory listed at start-up (its listing reused since): found by its watch.
    const fresh = join(ws.logDir, 'job-001', 'fresh.log');
    writeFileSync(fresh, failureLine('refresh_customer_dim'));
    await waitFor('the alert from a new file', () => slack!.messages.some((m) => m.raw.includes('refresh_customer_dim')), { timeoutMs: 15_000 }, () => agent.stdout().slice(-800));

    // A new directory, and a rotation (renamed away, a new file at the path).
    mkdirSync(join(ws.logDir, 'job-new'));
    appendFileSync(join(ws.logDir, 'job-new', 'late.log'), failureLine('export_invoices'));
    const rotated = files[250]!;
    renameSync(rotated, `${rotated}.1`);
    writeFileSync(rotated, failureLine('aggregate_sessions'));
    await waitFor(
      'the alerts from a new directory and a rotated file',
      () => ['export_invoices', 'aggregate_sessions'].every((step) => slack!.messages.some((m) => m.raw.includes(step))),
      { timeoutMs: 15_000 },
      () => agent.stdout().slice(-800),
    );
    expect(metricValue(await scrape(port), 'sentinel_files_watched{source="etl"}')).toBeGreaterThanOrEqual(302);

    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  }, 90_000);
});
