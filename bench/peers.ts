// `npm run bench:peers`: Sentinel beside the log agents a platform team would weigh it against, on the
// same generated file (bench/pipeline-log.ts: 1,000,000 JSON lines, ~180 MB, one failure per 1,000),
// each from process start until every line is consumed, the file in the page cache:
//   - Sentinel (`sentinel run`) with the defaults (every pack) and with every pack off, three user
//     rules; "consumed" = /metrics counts every line and a rule match for every failure line;
//   - mtail `--one_shot` with the same three rules as regexes (Debian's mtail);
//   - Fluent Bit, when a `fluent-bit` binary is on PATH: tail with the JSON parser + grep (the three
//     rules), and raw lines + grep; `exit_on_eof` ends it once the file is read.
// Runs alternate between contenders (the machine may be shared); every figure is the median of
// --runs runs. Idle figures: one small file watched, ready + 5 s. Prints a table; asserts nothing.
//   npm run build && node dist/bench/peers.js [--lines 1000000] [--runs 5] [--node BIN] [--before OTHER/bin/sentinel.js]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensurePipelineLog } from './pipeline-log.js';
import { cpuSeconds, freePort, statusMb } from './process-stats.js';
import { PEER_RULES_YAML } from './peer-rules.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    node: { type: 'string', default: process.execPath },
    // Another checkout's bin/sentinel.js: adds a "before" row with the defaults, run alternately.
    before: { type: 'string' },
  },
});
const LINES = Number(values.lines);
const RUNS = Number(values.runs);
const CLI = fileURLToPath(new URL('../../bin/sentinel.js', import.meta.url));
const IDLE_MS = 5_000;
const METRICS_POLL_MS = 50;
const PACKS = ['generic', 'python', 'node', 'jvm', 'go', 'postgresql', 'dagster', 'airflow', 'dbt', 'cloud', 'kubernetes'];

/** The three user rules every contender applies, in each one's own language. */
const RULES_YAML = PEER_RULES_YAML;
const MTAIL_PROGRAM = `counter step_failed
counter zero_division
counter out_of_memory
/"event":"step_failed"/ {
  step_failed++
}
/ZeroDivisionError/ {
  zero_division++
}
/OutOfMemoryError|Killed process/ {
  out_of_memory++
}
`;

interface Catchup {
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}
interface Idle {
  readyMs: number;
  rssMb: number;
  cpuSeconds: number;
}
interface Contender {
  name: string;
  catchup(): Promise<Catchup>;
  idle?(): Promise<Idle>;
  readyNote?: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers 2xx; the ms since `started`. */
async function untilOk(child: ChildProcess, url: string, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited ${child.exitCode} before it was ready`);
    if (performance.now() - started > 60_000) throw new Error(`${url}: not ready after 60 s`);
    if (await fetch(url).then((r) => r.ok, () => false)) return performance.now() - started;
    await sleep(5);
  }
}

/** Wall, CPU and peak RSS of a command that ends by itself, through GNU time. */
async function timedExit(cmd: string, args: string[]): Promise<Catchup & { stdout: string }> {
  const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  if (code !== 0 || !m) throw new Error(`${cmd} exited ${code}: ${stderr.slice(-1000)}`);
  return { seconds: Number(m[1]), cpuSeconds: Number(m[2]) + Number(m[3]), peakRssMb: Number(m[4]) / 1024, stdout };
}

// --- Sentinel -----------------------------------------------------------------------------------

function sentinelConfig(dir: string, log: string, port: number, packsOn: boolean): string {
  const file = join(dir, 'sentinel.yaml');
  const packs = packsOn ? '' : `packs: { ${PACKS.map((p) => `${p}: false`).join(', ')} }\n`;
  writeFileSync(
    file,
    `sources:\n  - name: bench\n    paths: ["${log}"]\n    start_at: beginning\n${RULES_YAML}${packs}` +
      `state_dir: ${dir}/state\nserver: { port: ${port}, host: 127.0.0.1 }\nbrain: { url: embedded }\n`,
  );
  return file;
}

const metricSum = (text: string, name: string): number => {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
};

function sentinel(name: string, packsOn: boolean, log: string, errors: number, cli = CLI): Contender {
  const launch = async (file: string): Promise<{ child: ChildProcess; dir: string; port: number; started: number }> => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-peers-'));
    const port = await freePort();
    const config = sentinelConfig(dir, file, port, packsOn);
    const started = performance.now();
    const child = spawn(values.node, [cli, 'run', '--config', config], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
    return { child, dir, port, started };
  };
  return {
    name,
    readyNote: '/readyz 200',
    async catchup() {
      const { child, dir, port, started } = await launch(log);
      try {
        await untilOk(child, `http://127.0.0.1:${port}/readyz`, started);
        for (;;) {
          if (performance.now() - started > 600_000) throw new Error(`${name}: not caught up after 600 s`);
          const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
          if (metricSum(text, 'sentinel_log_lines_total') >= LINES && metricSum(text, 'sentinel_rule_matches_total') >= errors) break;
          // Each scrape costs the agent ~0.5 ms of CPU (prom-client and its default metrics): polling
          // every 10 ms added ~0.6 CPU s to a catch-up. 50 ms bounds the wall-clock error at 50 ms.
          await sleep(METRICS_POLL_MS);
        }
        const seconds = (performance.now() - started) / 1000;
        const pid = child.pid ?? 0;
        return { seconds, cpuSeconds: cpuSeconds(pid), peakRssMb: statusMb(pid, 'VmHWM') };
      } finally {
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      }
    },
    ...(packsOn
      ? {
          async idle() {
            const small = mkdtempSync(join(tmpdir(), 'sentinel-peers-idle-'));
            writeFileSync(join(small, 'pipeline.log'), '{"level":"info","msg":"started"}\n');
            const { child, dir, port, started } = await launch(join(small, 'pipeline.log'));
            try {
              const readyMs = await untilOk(child, `http://127.0.0.1:${port}/readyz`, started);
              return await idleFigures(child, readyMs);
            } finally {
              await stopChild(child);
              rmSync(dir, { recursive: true, force: true });
              rmSync(small, { recursive: true, force: true });
            }
          },
        }
      : {}),
  };
}

