// Soak: the real agent under a steady write load, sampling its memory, to show it stays flat.
//
//   npm run build && node dist/bench/soak.js [--seconds 60] [--lines-per-sec 20000] [--causes 500]
//
// A writer (this process) appends JSON-lines records to four files; one in 1,000 is a failure, its
// cause drawn from `--causes` distinct ones, so incidents open, repeat, and (with a short resolve
// period) resolve and are forgotten. Every 5 s the agent's RSS and heap are printed. The agent runs
// in-process with the embedded defaults, a console-less notifier and a loopback webhook.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchAgent } from './agent-harness.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    'lines-per-sec': { type: 'string', default: '20000' },
    causes: { type: 'string', default: '500' },
  },
});
const seconds = Number(values.seconds);
const linesPerSec = Number(values['lines-per-sec']);
const causes = Number(values.causes);

const { agent, logDir, arrivals, close } = await startBenchAgent('soak', { resolve_after_secs: 10 });
const files = [0, 1, 2, 3].map((i) => join(logDir, `job-${i}.log`));

function record(n: number): string {
  if (n % 1000 !== 999) {
    return JSON.stringify({ ts: new Date().toISOString(), level: 'info', pipeline: 'soak', step: `step_${n % 7}`, event: 'batch_done', msg: `processed batch ${n}`, rows: n % 5000 });
  }
  const cause = Math.floor(Math.random() * causes);
  return JSON.stringify({
    ts: new Date().toISOString(),
    level: 'error',
    pipeline: 'soak',
    step: `step_${cause % 7}`,
    event: 'step_failed',
    msg: 'Step failed',
    error: { type: `Cause${cause}Error`, message: `cause ${cause} happened` },
  });
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1).padStart(7);
console.log(`soak: ${seconds} s at ${linesPerSec} lines/s over ${files.length} files, ${causes} distinct failure causes`);
console.log('   t(s)     lines   RSS(MB)  heap(MB)  open incidents  posted');
let n = 0;
const started = Date.now();
const samples: number[] = [];
for (let tick = 1; tick <= seconds * 10; tick++) {
  // 100 ms of lines, spread over the files.
  const batch = Math.round(linesPerSec / 10);
  for (const [i, file] of files.entries()) {
    const lines: string[] = [];
    for (let k = i; k < batch; k += files.length) lines.push(record(n++));
    appendFileSync(file, lines.join('\n') + '\n');
  }
  const wait = started + tick * 100 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  if (tick % 50 === 0) {
    const { rss, heapUsed } = process.memoryUsage();
    samples.push(rss);
    const open = (await agent.metrics.incidentsOpen.get()).values[0]?.value ?? 0;
    console.log(`${String(tick / 10).padStart(7)} ${String(n).padStart(9)}  ${mb(rss)}  ${mb(heapUsed)}  ${String(open).padStart(14)}  ${String(arrivals.length).padStart(6)}`);
  }
}
await close();
const firstHalf = samples.slice(1, Math.ceil(samples.length / 2));
const secondHalf = samples.slice(Math.ceil(samples.length / 2));
const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
console.log(`RSS mean, first half (after warm-up) ${mb(avg(firstHalf))} MB, second half ${mb(avg(secondHalf))} MB`);
