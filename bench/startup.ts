// `npm run bench:startup`: what every pipeline pod pays before the sidecar is useful, measured from
// outside on fresh processes: `sentinel --version`, time from spawn to `/readyz` 200 with the
// embedded defaults (every pack on, one watched file), then idle RSS and CPU over the next 5 s.
// Each figure is the median of RUNS fresh processes; pass another node binary to compare runtimes:
//   node dist/bench/startup.js [--node /path/to/node] [--runs 5] [--cli other-checkout/bin/sentinel.js]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSeconds, freePort, statusMb } from './process-stats.js';

const { values } = parseArgs({ options: {
    node: { type: 'string', default: process.execPath },
    runs: { type: 'string', default: '5' },
    cli: { type: 'string', default: fileURLToPath(new URL('../../bin/sentinel.js', import.meta.url)) },
  },
});
const nodeBin = values.node;
const runs = Number(values.runs);
const cli = resolve(values.cli);
const IDLE_MS = 5_000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function versionMs(): number {
  const started = performance.now();
  const result = spawnSync(nodeBin, [cli, '--version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`--version failed: ${result.stderr}`);
  return performance.now() - started;
}

async function agentRun(): Promise<{ readyMs: number; readyCpuS: number; idleRssMb: number; idleCpuS: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-startup-'));
  const port = await freePort();
  writeFileSync(join(dir, 'pipeline.log'), '{"level":"info","msg":"started"}\n');
  writeFileSync(
    join(dir, 'sentinel.yaml'),
    `sources:\n  - name: bench\n    paths: ["${dir}/*.log"]\nstate_dir: ${dir}/state\nserver:\n  port: ${port}\n  host: 127.0.0.1\n`,
  );
  const started = performance.now();
  const child = spawn(nodeBin, [cli, 'run', '--config', join(dir, 'sentinel.yaml')], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode} before it was ready`);
      if (performance.now() - started > 30_000) throw new Error('agent not ready after 30 s');
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      await sleep(5);
    }
    const readyMs = performance.now() - started;
    const pid = child.pid ?? 0;
    // CPU spent until ready: unlike wall time, hardly moved by other processes on a busy machine.
    const cpuBefore = cpuSeconds(pid);
    await sleep(IDLE_MS);
    return { readyMs, readyCpuS: cpuBefore, idleRssMb: statusMb(pid, 'VmRSS'), idleCpuS: cpuSeconds(pid) - cpuBefore };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const version = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
const versions: number[] = [];
const agents: Array<{ readyMs: number; readyCpuS: number; idleRssMb: number; idleCpuS: number }> = [];
for (let i = 0; i < runs; i++) {
  versions.push(versionMs());
  agents.push(await agentRun());
}
console.log(`node ${version}, ${runs} runs each, medians:`);
console.log(`  sentinel --version          ${median(versions).toFixed(0)} ms`);
console.log(`  agent spawn → /readyz 200   ${median(agents.map((a) => a.readyMs)).toFixed(0)} ms`);
console.log(`  CPU until ready             ${(median(agents.map((a) => a.readyCpuS)) * 1000).toFixed(0)} ms`);
console.log(`  idle RSS after ready + 5 s  ${median(agents.map((a) => a.idleRssMb)).toFixed(1)} MB`);
console.log(`  idle CPU over those 5 s     ${median(agents.map((a) => a.idleCpuS)).toFixed(2)} s`);
