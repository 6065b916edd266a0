// Failing line → Slack webhook, in steady state, through the real agent (`buildAgent` with the
// embedded defaults) and a loopback server answering like an Incoming Webhook.
//
//   npm run build && node dist/bench/alert-latency.js [--failures 15]
//
// Each failure is distinct (its own fingerprint), appended 200 ms after the previous alert landed.
// With the default storm settings, the 4th distinct failure inside one 5 s window is held for the
// digest: that is the storm batching at work, and it is reported apart.
import { createServer } from 'node:http';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfig } from '../src/config/load-config.js';
import { buildAgent } from '../src/agent/agent.js';

const { values } = parseArgs({ options: { failures: { type: 'string', default: '15' } } });
const failures = Number(values.failures);

const arrivals: number[] = [];
const slack = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    arrivals.push(performance.now());
    res.end('ok');
  });
});
await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
const webhook = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T000/B000/bench`;

const dir = mkdtempSync(join(tmpdir(), 'sentinel-alert-latency-'));
mkdirSync(join(dir, 'logs'));
const defaults = defaultConfig({});
const agent = buildAgent({
  ...defaults,
  sources: defaults.sources.slice(0, 1).map((s) => ({ ...s, paths: [join(dir, 'logs', '*.log')] })),
  state_dir: join(dir, 'state'),
  server: { port: 0, host: '127.0.0.1' },
  // rate_per_sec raised so Slack's one-per-second pacing does not hide the agent's own latency.
  notify: { ...defaults.notify, console: false, slack: [{ name: 'bench', webhook_url: webhook, rate_per_sec: 50 }] },
});
await agent.start();
const file = join(dir, 'logs', 'pipeline.log');
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
await agent.stop(2_000);
slack.close();
rmSync(dir, { recursive: true, force: true });

const immediate = latencies.filter((ms) => ms < 1_000).sort((a, b) => a - b);
const held = latencies.filter((ms) => ms >= 1_000);
const pct = (p: number): string => (immediate[Math.min(immediate.length - 1, Math.floor((immediate.length * p) / 100))] ?? NaN).toFixed(1);
console.log(`failing line → Slack webhook, ${failures} distinct failures: ${latencies.map((ms) => ms.toFixed(1)).join(' ')} ms`);
console.log(`announced at once: ${immediate.length}, p50 ${pct(50)} ms, max ${pct(100)} ms (the first includes warm-up)`);
console.log(`held for a storm digest: ${held.length}${held.length ? `, ${held.map((ms) => (ms / 1000).toFixed(2)).join(' ')} s` : ''}`);