async function idleFigures(child: ChildProcess, readyMs: number): Promise<Idle> {
  const pid = child.pid ?? 0;
  const before = cpuSeconds(pid);
  await sleep(IDLE_MS);
  return { readyMs, rssMb: statusMb(pid, 'VmRSS'), cpuSeconds: cpuSeconds(pid) - before };
}

// --- mtail --------------------------------------------------------------------------------------

function mtail(log: string, work: string): Contender {
  const progs = join(work, 'mtail-progs');
  mkdirSync(progs, { recursive: true });
  writeFileSync(join(progs, 'rules.mtail'), MTAIL_PROGRAM);
  return {
    name: 'mtail --one_shot (3 regexes)',
    readyNote: 'HTTP / 200',
    // --one_shot still listens (on :3903 unless told): a free loopback port, so two runs never collide.
    catchup: async () =>
      timedExit('mtail', ['--progs', progs, '--logs', log, '--one_shot', '--one_shot_format', 'prometheus', '--logtostderr', '--address', '127.0.0.1', '--port', String(await freePort())]),
    async idle() {
      const small = mkdtempSync(join(tmpdir(), 'mtail-peers-idle-'));
      writeFileSync(join(small, 'pipeline.log'), '{"level":"info","msg":"started"}\n');
      const port = await freePort();
      const started = performance.now();
      const child = spawn('mtail', ['--progs', progs, '--logs', join(small, 'pipeline.log'), '--address', '127.0.0.1', '--port', String(port), '--logtostderr'], { stdio: 'ignore' });
      try {
        const readyMs = await untilOk(child, `http://127.0.0.1:${port}/`, started);
        return await idleFigures(child, readyMs);
      } finally {
        await stopChild(child);
        rmSync(small, { recursive: true, force: true });
      }
    },
  };
}

// --- Fluent Bit ---------------------------------------------------------------------------------

function fluentBitConfig(work: string, log: string, json: boolean, oneShot: boolean): string {
  const parsers = join(work, 'parsers.conf');
  writeFileSync(parsers, '[PARSER]\n    name json\n    format json\n');
  // With the JSON parser the rules look at fields; on raw lines at the whole line (key `log`).
  const grep = json
    ? ['regex event ^step_failed$', 'regex msg ZeroDivisionError', 'regex msg OutOfMemoryError|Killed process']
    : ['regex log "event":"step_failed"', 'regex log ZeroDivisionError', 'regex log OutOfMemoryError|Killed process'];
  const file = join(work, `fluent-bit-${json ? 'json' : 'raw'}-${oneShot ? 'once' : 'idle'}.conf`);
  writeFileSync(
    file,
    [
      '[SERVICE]',
      `    flush ${oneShot ? 1 : 0.01}`,
      '    grace 0',
      '    log_level error',
      `    parsers_file ${parsers}`,
      '[INPUT]',
      '    name tail',
      `    path ${log}`,
      '    read_from_head true',
      ...(oneShot ? ['    exit_on_eof true'] : []),
      ...(json ? ['    parser json'] : []),
      '[FILTER]',
      '    name grep',
      '    match *',
      '    logical_op or',
      ...grep.map((g) => `    ${g}`),
      '[OUTPUT]',
      `    name ${oneShot ? 'null' : 'stdout'}`,
      '    match *',
      '',
    ].join('\n'),
  );
  return file;
}

