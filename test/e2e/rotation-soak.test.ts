// Issue 16's soak: two busy logs, one rotated by rename (logrotate `create`) and one by
// `copytruncate`, 48,000 lines with 24 distinct error lines among them, and the agent SIGKILLed
// twice (once right after a rotation) and restarted on the same state_dir. Every error line must be
// named in Slack. (copytruncate loses what is written between its copy and its truncate, as
// logrotate(8) says; the writer here pauses while logrotate runs, as a real rotation window is short.)
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import type { RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { createWorkspace, startReadyAgent } from '../helpers/agent-workspace.js';

const run = promisify(execFile);
const LOGROTATE = '/usr/sbin/logrotate';
const TOTAL_LINES = 48_000;
const ERRORS = 24;
const CHUNK = 1_000;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

const running: RunningProcess[] = [];
let slack: FakeSlack | undefined;
afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  await slack?.close();
});

function infoLine(n: number): string {
  return JSON.stringify({ ts: new Date().toISOString(), level: 'info', pipeline: 'soak', step: 'copy_rows', msg: `copied batch ${n}`, rows: n * 7 });
}

function errorLine(k: number): string {
  const step = `load_${LETTERS[k % 26]}${LETTERS[Math.floor(k / 26)]}_rows`;
  return JSON.stringify({ ts: new Date().toISOString(), level: 'error', pipeline: 'soak', step, event: 'step_failed', msg: `Execution of step "${step}" failed.`, error: { type: 'ValueError', message: `bad rows in ${step}` } });
}

async function logrotate(dir: string, file: string, mode: 'create' | 'copytruncate'): Promise<void> {
  if (!existsSync(LOGROTATE)) throw new Error(`${LOGROTATE} is not installed: this test needs the real logrotate (apt-get install logrotate).`);
  const conf = join(dir, `logrotate-${mode}.conf`);
  writeFileSync(conf, `${file} {\n  rotate 10\n  ${mode}\n  missingok\n  nocompress\n}\n`, { mode: 0o644 });
  await run(LOGROTATE, ['-f', '-s', join(dir, 'logrotate.state'), conf]);
}

describe('rotation and SIGKILL soak', () => {
  it('loses none of 24 error lines among 48,000 across rename and copytruncate rotations and 2 SIGKILLs', async () => {
    slack = await startFakeSlack();
    // Windows that stay at 5 s: this test is about lines lost, not about how long a long storm's digests wait.
    const ws = createWorkspace('  url: embedded', 'incidents:\n  storm: { max_window_secs: 5 }');
    const files = { create: join(ws.logDir, 'rename.log'), copytruncate: join(ws.logDir, 'copy.log') } as const;
    // The globs name only *.log: the rotated copies (rename.log.1, copy.log.1) are found by the agent itself.
    writeFileSync(files.create, '');
    writeFileSync(files.copytruncate, '');
    const env = { SLACK_WEBHOOK_URL: slack.webhookUrl() };
    const start = async (): Promise<RunningProcess> => (await startReadyAgent(ws.configFile, env, running)).agent;
    let agent = await start();
    await waitFor('the first checkpoint', () => existsSync(join(ws.stateDir, 'checkpoints-etl.json')));

    const errorsAt = new Set(Array.from({ length: ERRORS }, (_, k) => Math.floor(((k + 0.5) * TOTAL_LINES) / ERRORS)));
    const steps: string[] = [];
    let k = 0;
    for (let written = 0; written < TOTAL_LINES; written += CHUNK) {
      const target = (written / CHUNK) % 2 === 0 ? files.create : files.copytruncate;
      const lines: string[] = [];
      for (let n = written; n < written + CHUNK; n++) {
        if (errorsAt.has(n)) {
          const line = errorLine(k);
          steps.push((JSON.parse(line) as { step: string }).step);
          lines.push(line);
          k++;
        } else lines.push(infoLine(n));
      }
      appendFileSync(target, lines.join('\n') + '\n');
      // Rotate each file every 8,000 lines; SIGKILL right after the rotations at 16,000 and 32,000.
      const done = written + CHUNK;
      if (done % 8_000 === 0) {
        await logrotate(ws.dir, files.create, 'create');
        await logrotate(ws.dir, files.copytruncate, 'copytruncate');
        if (done === 16_000 || done === 32_000) {
          agent.kill('SIGKILL');
          await agent.exited;
          agent = await start();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(steps).toHaveLength(ERRORS);
    const missing = (): string[] => steps.filter((s) => !slack!.messages.some((m) => m.raw.includes(s)));
    await waitFor('every error line named in Slack', () => missing().length === 0, { timeoutMs: 45_000, intervalMs: 200 }, () => `missing ${missing().join(', ')} (log files and state_dir left in ${ws.dir})`);
    const mentions = steps.map((s) => slack!.messages.filter((m) => m.raw.includes(s)).length);
    console.log(`soak: ${TOTAL_LINES} lines, ${ERRORS} error lines, 2 SIGKILLs, 12 rotations: 0 lost, ${mentions.reduce((a, b) => a + b, 0) - ERRORS} extra mentions, ${slack.messages.length} Slack messages`);
    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  }, 120_000);
});
