// The shared brain against hostile clients, through the real `sentinel brain` process (issue 11,
// finding 8 and the brain half of 9): a client cannot plant a diagnosis for another's failure by
// reusing its fingerprint, every answer says whether it came from the cache, and clients that
// trickle their headers or body do not keep sockets open.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';

const running: RunningProcess[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

async function startBrain(): Promise<number> {
  const brain = startSentinel(['brain', '--port', '0']);
  running.push(brain);
  return Number((await brain.waitForOutput(/"port":(\d+)[^\n]*Sentinel brain listening/))[1]);
}

interface Answer {
  summary: string;
  rootCause: string;
  category: string;
  cached?: boolean;
}

async function diagnose(port: number, body: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}/diagnose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

const request = (type: string, message: string) => ({
  fingerprint: 'f00dfeedf00dfeed',
  rule: 'step-failed',
  severity: 'error',
  title: 'Step failed',
  text: `Traceback (most recent call last):\n  File "/app/etl/load.py", line 12, in load\n    run()\n${type}: ${message}`,
  error: { type, message, stack: [] },
  context: [],
});

describe('brain service against hostile clients', () => {
  it('a fingerprint reused with another error gets its own diagnosis, and answers say cached: true|false (finding 8)', async () => {
    const port = await startBrain();
    const first = await diagnose(port, request('ZeroDivisionError', 'division by zero'));
    expect(first.cached).toBe(false);

    // Same fingerprint, different failure: must not get the first answer back.
    const other = await diagnose(port, request('PermissionError', "[Errno 13] Permission denied: '/data/out.csv'"));
    expect(other.cached).toBe(false);
    expect(other.category).not.toBe(first.category);
    expect(`${other.summary} ${other.rootCause}`).toMatch(/permission/i);

    // The same failure again (another run, other numbers) is a cache hit.
    const again = await diagnose(port, request('ZeroDivisionError', 'division by zero'));
    expect(again.cached).toBe(true);
    expect(again.summary).toBe(first.summary);
  });

  it('closes sockets that trickle their headers or body', async () => {
    const port = await startBrain();
    const closed: boolean[] = [];
    const open = (prefix: string): void => {
      const i = closed.push(false) - 1;
      const socket = connect(port, '127.0.0.1', () => socket.write(prefix));
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => (closed[i] = true));
      // One byte every 500 ms: never idle long enough for an idle timeout alone to fire.
      const timer = setInterval(() => (socket.writable ? socket.write('a') : clearInterval(timer)), 500);
      socket.on('close', () => clearInterval(timer));
    };
    for (let i = 0; i < 5; i++) open('POST /diagnose HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    for (let i = 0; i < 5; i++) open('POST /diagnose HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"x":"');
    await waitFor('the brain to close every trickling socket', () => closed.every(Boolean), { timeoutMs: 25_000, intervalMs: 200 }, () => `${closed.filter(Boolean).length}/10 closed`);
    // And it still answers.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);
  }, 40_000);
});
