// Failing line → Slack webhook, in steady state, through the real agent (`buildAgent` with the
// embedded defaults) and a loopback server answering like an Incoming Webhook.
//
//   npm run build && node dist/bench/alert-latency.js [--failures 15] [--no-wait]
//
// Each failure is distinct (its own fingerprint), appended 200 ms after the previous alert landed,
// and nothing follows it: the agent waits `incidents.lines_after.quiet_ms` (default 1 s) of quiet for
// the rest of the failure's report before it diagnoses; --no-wait sets lines_after.max_lines to 0 to
// show the agent without that wait. With the default storm settings, the 4th distinct failure inside
// one 5 s window is held for the digest: that is the storm batching at work, reported apart.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfig } from '../src/config/load-config.js';
import { startBenchAgent } from './agent-harness.js';

const { values } = parseArgs({ options: { failures: { type: 'string', default: '15' }, 'no-wait': { type: 'boolean', default: false } } });
const failures = Number(values.failures);
const defaultLinesAfter = defaultConfig().incidents.lines_after;
const linesAfter = values['no-wait'] ? { ...defaultLinesAfter, max_lines: 0 } : defaultLinesAfter;
const { agent, logDir, arrivals, close } = await startBenchAgent('alert-latency', { lines_after: { ...linesAfter } });
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
// The agent's own count of incidents held for a storm digest (they wait for the window to end).
const held = (await agent.metrics.incidentsSuppressed.get()).values.filter((v) => v.labels.reason === 'storm').reduce((n, v) => n + v.value, 0);
await close();

const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number): string => (sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN).toFixed(1);
console.log(`incidents.lines_after: ${JSON.stringify(linesAfter)}`);
console.log(`failing line → Slack webhook, ${failures} distinct failures: ${latencies.map((ms) => ms.toFixed(1)).join(' ')} ms`);
console.log(`p50 ${pct(50)} ms, max ${pct(100)} ms (the first includes warm-up); held for a storm digest: ${held}`);
