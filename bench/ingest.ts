// Catch-up throughput and peak RSS on a 1,000,000-line JSON-lines log (~180 MB, one error in
// 1,000): the source stage alone, the real agent end to end through detection (buildAgent with the
// shipped sentinel.yaml and every pack, timed from start() until every line is counted and every
// error matched), side by side with mtail --one_shot and grep -c on the same file, plus RSS with
// 1,000 files watched and the append-to-detection latency. Prints figures; asserts nothing. Each
// measured run is its own process, so peak RSS is that run's alone.
//   npm run build && node dist/bench/ingest.js [--lines N] [--files N] [--no-mtail]
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync, rmSync, mkdtempSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SourceConfig, SentinelConfig } from '../src/config/config-types.js';
import { silentLogger } from '../src/log.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { createFileSource } from '../src/source/file-source.js';
import type { LogEvent, RawRecord } from '../src/types.js';
import { ensurePipelineLog, writeLog } from './pipeline-log.js';

const run = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

function sourceConfig(paths: string[]): SourceConfig {
  return {
    name: 'bench',
    paths,
    exclude: [],
    start_at: 'beginning',
    format: 'auto',
    max_line_bytes: 256 * 1024,
    multiline: { timeout_ms: 1000, max_lines: 500, max_bytes: 1 << 20 },
    poll: false,
    poll_interval_ms: 1000,
    max_files: 10_000,
  };
}

interface ChildResult {
  scenario: string;
  seconds: number;
  bytes: number;
  records: number;
  matches: number | null;
  maxRssMb: number;
  note?: string;
  latencyMs?: { p50: number; p99: number; max: number; n: number };
}

type Matcher = (record: RawRecord) => number;

/**
 * In a child: the real agent (source → screen → parse → detect → incidents → built-in diagnosis →
 * console alerts into a null stream) with sentinel.yaml's rules and every pack, catching up on `log`.
 */
