// Issue 13's Alertmanager promise through real processes: three agents (three pods of one pipeline)
// hit the same failure and post it to both peers of an HA pair of real Alertmanagers gossiping on
// loopback. Alertmanager holds one alert (identical labels) and its receiver gets one notification.
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createWorkspace, startReadyAgent, workspaceBaseYaml, type Workspace } from '../helpers/agent-workspace.js';
import { startAlertmanagers, type AlertmanagerCluster } from '../helpers/alertmanager.js';
import type { RunningProcess } from '../helpers/sentinel-process.js';
import { stepFailedLine } from '../helpers/step-failed-line.js';
import { waitFor } from '../helpers/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const AGENTS = 3;
const running: RunningProcess[] = [];
const workspaces: Workspace[] = [];
let receiver: WebhookReceiver | undefined;
let cluster: AlertmanagerCluster | undefined;

afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  await cluster?.stop();
  await receiver?.close();
  for (const ws of workspaces) rmSync(ws.dir, { recursive: true, force: true });
});

describe('three agents, an HA pair of Alertmanagers', () => {
  it('one failure seen by three agents is one alert in Alertmanager and one notification', async () => {
    receiver = await startWebhookReceiver();
    cluster = await startAlertmanagers(2, receiver.url('/alertmanager'));
    for (let n = 0; n < AGENTS; n++) {
      const ws = createWorkspace();
      workspaces.push(ws);
      writeFileSync(
        ws.configFile,
        [
          ...workspaceBaseYaml(ws),
          'rules:',
          '  - { id: step-failed, match: { regex: "failed" }, severity: critical, labels: { team: data } }',
          'notify:',
          '  alertmanager:',
          `    urls: [${cluster.urls.map((u) => `"${u}"`).join(', ')}]`,
          '  max_retry_delay_ms: 300',
          'brain: { url: embedded }',
          `fleet: { member: "etl-pod-${n}" }`,
          '',
        ].join('\n'),
      );
      writeFileSync(ws.logFile, '');
    }
    await Promise.all(workspaces.map((ws) => startReadyAgent(ws.configFile, {}, running)));
    // The same failure on every pod (each its own log file, run and path).
    for (const ws of workspaces) appendFileSync(ws.logFile, stepFailedLine('load_orders'));

    const peers = cluster.peers;
    const received = (): Promise<number[]> => Promise.all(peers.map((p) => p.metric('alertmanager_alerts_received_total{status="firing",version="v2"}')));
    // Every agent posted to every peer.
    await waitFor('3 posts at each peer', async () => (await received()).every((n) => n >= AGENTS), { timeoutMs: 20_000 }, () => JSON.stringify(running.map((r) => r.stdout().slice(-300))));
    for (const peer of peers) {
      const alerts = await peer.alerts();
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.labels).toMatchObject({ alertname: 'step-failed', severity: 'critical', pipeline: 'nightly_etl', step: 'load_orders', team: 'data' });
    }
    await waitFor('the notification', () => receiver!.accepted().length >= 1, { timeoutMs: 20_000 }, () => JSON.stringify(receiver!.requests.map((r) => r.status)));
    // Both peers ran the group through their notification log before we count: the second peer
    // only decides after its peer timeout (2 s here), and dedup is what this test is about.
    const notified = (): Promise<number[]> => Promise.all(peers.map((p) => p.metric('alertmanager_notifications_total{integration="webhook"}')));
    const nflogQueries = (): Promise<number[]> => Promise.all(peers.map((p) => p.metric('alertmanager_nflog_queries_total')));
    await waitFor('both peers past their dedup stage', async () => (await nflogQueries()).every((n) => n >= 1), { timeoutMs: 20_000 }, () => 'nflog queries not yet on both peers');
    expect((await notified()).reduce((a, b) => a + b, 0)).toBe(1);
    const bodies = receiver.accepted();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ status: 'firing', alerts: [{ labels: { alertname: 'step-failed', step: 'load_orders' } }] });
    expect((bodies[0]!.alerts as unknown[]).length).toBe(1);
    // Each agent named itself by its configured member (Alertmanager keeps one of the three posts).
    const annotations = (bodies[0]!.alerts as Array<{ annotations: Record<string, string> }>)[0]!.annotations;
    expect(annotations.agent).toMatch(/^etl-pod-[0-2]$/);
  }, 90_000);
});
