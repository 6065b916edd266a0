// `npm run bench:idle`: what an agent costs while nothing happens (issue 14 item 3, "idle is idle"),
// and whether it gives back what a busy spell grew. Fresh agents, every pack on:
//   - 1 watched file and 10,000 watched files: CPU (utime + stime from /proc) in each 5 s slice
//     from ready to ready + SECS, which spans the periodic rescans (every 30 s) and the one
//     memory-reducing collection after start-up (ADR 0018), and RSS at the end;
//   - Fluent Bit on the same trees, when a `fluent-bit` binary is on PATH (as bench:peers): tail on
//     the same files from their end, output null, ready = its HTTP server answers;
//   - after a catch-up on the generated 1,000,000-line log (bench/pipeline-log.ts, as bench:peers):
//     peak RSS, then RSS every 5 s once every line is counted.
// Builds alternate per case (Sentinel, [before], [Fluent Bit]) so a shared machine's load falls on each.
// Prints figures; asserts nothing.
//   node dist/bench/idle.js [--secs 75] [--files 10000] [--cli bin/sentinel.js] [--before OTHER/bin/sentinel.js]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeLogTree } from './log-tree.js';
import { ensurePipelineLog } from './pipeline-log.js';
import { cpuSeconds, freePort, statusMb } from './process-stats.js';

const { values } = parseArgs({
  options: {
    secs: { type: 'string', default: '75' },
    files: { type: 'string', default: '10000' },
    cli: { type: 'string', default: fileURLToPath(new URL('../../bin/sentinel.js', import.meta.url)) },
    // Another checkout's bin/sentinel.js, measured right after this one on the same tree.
    before: { type: 'string' },
  },
});
const SECS = Number(values.secs);
const CLI = resolve(values.cli);
const SLICE_MS = 5_000;
const LINES = 1_000_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const load = (): string => `load ${(loadavg()[0] ?? 0).toFixed(1)}`;

interface Agent {
  child: ChildProcess;
  port: number;
  dir: string;
}

/** Polls `url` until it answers 200; the child must not exit first. */
async function untilReady(child: ChildProcess, url: string): Promise<void> {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited ${child.exitCode} before it was ready`);
    if (performance.now() - started > 120_000) throw new Error(`${url}: not ready after 120 s`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(20);
  }
}

async function startAgent(paths: string, startAt: 'end' | 'beginning', cli = CLI): Promise<Agent> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-idle-'));
  const port = await freePort();
  const config = join(dir, 'sentinel.yaml');
  writeFileSync(config, `sources:\n  - name: bench\n    paths: ["${paths}"]\n    start_at: ${startAt}\nstate_dir: ${dir}/state\nserver: { port: ${port}, host: 127.0.0.1 }\n`);
  const child = spawn(process.execPath, [cli, 'run', '--config', config], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
  await untilReady(child, `http://127.0.0.1:${port}/readyz`);
  return { child, port, dir };
}

/**
 * Fluent Bit following the same files from their end (its tail input's defaults: inotify, a rescan of
 * the globs every 60 s), records to the null output; ready once its HTTP server answers, which it
 * starts after its inputs' set-up (the first scan of the globs). Its tail takes no `**`: the tree is
 * one level of directories (bench/log-tree.ts), so `*` names the same files.
 */
async function startFluentBit(logs: string): Promise<Agent> {
  const dir = mkdtempSync(join(tmpdir(), 'fluent-bit-idle-'));
  const port = await freePort();
  const config = join(dir, 'fluent-bit.conf');
  const conf = ['[SERVICE]', '    flush 1', '    log_level error', '    http_server on', '    http_listen 127.0.0.1', `    http_port ${port}`];
  writeFileSync(config, [...conf, '[INPUT]', '    name tail', `    path ${logs}`, '[OUTPUT]', '    name null', '    match *', ''].join('\n'));
  const child = spawn('fluent-bit', ['-c', config], { stdio: 'ignore' });
  await untilReady(child, `http://127.0.0.1:${port}/`);
  return { child, port, dir };
}

