// `npm run bench:idle-rss`: idle RSS of builds and flags side by side, the agent started as
// `npm run bench:peers` starts it (its config: every pack, three user rules, one small file read from
// the beginning, the embedded brain; environment PATH only), RSS from /proc at `/readyz` + 5 s.
// Variants alternate run by run (the machine may be shared); medians. Each variant is
// LABEL=CLI[|NODE_FLAG][|ENV_NAME:VALUE]..., e.g.
//   node dist/bench/idle-rss.js --runs 3 now=bin/sentinel.js before=/tmp/main/bin/sentinel.js \
//     'no-cache=bin/sentinel.js|NODE_DISABLE_COMPILE_CACHE:1' 'semi=bin/sentinel.js|--max-semi-space-size=1'
// Prints figures; asserts nothing (docs/benchmarks.md, "Eleventh round" of start-up and idle).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, freePort } from './process-stats.js';
import { PEER_RULES_YAML } from './peer-rules.js';

const { values, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, 'idle-ms': { type: 'string', default: '5000' } },
  allowPositionals: true,
});
const RUNS = Number(values.runs);
const IDLE_MS = Number(values['idle-ms']);
const RULES_YAML = PEER_RULES_YAML;

interface Variant {
  label: string;
  cli: string;
  nodeFlags: string[];
  env: Record<string, string>;
  runs: Array<{ rss: number; anon: number; file: number; readyCpuS: number }>;
}

function variantOf(arg: string): Variant {
  const at = arg.indexOf('=');
  if (at <= 0) throw new Error(`a variant is LABEL=CLI[|NODE_FLAG][|ENV_NAME:VALUE]...: got "${arg}"`);
  const [cli = '', ...extras] = arg.slice(at + 1).split('|');
  const variant: Variant = { label: arg.slice(0, at), cli: resolve(cli), nodeFlags: [], env: {}, runs: [] };
  for (const extra of extras) {
    const env = /^([A-Z_][A-Z0-9_]*):(.*)$/.exec(extra);
    if (env) variant.env[env[1] as string] = env[2] as string;
    else variant.nodeFlags.push(extra);
  }
  return variant;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const statusKb = (pid: number, field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

async function idleOnce(v: Variant): Promise<Variant['runs'][number]> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-idle-rss-'));
  const port = await freePort();
  writeFileSync(join(dir, 'pipeline.log'), '{"level":"info","msg":"started"}\n');
  const config = join(dir, 'sentinel.yaml');
  writeFileSync(
    config,
    `sources:\n  - name: bench\n    paths: ["${dir}/pipeline.log"]\n    start_at: beginning\n${RULES_YAML}` +
      `state_dir: ${dir}/state\nserver: { port: ${port}, host: 127.0.0.1 }\nbrain: { url: embedded }\n`,
  );
  const child = spawn(process.execPath, [...v.nodeFlags, v.cli, 'run', '--config', config], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '', ...v.env } });
  try {
    const started = performance.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${v.label}: the agent exited ${child.exitCode} before it was ready`);
      if (performance.now() - started > 60_000) throw new Error(`${v.label}: not ready after 60 s`);
      if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break;
      await sleep(5);
    }
    const pid = child.pid ?? 0;
    const readyCpuS = cpuSeconds(pid);
    await sleep(IDLE_MS);
    return { rss: statusKb(pid, 'VmRSS') / 1024, anon: statusKb(pid, 'RssAnon') / 1024, file: statusKb(pid, 'RssFile') / 1024, readyCpuS };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const variants = positionals.map(variantOf);
if (variants.length === 0) throw new Error('give at least one variant: LABEL=CLI[|NODE_FLAG][|ENV_NAME:VALUE]...');
console.log(`node ${process.version}; ${RUNS} alternating runs each; RSS at /readyz + ${IDLE_MS} ms; load ${(loadavg()[0] ?? 0).toFixed(1)}`);
for (let run = 0; run < RUNS; run++) for (const v of variants) v.runs.push(await idleOnce(v));
for (const v of variants) {
  const m = (key: 'rss' | 'anon' | 'file' | 'readyCpuS'): number => median(v.runs.map((r) => r[key]));
  console.log(
    `${v.label.padEnd(16)} RSS ${m('rss').toFixed(1)} MB [${v.runs.map((r) => r.rss.toFixed(1)).join(' ')}]  anonymous ${m('anon').toFixed(1)}  ` +
      `file-backed ${m('file').toFixed(1)}  CPU until ready ${(m('readyCpuS') * 1000).toFixed(0)} ms`,
  );
}
console.log(`load ${(loadavg()[0] ?? 0).toFixed(1)}`);