async function childAgent(scenario: string, log: string, expected: number, errors: number, bytes: number): Promise<ChildResult> {
  const { loadConfig } = await import('../src/config/load-config.js');
  const { buildAgent } = await import('../src/agent/agent.js');
  const base = loadConfig('sentinel.yaml', {});
  const state = mkdtempSync(join(tmpdir(), 'sentinel-bench-agent-'));
  const config: SentinelConfig = {
    ...base,
    sources: [sourceConfig([log])],
    packs: {},
    state_dir: state,
    server: { ...base.server, port: 0, host: '127.0.0.1' },
    notify: { ...base.notify, console: true, slack: [] },
    brain: { ...base.brain, url: 'embedded' },
  };
  const nullOut = new Writable({ write: (_chunk, _enc, done) => done() });
  const agent = buildAgent(config, { logger: silentLogger(), consoleOut: nullOut });
  const total = async (metric: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> =>
    (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
  const t0 = process.hrtime.bigint();
  await agent.start();
  let lines = 0;
  let matches = 0;
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    lines = await total(agent.metrics.logLines);
    matches = await total(agent.metrics.ruleMatches);
    if (lines >= expected && matches >= errors) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await agent.stop();
  rmSync(state, { recursive: true, force: true });
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const note = lines >= expected && matches >= errors ? undefined : 'timed out';
  return { scenario, seconds, bytes, records: lines, matches, maxRssMb, ...(note ? { note } : {}) };
}

/** parse → detect with the shipped rules, when those stages are built; null otherwise. */
async function loadDetection(): Promise<{ match: Matcher; rules: number } | null> {
  try {
    const here = join(SELF, '..', '..', 'src');
    const { createDetector } = (await import(join(here, 'detect', 'detector.js'))) as {
      createDetector: (c: SentinelConfig) => { match(e: LogEvent): unknown[]; isSuccess?: (e: LogEvent) => boolean; rules?: unknown[] };
    };
    const { parseRecord } = (await import(join(here, 'parse', 'parse-record.js'))) as {
      parseRecord: (r: RawRecord, f?: string) => { event: LogEvent };
    };
    const cfg = (await import(join(here, 'config', 'load-config.js'))) as {
      loadConfig: (f: string, env: NodeJS.ProcessEnv) => SentinelConfig;
      defaultConfig: (env: NodeJS.ProcessEnv) => SentinelConfig;
    };
    let config: SentinelConfig;
    try {
      config = cfg.loadConfig('sentinel.yaml', {});
    } catch {
      config = cfg.defaultConfig({});
    }
    const detector = createDetector(config);
    const screen = (detector as { screen?: (raw: string) => boolean }).screen;
    return {
      rules: detector.rules?.length ?? 0,
      match: (record) => {
        // As the agent's ingest: a record the screen rules out is never parsed.
        if (screen && !screen.call(detector, record.text)) return 0;
        const { event } = parseRecord(record, 'auto');
        if (detector.isSuccess?.(event)) return 0;
        return detector.match(event).length;
      },
    };
  } catch (err) {
    console.error(`(detection stage not available: ${(err as Error).message.split('\n')[0]})`);
    return null;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** In a child: follow `paths` from the beginning until `expected` records arrived. */
async function childCatchUp(scenario: string, paths: string[], expected: number, bytes: number, detect: boolean): Promise<ChildResult> {
  const detection = detect ? await loadDetection() : null;
  if (detect && !detection) return { scenario, seconds: NaN, bytes, records: 0, matches: null, maxRssMb: NaN, note: 'detector not built' };
  const state = mkdtempSync(join(tmpdir(), 'sentinel-bench-state-'));
  // Latency probes go to a file of their own, so the (reused) input file never changes.
  const probe = join(state, 'probe.log');
  const single = paths.length === 1 && !paths[0]!.includes('*');
  if (single) writeFileSync(probe, '');
  let records = 0;
  let matches = 0;
  let caughtUp: (() => void) | undefined;
  const done = new Promise<void>((r) => (caughtUp = r));
  let latencyWatch: ((r: RawRecord) => void) | undefined;
  const source = createFileSource({
    config: sourceConfig(single ? [...paths, probe] : paths),
    stateDir: state,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: silentLogger(),
    onRecords: (batch) => {
      records += batch.length;
      if (detection) for (const r of batch) matches += detection.match(r);
      if (latencyWatch) for (const r of batch) latencyWatch(r);
      if (records >= expected) caughtUp?.();
    },
  });
  const t0 = process.hrtime.bigint();
  await source.start();
  await done;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let latencyMs: ChildResult['latencyMs'];
  if (single) {
    // Steady state: a failing line appended to a watched file, to the moment onRecords (and
    // detection, when built) has it.
    const samples: number[] = [];
    let sentAt = 0n;
    let got: (() => void) | undefined;
    latencyWatch = (r) => {
      if (r.text.includes('"latency_probe"')) {
        samples.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
        got?.();
      }
    };
    for (let i = 0; i < 200; i++) {
      const arrived = new Promise<void>((r) => (got = r));
      sentAt = process.hrtime.bigint();
      appendFileSync(probe, `{"level":"error","event":"latency_probe","msg":"Execution of step \\"transform_data\\" failed: probe ${i}"}\n`);
      await Promise.race([arrived, new Promise((r) => setTimeout(r, 3000))]);
      await new Promise((r) => setTimeout(r, 10));
    }
    samples.sort((a, b) => a - b);
    latencyMs = { p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples.at(-1) ?? NaN, n: samples.length };
  }
  await source.stop();
  rmSync(state, { recursive: true, force: true });
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  return { scenario, seconds, bytes, records, matches: detection ? matches : null, maxRssMb, ...(latencyMs ? { latencyMs } : {}) };
}

async function inChild(scenario: string, paths: string[], expected: number, bytes: number, detect: boolean, agentErrors?: number): Promise<ChildResult> {
  const spec = { scenario, paths, expected, bytes, detect, ...(agentErrors !== undefined ? { agentErrors } : {}) };
  const child = spawn(process.execPath, [SELF, '--child', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`${scenario}: child exited ${code}: ${out}`);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildResult;
}

/** Wall time and peak RSS of an external command through GNU time. */
async function timed(cmd: string, cmdArgs: string[]): Promise<{ seconds: number; maxRssMb: number; stdout: string }> {
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'TIME %e %M', cmd, ...cmdArgs], { maxBuffer: 64 << 20 }).catch(
    (e: { stdout: string; stderr: string }) => e, // grep -c exits 1 on zero matches
  );
  const m = /TIME ([\d.]+) (\d+)/.exec(stderr);
  if (!m) throw new Error(`${cmd}: no timing in ${stderr.slice(-500)}`);
  return { seconds: Number(m[1]), maxRssMb: Number(m[2]) / 1024, stdout };
}

function row(name: string, seconds: number, bytes: number, rssMb: number, extra: string): string {
  const mbps = bytes / 1e6 / seconds;
  return `${name.padEnd(34)} ${seconds.toFixed(2).padStart(8)} s ${mbps.toFixed(1).padStart(9)} MB/s ${rssMb.toFixed(0).padStart(7)} MB   ${extra}`;
}

async function main(): Promise<void> {
  const lines = flag('--lines', 1_000_000);
  const fileCount = flag('--files', 1000);
  const { log, bytes, errors } = ensurePipelineLog(lines);
  const dir = join(tmpdir(), 'sentinel-bench');
  console.log(`Input: ${log}: ${lines} lines, ${(bytes / 1e6).toFixed(1)} MB, ${errors} error lines; node ${process.version}`);
  console.log(`${'run'.padEnd(34)} ${'time'.padStart(10)} ${'throughput'.padStart(14)} ${'peak RSS'.padStart(10)}   result`);

  // Warm the page cache so every run reads from memory, as a tailer catching up mostly does.
  await timed('cat', [log]).catch(() => undefined);

  const a = await inChild('source', [log], lines, bytes, false);
  console.log(row('source (read+split+join+batch)', a.seconds, bytes, a.maxRssMb, `${a.records} records`));
  const e = await inChild('agent', [log], lines, bytes, true, errors);
  console.log(row('agent end to end (buildAgent)', e.seconds, bytes, e.maxRssMb, `${e.records} lines, ${e.matches} rule matches${e.note ? ` (${e.note})` : ''}`));
  const b = await inChild('source+detect', [log], lines, bytes, true);
  if (Number.isNaN(b.seconds)) console.log(`${'source + screen + parse + detect'.padEnd(34)} skipped: ${b.note}`);
  else console.log(row('source + screen + parse + detect', b.seconds, bytes, b.maxRssMb, `${b.records} records, ${b.matches} matches`));

  if (!args.includes('--no-mtail')) {
    const progs = join(dir, 'mtail-progs');
    mkdirSync(progs, { recursive: true });
    writeFileSync(join(progs, 'errors.mtail'), 'counter error_lines\n/"level":"error"/ {\n  error_lines++\n}\n');
    const m = await timed('mtail', ['--progs', progs, '--logs', log, '--one_shot', '--one_shot_format', 'prometheus', '--logtostderr']);
    const count = /error_lines\{[^}]*\} (\d+)/.exec(m.stdout)?.[1] ?? '?';
    console.log(row('mtail --one_shot (1 regex)', m.seconds, bytes, m.maxRssMb, `error_lines ${count}`));
  }
  const g = await timed('grep', ['-c', '"level":"error"', log]);
  console.log(row("grep -c '\"level\":\"error\"' (floor)", g.seconds, bytes, g.maxRssMb, `${g.stdout.trim()} lines`));

  // 1,000 files watched: catch up on all of them, then RSS while following.
  const many = mkdtempSync(join(tmpdir(), 'sentinel-bench-files-'));
  const perFile = 200;
  for (let f = 0; f < fileCount; f++) writeLog(join(many, `f${f}.log`), perFile, f * perFile);
  let manyBytes = 0;
  for (let f = 0; f < fileCount; f++) manyBytes += statSync(join(many, `f${f}.log`)).size;
  const c = await inChild(`${fileCount} files`, [join(many, '*.log')], fileCount * perFile, manyBytes, false);
  console.log(row(`source, ${fileCount} files watched`, c.seconds, manyBytes, c.maxRssMb, `${c.records} records`));
  rmSync(many, { recursive: true, force: true });

  const lat = b.latencyMs ?? a.latencyMs;
  if (lat) {
    console.log(
      `append → ${b.latencyMs ? 'detected' : 'onRecords'} latency over ${lat.n} appended failing lines: p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms, max ${lat.max.toFixed(1)} ms`,
    );
  }
  console.log('Throughput is bytes / wall time from start() to the last record (agent: until every line is counted and every error matched;');
  console.log('mtail, grep: process wall time, startup included).');
}

if (args[0] === '--child') {
  const p = JSON.parse(args[1] ?? '{}') as { scenario: string; paths: string[]; expected: number; bytes: number; detect: boolean; agentErrors?: number };
  const result =
    p.agentErrors !== undefined
      ? await childAgent(p.scenario, p.paths[0] ?? '', p.expected, p.agentErrors, p.bytes)
      : await childCatchUp(p.scenario, p.paths, p.expected, p.bytes, p.detect);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
} else {
  await main();
}