const onPath = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

async function stopAgent(agent: Agent): Promise<void> {
  const exited = new Promise((r) => agent.child.once('exit', r));
  agent.child.kill('SIGTERM');
  await exited;
  rmSync(agent.dir, { recursive: true, force: true });
}

/** CPU ms in each SLICE_MS from now to SECS, and RSS at the end. */
async function idleSlices(pid: number): Promise<{ slices: number[]; totalS: number; rssMb: number }> {
  const slices: number[] = [];
  let last = cpuSeconds(pid);
  const first = last;
  for (let t = SLICE_MS; t <= SECS * 1000; t += SLICE_MS) {
    await sleep(SLICE_MS);
    const now = cpuSeconds(pid);
    slices.push(Math.round((now - last) * 1000));
    last = now;
  }
  return { slices, totalS: last - first, rssMb: statusMb(pid, 'VmRSS') };
}

interface Contender {
  name: string;
  start: (logDir: string) => Promise<Agent>;
}

const contenders: Contender[] = [{ name: 'Sentinel', start: (logs) => startAgent(`${logs}/**/*.log`, 'end') }];
if (values.before) {
  const before = resolve(values.before);
  contenders.push({ name: `Sentinel before (${before})`, start: (logs) => startAgent(`${logs}/**/*.log`, 'end', before) });
}
if (onPath('fluent-bit')) contenders.push({ name: 'Fluent Bit', start: (logs) => startFluentBit(`${logs}/*/*.log`) });
else console.log('(no fluent-bit on PATH: Fluent Bit rows left out)');

/**
 * Each contender in turn, each on a tree of `files` files written just before it starts (as a tree
 * shared by all would be older, past Sentinel's racy margin, for those after the first).
 */
async function idleCase(name: string, files: number): Promise<void> {
  for (const contender of contenders) {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-idle-tree-'));
    try {
      writeLogTree(join(dir, 'logs'), files);
      const agent = await contender.start(join(dir, 'logs'));
      try {
        const before = load();
        const { slices, totalS, rssMb } = await idleSlices(agent.child.pid ?? 0);
        console.log(
          `${contender.name}, ${name}: CPU ms per ${SLICE_MS / 1000} s from ready: ${slices.join(' ')}; ${totalS.toFixed(2)} s over ${SECS} s = ` +
            `${((totalS / SECS) * 100).toFixed(2)}% of a core; RSS ${rssMb.toFixed(1)} MB at the end (${before} → ${load()})`,
        );
      } finally {
        await stopAgent(agent);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const metricSum = (text: string, name: string): number => {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
};

async function afterCatchUp(): Promise<void> {
  const { log } = ensurePipelineLog(LINES);
  const before = load();
  const agent = await startAgent(log, 'beginning');
  try {
    const pid = agent.child.pid ?? 0;
    for (;;) {
      const text = await fetch(`http://127.0.0.1:${agent.port}/metrics`).then((r) => r.text(), () => '');
      if (metricSum(text, 'sentinel_log_lines_total') >= LINES) break;
      await sleep(50);
    }
    const rss = [statusMb(pid, 'VmRSS')];
    const peak = statusMb(pid, 'VmHWM');
    for (let t = SLICE_MS; t <= 30_000; t += SLICE_MS) {
      await sleep(SLICE_MS);
      rss.push(statusMb(pid, 'VmRSS'));
    }
    console.log(
      `after a catch-up of ${LINES.toLocaleString('en')} lines: peak RSS ${peak.toFixed(1)} MB; RSS every ${SLICE_MS / 1000} s from the last line: ` +
        `${rss.map((x) => x.toFixed(1)).join(' ')} MB (${before} → ${load()})`,
    );
  } finally {
    await stopAgent(agent);
  }
}

console.log(`node ${process.version}, ${CLI}`);
await idleCase('1 file', 1);
await idleCase(`${Number(values.files).toLocaleString('en')} files`, Number(values.files));
await afterCatchUp();
