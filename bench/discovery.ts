// `npm run bench:discovery`: what following many files costs the real agent (issue 11 finding 5,
// issue 14 item 3). Fresh agents on `<tmp>/logs/**/*.log` over 1 file, 10,000 files, and 10,000
// files with a symlink loop (`logs/sub/loop -> ..`): time from spawn to /readyz 200, peak RSS
// (VmHWM), CPU (utime + stime from /proc) over 10 s idle after 5 s to settle, SIGTERM to exit.
// Medians of RUNS fresh processes:  node dist/bench/discovery.js [--runs 3] [--files 10000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeLogTree } from './log-tree.js';
import { cpuSeconds, freePort, statusMb } from './process-stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, files: { type: 'string', default: '10000' } } });
const runs = Number(values.runs);
const many = Number(values.files);
const CLI = fileURLToPath(new URL('../../bin/sentinel.js', import.meta.url));
const SETTLE_MS = 5_000;
const IDLE_MS = 10_000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Run {
  readyMs: number;
  peakMb: number;
  idleCpuS: number;
  stopMs: number;
}

async function agentRun(files: number, symlinkLoop: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-discovery-'));
  const port = await freePort();
  const logDir = join(dir, 'logs');
  writeLogTree(logDir, files, { symlinkLoop });
  writeFileSync(
    join(dir, 'sentinel.yaml'),
    `sources:\n  - name: bench\n    paths: ["${logDir}/**/*.log"]\nstate_dir: ${dir}/state\nserver:\n  port: ${port}\n  host: 127.0.0.1\n`,
  );
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'run', '--config', join(dir, 'sentinel.yaml')], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode} before it was ready`);
      if (performance.now() - started > 120_000) throw new Error('agent not ready after 120 s');
      if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break;
      await sleep(20);
    }
    const readyMs = performance.now() - started;
    const pid = child.pid ?? 0;
    await sleep(SETTLE_MS);
    const cpuBefore = cpuSeconds(pid);
    await sleep(IDLE_MS);
    const idleCpuS = cpuSeconds(pid) - cpuBefore;
    const peakMb = statusMb(pid, 'VmHWM');
    const stopping = performance.now();
    child.kill('SIGTERM');
    await exited;
    return { readyMs, peakMb, idleCpuS, stopMs: performance.now() - stopping };
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases: Array<[string, number, boolean]> = [
  ['1 file', 1, false],
  [`${many.toLocaleString('en')} files`, many, false],
  [`${many.toLocaleString('en')} files + symlink loop`, many, true],
];
const rows = [
  `node ${process.version}, ${runs} fresh agents per case, medians; idle CPU over ${IDLE_MS / 1000} s after ${SETTLE_MS / 1000} s to settle`,
  '| files | spawn → /readyz 200 | peak RSS | idle CPU (share of a core) | SIGTERM → exit |',
  '|---|---|---|---|---|',
];
for (const [label, files, loop] of cases) {
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(await agentRun(files, loop));
  const cpu = median(results.map((r) => r.idleCpuS));
  rows.push(
    `| ${label} | ${median(results.map((r) => r.readyMs)).toFixed(0)} ms | ${median(results.map((r) => r.peakMb)).toFixed(0)} MB | ` +
      `${cpu.toFixed(2)} s (${((cpu / (IDLE_MS / 1000)) * 100).toFixed(1)}%) | ${median(results.map((r) => r.stopMs)).toFixed(0)} ms |`,
  );
}
process.stdout.write(rows.join('\n') + '\n');
