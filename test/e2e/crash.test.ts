// Issue 16's crash test: bursts of distinct failures, the agent SIGKILLed at a different moment in
// each (during the burst, inside the digest window, mid-delivery, mid-checkpoint), restarted on the
// same state_dir. Every distinct failure must be named in Slack at least once; duplicates are
// counted and must stay bounded.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import type { RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { createWorkspace, startReadyAgent, workspaceBaseYaml } from '../helpers/agent-workspace.js';

const TRIALS = 12;
const PER_BURST = 8;
const LINE_GAP_MS = 175;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Step names without digits, so no two normalise to one fingerprint. */
function stepName(trial: number, k: number): string {
  return `load_${LETTERS[trial % 26]}${LETTERS[Math.floor(trial / 26)]}_${LETTERS[k]}x`;
}

function failureLine(step: string): string {
  const type = `${step.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase())}Error`;
  return (
    JSON.stringify({
      ts: new Date().toISOString(),
      level: 'error',
      pipeline: 'crash_etl',
      run_id: 'run-a',
      step,
      event: 'step_failed',
      msg: `Execution of step "${step}" failed.`,
      error: { type, message: `upstream table of ${step} unavailable` },
    }) + '\n'
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const running: RunningProcess[] = [];
let slack: FakeSlack | undefined;
afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  await slack?.close();
});

describe('SIGKILL during incident storms', () => {
  it(`names every distinct failure in Slack over ${TRIALS} kills at different moments`, async () => {
    slack = await startFakeSlack();
    const ws = createWorkspace();
    writeFileSync(
      ws.configFile,
      [
        ...workspaceBaseYaml(ws),
        'notify:',
        '  slack: { webhook_url: "${SLACK_WEBHOOK_URL}", rate_per_sec: 4 }',
        '  max_retry_delay_ms: 500',
        'brain: { url: embedded }',
        'incidents:',
        '  storm: { window_secs: 1, max_individual_alerts: 2, max_window_secs: 2 }',
        '',
      ].join('\n'),
    );
    writeFileSync(ws.logFile, '');
    const env = { SLACK_WEBHOOK_URL: slack.webhookUrl() };
    const start = async (): Promise<RunningProcess> => (await startReadyAgent(ws.configFile, env, running)).agent;

    let agent = await start();
    // The file is known to the checkpoints before the first kill (a file never checkpointed is new: start_at applies).
    await waitFor('the first checkpoint', () => existsSync(join(ws.stateDir, 'checkpoints-etl.json')));
    const steps: string[] = [];
    const killedAt: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      // From 0.1 s into the burst (mid-burst) to ~3.4 s (digest window, delivery, checkpoint), spread.
      const killAfterMs = 100 + Math.round((trial * 3300) / (TRIALS - 1));
      killedAt.push(killAfterMs);
      const began = Date.now();
      const killer = (async () => {
        await sleep(killAfterMs);
        agent.kill('SIGKILL');
        await agent.exited;
      })();
      for (let k = 0; k < PER_BURST; k++) {
        const step = stepName(trial, k);
        steps.push(step);
        appendFileSync(ws.logFile, failureLine(step));
        await sleep(LINE_GAP_MS);
      }
      await killer;
      expect(Date.now() - began).toBeGreaterThanOrEqual(killAfterMs);
      agent = await start();
    }

    const named = (step: string): number => slack!.messages.filter((m) => m.raw.includes(step)).length;
    const missing = (): string[] => steps.filter((s) => named(s) === 0);
    await waitFor('every failure named in Slack', () => missing().length === 0, { timeoutMs: 30_000, intervalMs: 200 }, () => `missing ${missing().join(', ')}`);
    const duplicates = steps.reduce((n, s) => n + Math.max(0, named(s) - 1), 0);
    const repeatedKeys = slack.messages.length - new Set(slack.messages.map((m) => /sentinel alert ([^)\s]+)\)/.exec(m.text ?? '')?.[1] ?? m.raw)).size;
    console.log(
      `crash test: ${TRIALS} SIGKILLs (at ${killedAt.join(', ')} ms into the bursts), ${steps.length} distinct failures, ` +
        `0 lost, ${duplicates} extra mentions, ${repeatedKeys} messages with a repeated key, ${slack.messages.length} Slack messages`,
    );
    expect(missing()).toEqual([]);
    // Bounded: at most one repeat per failure on average (a kill replays what was in flight).
    expect(duplicates).toBeLessThanOrEqual(steps.length);
    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  }, 120_000);
});
