// Discovery at scale (issue 11, finding 5): a tree of N log files in 100 directories under
// `logs/`, with a symlink loop `logs/sub/loop -> ..`, followed by `paths: ["logs/**/*.log"]`.
// Measures, for the real `sentinel run` process: time from spawn to /readyz 200, its peak RSS
// until then, and CPU while idle (no writes) over 10 s afterwards.
// Run: npm run build && node dist/bench/discovery.js [--files 10000] [--no-loop]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({ options: { files: { type: 'string', default: '10000' }, 'no-loop': { type: 'boolean', default: false }, 'idle-secs': { type: 'string', default: '10' } } });
const files = Number(values.files);
const dir = mkdtempSync(join(tmpdir(), 'sentinel-discovery-'));
const logs = join(dir, 'logs');
const perDir = Math.ceil(files / 100);
for (let d = 0; d < 100 && d * perDir < files; d++) {
  const sub = join(logs, 'sub', `d${d}`);
  mkdirSync(sub, { recursive: true });
  for (let f = 0; f < perDir && d * perDir + f < files; f++) writeFileSync(join(sub, `f${f}.log`), '{"level":"info","msg":"started"}\n');
}
if (!values['no-loop']) symlinkSync('..', join(logs, 'sub', 'loop'));
const config = join(dir, 'sentinel.yaml');
writeFileSync(config, [`sources:`, `  - name: etl`, `    paths: ["${logs}/**/*.log"]`, `state_dir: ${join(dir, 'state')}`, 'server:', '  port: 0', '  host: 127.0.0.1', ''].join('\n'));

const bin = fileURLToPath(new URL('../../bin/sentinel.js', import.meta.url));
const started = performance.now();
const child = spawn(process.execPath, [bin, 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SENTINEL_LOG_LEVEL: 'info' } });
let out = '';
child.stdout.on('data', (c: Buffer) => (out += c.toString()));
child.stderr.on('data', (c: Buffer) => (out += c.toString()));

const rssMb = (): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};
const cpuTicks = (): number => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let peak = 0;
let port = 0;
let readyMs = NaN;
const deadline = performance.now() + 120_000;
while (performance.now() < deadline) {
  peak = Math.max(peak, rssMb());
  if (!port) {
    const m = /"port":(\d+)[^\n]*Sentinel agent started/.exec(out);
    if (m) port = Number(m[1]);
  }
  if (port) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) {
        readyMs = performance.now() - started;
        break;
      }
    } catch {
      // not listening yet
    }
  }
  await sleep(50);
}
let idleCpu = NaN;
let watched = '';
if (!Number.isNaN(readyMs)) {
  await sleep(2000); // let start-up work settle
  const t0 = cpuTicks();
  const secs = Number(values['idle-secs']);
  for (let i = 0; i < secs * 10; i++) {
    peak = Math.max(peak, rssMb());
    await sleep(100);
  }
  idleCpu = (cpuTicks() - t0) / secs; // ticks per second = % of one core
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  watched = /sentinel_files_watched\{source="etl"\} (\d+)/.exec(metrics)?.[1] ?? '?';
}
const rssNow = rssMb();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dir, { recursive: true, force: true });
console.log(
  `files=${files} loop=${!values['no-loop']} ready=${Number.isNaN(readyMs) ? 'timeout(120s)' : `${(readyMs / 1000).toFixed(2)}s`} peakRSS=${peak.toFixed(0)}MB rssIdle=${rssNow.toFixed(0)}MB idleCPU=${Number.isNaN(idleCpu) ? '?' : `${idleCpu.toFixed(1)}%`} filesWatched=${watched}`,
);
if (Number.isNaN(readyMs)) console.log(out.slice(-2000));