function fluentBit(log: string, work: string, json: boolean): Contender {
  return {
    name: json ? 'Fluent Bit, tail + JSON parser + grep' : 'Fluent Bit, raw lines + grep',
    readyNote: 'first record out',
    catchup: () => timedExit('fluent-bit', ['-c', fluentBitConfig(work, log, json, true)]),
    ...(json
      ? {
          async idle() {
            const small = mkdtempSync(join(tmpdir(), 'fluent-bit-peers-idle-'));
            // A line the grep lets through, so the first record out marks "ready".
            writeFileSync(join(small, 'pipeline.log'), '{"level":"error","event":"step_failed","msg":"started"}\n');
            const started = performance.now();
            const child = spawn('fluent-bit', ['-c', fluentBitConfig(small, join(small, 'pipeline.log'), true, false)], { stdio: ['ignore', 'pipe', 'ignore'] });
            try {
              const readyMs = await new Promise<number>((resolve, reject) => {
                child.stdout?.once('data', () => resolve(performance.now() - started));
                child.once('exit', (code) => reject(new Error(`fluent-bit exited ${code} before its first record`)));
              });
              child.stdout?.resume();
              return await idleFigures(child, readyMs);
            } finally {
              await stopChild(child);
              rmSync(small, { recursive: true, force: true });
            }
          },
        }
      : {}),
  };
}

// --- the table ----------------------------------------------------------------------------------

const onPath = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function versionOf(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? '?';
}

async function main(): Promise<void> {
  const { log, bytes, errors } = ensurePipelineLog(LINES);
  const work = mkdtempSync(join(tmpdir(), 'peers-work-'));
  spawnSync('cat', [log], { stdio: 'ignore', maxBuffer: 1 << 30 }); // into the page cache

  const contenders: Contender[] = [sentinel('Sentinel, defaults (every pack)', true, log, errors), sentinel('Sentinel, packs off', false, log, errors)];
  if (values.before) contenders.push(sentinel(`Sentinel before (${values.before}), defaults`, true, log, errors, values.before));
  if (onPath('fluent-bit')) contenders.push(fluentBit(log, work, true), fluentBit(log, work, false));
  else console.log('(no fluent-bit on PATH: Fluent Bit rows left out)');
  if (onPath('mtail')) contenders.push(mtail(log, work));
  else console.log('(no mtail on PATH: mtail row left out)');

  console.log(`Input: ${log}: ${LINES} lines, ${(bytes / 1e6).toFixed(1)} MB, ${errors} failure lines; medians of ${RUNS} alternating runs`);
  console.log(`node ${versionOf(values.node, ['--version'])}; ${onPath('mtail') ? versionOf('mtail', ['--version']) : ''}; ${onPath('fluent-bit') ? versionOf('fluent-bit', ['--version']) : ''}`);
  const catchups = new Map<Contender, Catchup[]>(contenders.map((c) => [c, []]));
  const idles = new Map<Contender, Idle[]>(contenders.map((c) => [c, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const c of contenders) {
      const r = await c.catchup();
      catchups.get(c)?.push(r);
      process.stderr.write(`  run ${run + 1}: ${c.name}: ${r.seconds.toFixed(2)} s, ${r.cpuSeconds.toFixed(2)} CPU s, ${r.peakRssMb.toFixed(0)} MB\n`);
    }
    for (const c of contenders) if (c.idle) idles.get(c)?.push(await c.idle());
  }
  rmSync(work, { recursive: true, force: true });

  const throughput = (c: Contender): number => bytes / 1e6 / median((catchups.get(c) ?? []).map((r) => r.seconds));
  const reference = contenders.find((c) => c.name.startsWith('Fluent Bit, tail')) ?? contenders.find((c) => c.name.startsWith('mtail'));
  const ref = reference ? throughput(reference) : NaN;
  console.log('');
  console.log(`| | throughput | × ${reference?.name.split(',')[0] ?? '?'} | CPU s | peak RSS | idle RSS | idle CPU (5 s) | ready |`);
  console.log('|---|---|---|---|---|---|---|---|');
  for (const c of contenders) {
    const rs = catchups.get(c) ?? [];
    const is = idles.get(c) ?? [];
    const idle = is.length > 0;
    console.log(
      `| ${c.name} | ${throughput(c).toFixed(1)} MB/s | ${(throughput(c) / ref).toFixed(2)} | ${median(rs.map((r) => r.cpuSeconds)).toFixed(2)} | ` +
        `${median(rs.map((r) => r.peakRssMb)).toFixed(0)} MB | ${idle ? `${median(is.map((i) => i.rssMb)).toFixed(1)} MB` : ''} | ` +
        `${idle ? `${median(is.map((i) => i.cpuSeconds)).toFixed(2)} s` : ''} | ${idle ? `${median(is.map((i) => i.readyMs)).toFixed(0)} ms (${c.readyNote})` : ''} |`,
    );
  }
  console.log('');
  console.log('Throughput: file bytes / wall time from process start until every line is consumed (Sentinel: /metrics counts');
  console.log('every line and every failure matched; mtail, Fluent Bit: the process exits at end of file). Idle: one small file watched.');
}

await main();
