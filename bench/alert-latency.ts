// Failing line → Slack webhook, in steady state, through the real agent (`buildAgent` with the
// embedded defaults) and a loopback server answering like an Incoming Webhook.
//
//   npm run build && node dist/bench/alert-latency.js [--failures 15] [--no-wait] [--traceback] [--spacing-ms 200]
//
// Each failure is distinct (its own fingerprint), appended --spacing-ms after the previous alert
// landed, and nothing follows it. A bare failure record does not explain itself, so the agent waits
// `incidents.lines_after.quiet_ms` (default 1 s) of quiet for the rest of the failure's report before
// it diagnoses; --traceback gives each record its whole traceback (the agent then does not wait:
// issue 16's "10 distinct failures 1.2 s apart" is `--failures 10 --traceback --spacing-ms 1200`);
// --no-wait sets lines_after.max_lines to 0. With the default storm settings, failures faster than
// Slack's one message a second beyond a burst of 3 are held for a digest, reported apart.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../src/config/defaults.js';
import { startBenchAgent } from './agent-harness.js';

const { values } = parseArgs({
  options: { failures: { type: 'string', default: '15' }, 'no-wait': { type: 'boolean', default: false }, traceback: { type: 'boolean', default: false }, 'spacing-ms': { type: 'string', default: '200' } },
});
const spacingMs = Number(values['spacing-ms']);
const failures = Number(values.failures);
const linesAfter = values['no-wait'] ? { ...DEFAULTS.incidents.lines_after, max_lines: 0 } : DEFAULTS.incidents.lines_after;
const { agent, logDir, arrivals, close } = await startBenchAgent('alert-latency', { lines_after: { ...linesAfter } });
const file = join(logDir, 'pipeline.log');
appendFileSync(file, '');
await new Promise((resolve) => setTimeout(resolve, 500));

const latencies: number[] = [];
for (let i = 0; i < failures; i++) {
  const sentAt = performance.now();
  const step = `step_${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`;
  const error = values.traceback
    ? { type: 'KeyError', message: `'${step}_id'`, stack: `Traceback (most recent call last):\n  File "/app/steps/${step}.py", line 41, in run\n    key = row["${step}_id"]\nKeyError: '${step}_id'` }
    : { type: `Error${i}`, message: `cause number ${i}` };
  const record = { level: 'error', pipeline: 'bench', step, event: 'step_failed', msg: 'Step failed', error };
  appendFileSync(file, JSON.stringify(record) + '\n');
  while (arrivals.length <= i) await new Promise((resolve) => setTimeout(resolve, 1));
  latencies.push((arrivals[i] ?? NaN) - sentAt);
  await new Promise((resolve) => setTimeout(resolve, spacingMs));
}
// The agent's own count of incidents held for a storm digest (they wait for the window to end).
const held = (await agent.metrics.incidentsSuppressed.get()).values.filter((v) => v.labels.reason === 'storm').reduce((n, v) => n + v.value, 0);
await close();

const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number): string => (sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN).toFixed(1);
console.log(`incidents.lines_after: ${JSON.stringify(linesAfter)}`);
console.log(`failing line → Slack webhook, ${failures} distinct failures: ${latencies.map((ms) => ms.toFixed(1)).join(' ')} ms`);
console.log(`p50 ${pct(50)} ms, max ${pct(100)} ms (the first includes warm-up); held for a storm digest: ${held}`);
