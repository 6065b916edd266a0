// Failing line → Slack webhook, in steady state, through the real agent (`buildAgent` with the
// embedded defaults) and a loopback server answering like an Incoming Webhook.
//
//   npm run build && node dist/bench/alert-latency.js [--failures 15]
//
// Each failure is distinct (its own fingerprint), appended 200 ms after the previous alert landed.
// With the default storm settings, the 4th distinct failure inside one 5 s window is held for the
// digest: that is the storm batching at work, and it is reported apart.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchAgent } from './agent-harness.js';

const { values } = parseArgs({ options: { failures: { type: 'string', default: '15' } } });
const failures = Number(values.failures);

const { logDir, arrivals, close } = await startBenchAgent('alert-latency');
const file = join(logDir, 'pipeline.log');
appendFileSync(file, '');
await new Promise((resolve) => setTimeout(resolve, 500));

const latencies: number[] = [];
for (let i = 0; i < failures; i++) {
  const sentAt = performance.now();
  const record = { level: 'error', pipeline: 'bench', step: `step_${i}`, event: 'step_failed', msg: 'Step failed', error: { type: `Error${i}`, message: `cause number ${i}` } };
  appendFileSync(file, JSON.stringify(record) + '\n');
  while (arrivals.length <= i) await new Promise((resolve) => setTimeout(resolve, 1));
  latencies.push((arrivals[i] ?? NaN) - sentAt);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
await close();

const immediate = latencies.filter((ms) => ms < 1_000).sort((a, b) => a - b);
const held = latencies.filter((ms) => ms >= 1_000);
const pct = (p: number): string => (immediate[Math.min(immediate.length - 1, Math.floor((immediate.length * p) / 100))] ?? NaN).toFixed(1);
console.log(`failing line → Slack webhook, ${failures} distinct failures: ${latencies.map((ms) => ms.toFixed(1)).join(' ')} ms`);
console.log(`announced at once: ${immediate.length}, p50 ${pct(50)} ms, max ${pct(100)} ms (the first includes warm-up)`);
console.log(`held for a storm digest: ${held.length}${held.length ? `, ${held.map((ms) => (ms / 1000).toFixed(2)).join(' ')} s` : ''}`);
