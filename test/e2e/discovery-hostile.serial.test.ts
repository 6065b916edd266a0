// Issue 11, finding 5, through the real agent: `logs/**/*.log` over 10,000 files with a symlink
// loop (`logs/sub/loop -> ..`) used to take 104 s to be ready, grow past 2.9 GB and ignore SIGTERM.
// A `.serial` file: its limits are about time and memory, so it runs alone after the suite.
import { appendFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { writeLogTree } from '../../bench/log-tree.js';
import { statusMb } from '../../bench/process-stats.js';
import { agentPort, createWorkspace, metricValue, scrape } from '../helpers/agent-workspace.js';
import { failureLine } from '../helpers/distinct-failures.js';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';

let agent: RunningProcess | undefined;
let slack: FakeSlack | undefined;
let workspace: string | undefined;
afterEach(async () => {
  agent?.kill('SIGKILL');
  await slack?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('discovery over a hostile tree', () => {
  it('10,000 files and a symlink loop: ready in under 10 s, under 250 MB, an appended failure alerts, SIGTERM exits within 5 s', async () => {
    slack = await startFakeSlack();
    const ws = createWorkspace('  url: embedded', '', { glob: '**/*.log' });
    workspace = ws.dir;
    const files = writeLogTree(ws.logDir, 10_000, { symlinkLoop: true });

    const started = Date.now();
    const running = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl() } });
    agent = running;
    const port = await agentPort(running);
    await waitFor('the agent to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, { timeoutMs: 30_000, intervalMs: 50 }, () => running.stdout().slice(-500));
    const readyMs = Date.now() - started;

    // Each file once: the loop names every file again under logs/sub/loop/…, and must not count.
    expect(metricValue(await scrape(port), 'sentinel_files_watched{source="etl"}')).toBe(10_000);

    appendFileSync(files[7_777]!, failureLine('load_orders_table'));
    await waitFor('the alert for the appended failure', () => slack!.messages.some((m) => m.raw.includes('load_orders_table')), { timeoutMs: 15_000 }, () => running.stdout().slice(-800));
    // Peak resident memory (VmHWM in /proc/<pid>/status).
    const peakMb = statusMb(running.child.pid!, 'VmHWM');

    const stopping = Date.now();
    running.kill('SIGTERM');
    const exit = await running.exited;
    const stopMs = Date.now() - stopping;
    console.log(`discovery tree: 10,000 files + symlink loop: ready ${readyMs} ms, peak RSS ${peakMb.toFixed(0)} MB, SIGTERM to exit ${stopMs} ms`);
    expect(exit.code).toBe(0);
    expect(readyMs).toBeLessThan(10_000);
    expect(peakMb).toBeLessThan(250);
    expect(stopMs).toBeLessThan(5_000);
  }, 90_000);
});
