// Replicas of the shared brain (`sentinel brain`) for fleet tests and the fleet benchmark: each its
// own process, port and state_dir, all on one Redis and one Gemini stand-in.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSentinel, type RunningProcess } from './sentinel-process.js';

export interface BrainReplica {
  port: number;
  process: RunningProcess;
}

export interface BrainFleetOptions {
  replicas: number;
  redisUrl: string;
  geminiUrl: string;
  keyPrefix: string;
  dailyCallBudget?: number;
}

export async function startBrainReplicas(options: BrainFleetOptions, running: RunningProcess[]): Promise<BrainReplica[]> {
  return Promise.all(
    Array.from({ length: options.replicas }, async (_x, n) => {
      const dir = mkdtempSync(join(tmpdir(), `sentinel-brain-${n}-`));
      const configFile = join(dir, 'sentinel.yaml');
      writeFileSync(
        configFile,
        [
          `state_dir: ${join(dir, 'state')}`,
          'brain:',
          '  timeout_ms: 8000',
          '  gemini:',
          '    api_key: fake-key-for-tests',
          `    base_url: ${options.geminiUrl}`,
          `    daily_call_budget: ${options.dailyCallBudget ?? 500}`,
          'fleet:',
          '  redis_url: ${REDIS_URL}',
          `  member: brain-${n}`,
          `  key_prefix: "${options.keyPrefix}"`,
          // Above the 250 ms default: a saturated test machine must not turn a slow answer into "decide alone".
          '  timeout_ms: 2000',
          '',
        ].join('\n'),
      );
      const process = startSentinel(['brain', '--config', configFile, '--port', '0'], { env: { REDIS_URL: options.redisUrl } });
      running.push(process);
      const port = Number((await process.waitForOutput(/"port":(\d+)[^\n]*Sentinel brain listening/, 60_000))[1]);
      return { port, process };
    }),
  );
}

export async function askBrain(port: number, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}/diagnose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`brain on ${port} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** The same failure as one pod of a fleet reports it: its own pod name, run id and temp dir in the text. */
export function podRequest(n: number, failure = 'orders'): Record<string, unknown> {
  const pods = ['x7k2p', 'b4wz9', 'q2x7z', 'm9n8v', 'z2z4k', 'p5r6s', 'k8j7h', 'w2v4t'];
  const pod = `etl-load-7d9f8b6c5d-${pods[n % pods.length]}`;
  const message = `cannot write /tmp/tmp${n}k3j/part-${n}.parquet for ${failure} on ${pod} (run_id=manual-${n})`;
  return {
    fingerprint: `fp-${failure}`,
    rule: 'step-failed',
    severity: 'error',
    title: `load_${failure} failed`,
    pipeline: 'nightly_etl',
    step: `load_${failure}`,
    text: `Traceback (most recent call last):\n  File "/app/etl/load.py", line 12, in load\n    write()\nOSError: ${message}`,
    error: { type: 'OSError', message, stack: [{ file: '/app/etl/load.py', line: 12, function: 'load' }] },
    context: [`{"level":"info","pod":"${pod}","run_id":"manual-${n}","msg":"writing ${failure}"}`],
  };
}
