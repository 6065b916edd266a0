// Fleet mode at scale on one machine: a real redis-server, N real agent processes (`sentinel run`,
// each its own state_dir and log) and two `sentinel brain` replicas, a loopback Slack webhook and a
// loopback Gemini stand-in (it answers after --llm-ms, as a model takes its time).
//
//   npm run bench:fleet [-- --agents 20 --failures 5 --llm-ms 500]
//
// Phase 1, agents: each distinct failure is appended to every agent's log, spread over one second in
// random order. Measured per failure: time from the first line written to the (single) Slack
// message, Slack messages, Redis commands (INFO commandstats, by command), new keys and Redis memory.
// Phase 2, brains: per new distinct failure, one /diagnose request per agent, all at once, spread
// over both replicas (what a fleet of agents without incident sharing would send): LLM calls made.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './process-stats.js';
import { createFleetLink } from '../src/fleet/fleet-link.js';
import { createIncidentBoard } from '../src/fleet/incident-board.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { silentLogger } from '../src/log.js';

const { values } = parseArgs({
  options: { agents: { type: 'string', default: '20' }, failures: { type: 'string', default: '5' }, 'llm-ms': { type: 'string', default: '500' } },
});
const AGENTS = Number(values.agents);
const FAILURES = Number(values.failures);
const LLM_MS = Number(values['llm-ms']);
const BIN = new URL('../../bin/sentinel.js', import.meta.url).pathname;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'sentinel-bench-fleet-'));

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function start(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, SENTINEL_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  children.push(child);
  return { child, output: () => out };
}

// Slack: every message with its arrival time.
const slack: { at: number; text: string }[] = [];
const slackUrl = await listen(createServer((req, res) => void body(req).then((text) => (slack.push({ at: performance.now(), text }), res.end('ok')))));
// Gemini: counts calls, answers after LLM_MS.
let llmCalls = 0;
const answer = JSON.stringify({ category: 'data_quality', summary: 'bench', rootCause: 'bench', evidence: [], location: null, fix: ['bench'], retryable: false, confidence: 0.5 });
const geminiUrl = await listen(
  createServer((req, res) =>
    void body(req).then(async () => {
      llmCalls++;
      await sleep(LLM_MS);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ candidates: [{ content: { parts: [{ text: answer }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 900, candidatesTokenCount: 120 } }));
    }),
  ),
);

const redisPort = await freePort();
children.push(spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
const redisUrl = `redis://127.0.0.1:${redisPort}`;
const redis = new Redis(redisPort, '127.0.0.1', { retryStrategy: () => 50 });
redis.on('error', () => undefined);
await until('redis-server', async () => (await redis.ping().catch(() => '')) === 'PONG');

const brainPorts: number[] = [];
for (let n = 0; n < 2; n++) {
  const file = join(dir, `brain-${n}.yaml`);
  writeFileSync(
    file,
    [`state_dir: ${join(dir, `brain-${n}`)}`, 'brain:', '  timeout_ms: 8000', '  gemini:', '    api_key: bench', `    base_url: ${geminiUrl}`, 'fleet:', `  redis_url: ${redisUrl}`, `  member: brain-${n}`, ''].join('\n'),
  );
  const brain = start([BIN, 'brain', '--config', file, '--port', '0'], {});
  brainPorts.push(Number((await until(`brain ${n}`, () => /"port":(\d+)[^\n]*Sentinel brain listening/.exec(brain.output()) ?? undefined))[1]));
}

const agents = await Promise.all(
  Array.from({ length: AGENTS }, async (_x, n) => {
    const home = join(dir, `agent-${n}`);
    mkdirSync(join(home, 'logs'), { recursive: true });
    // A Deployment's pod names: ReplicaSet hash, then 5 characters of Kubernetes' alphabet.
    const member = `etl-load-7d9f8b6c5d-${'bcdfghjklmnpqrstvwxz'[n % 20]}${'2456789'[n % 7]}${'bcdfghjklmnpqrstvwxz'[Math.floor(n / 20) % 20]}z4`;
    writeFileSync(
      join(home, 'sentinel.yaml'),
      [
        'sources:',
        '  - name: etl',
        `    paths: ["${home}/logs/*.log"]`,
        `state_dir: ${home}/state`,
        'server: {port: 0, host: 127.0.0.1}',
        'notify:',
        `  slack: {webhook_url: "${slackUrl}/services/bench", rate_per_sec: 100}`,
        'brain:',
        `  url: http://127.0.0.1:${brainPorts[n % 2]}`,
        '  timeout_ms: 9000',
        'fleet:',
        `  redis_url: ${redisUrl}`,
        `  member: ${member}`,
        '',
      ].join('\n'),
    );
    const agent = start([BIN, 'run', '--config', join(home, 'sentinel.yaml')], {});
    const port = Number((await until(`agent ${n}`, () => /"port":(\d+)[^\n]*Sentinel agent started/.exec(agent.output()) ?? undefined, 120_000))[1]);
    await until(`agent ${n} ready`, async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok);
    return { member, log: join(home, 'logs', 'pipeline.log'), output: agent.output };
  }),
);

// Every command a client sends (MONITOR; the commands a Lua script runs inside Redis are left out,
// and so are this benchmark's own INFO / DBSIZE / MONITOR).
const sent = new Map<string, number>();
const monitor = await redis.monitor();
monitor.on('monitor', (_time: string, args: string[], source: string) => {
  const command = (args[0] ?? '').toLowerCase();
  if (source === 'lua' || ['info', 'dbsize', 'monitor', 'ping', 'keys', 'memory'].includes(command)) return;
  sent.set(command, (sent.get(command) ?? 0) + 1);
});
const commandStats = (): Map<string, number> => new Map(sent);
/** What Redis holds for keys (MEMORY USAGE: value, key and overhead), the incident's and the brains' apart. */
async function keyBytes(keys: string[]): Promise<{ incident: number; brain: number }> {
  const out = { incident: 0, brain: 0 };
  for (const key of keys) out[key.includes(':inc:') ? 'incident' : 'brain'] += Number(await redis.memory('USAGE', key));
  return out;
}

const line = (step: string, n: number): string =>
  JSON.stringify({
    ts: new Date().toISOString(),
    level: 'error',
    pipeline: 'nightly_etl',
    run_id: `run-${n}`,
    step,
    event: 'step_failed',
    msg: `Execution of step "${step}" failed.`,
    error: { type: 'OSError', message: `cannot write /tmp/tmp${n}x/part.parquet on ${agents[n]?.member} (run_id=manual-${n})`, stack: `Traceback (most recent call last):\n  File "/app/etl/${step}.py", line 12, in run\nOSError: cannot write` },
  }) + '\n';

interface Round {
  latencyMs: number;
  messages: number;
  members: number;
  ops: Map<string, number>;
  keys: number;
  bytes: { incident: number; brain: number };
}
const rounds: Round[] = [];
const STEPS = ['load_orders', 'load_invoices', 'load_refunds', 'load_payouts', 'load_customers', 'load_tickets', 'load_events', 'load_carts'];
for (let f = 0; f < FAILURES; f++) {
  const step = STEPS[f % STEPS.length] ?? `load_${f}`;
  const opsBefore = commandStats();
  const keysBefore = new Set(await redis.keys('*'));
  const order = agents.map((_a, n) => n).sort(() => Math.random() - 0.5);
  const firstAt = performance.now();
  for (const [k, n] of order.entries()) {
    await sleep(Math.max(0, firstAt + (k * 1000) / AGENTS - performance.now()));
    appendFileSync(agents[n]!.log, line(step, n));
  }
  const message = await until(`the alert for ${step}`, () => slack.find((m) => m.text.includes(step)));
  // Every agent decided (announced, or left it to the fleet), then a quiet second for a duplicate to show.
  await until(`every agent to decide about ${step}`, () =>
    agents.every((a) => (a.output().match(new RegExp(`"fingerprint":"[0-9a-f]+"[^\\n]*Fleet: (this agent announces|announced by another)`, 'g'))?.length ?? 0) > f),
  );
  await sleep(1000);
  const opsAfter = commandStats();
  const ops = new Map([...opsAfter].map(([k, v]) => [k, v - (opsBefore.get(k) ?? 0)]).filter(([, v]) => (v as number) > 0) as [string, number][]);
  rounds.push({
    latencyMs: message.at - firstAt,
    messages: slack.filter((m) => m.text.includes(step)).length,
    members: Number(/(\d+) members?:/.exec(message.text)?.[1] ?? 0),
    ops,
    ...(await (async () => {
      const fresh = (await redis.keys('*')).filter((k) => !keysBefore.has(k));
      return { keys: fresh.length, bytes: await keyBytes(fresh) };
    })()),
  });
  await sleep(1500);
}

// Phase 2: the brains alone, one request per agent for each new failure, all at once.
const callsBefore = llmCalls;
const BRAIN_FAILURES = 5;
for (let f = 0; f < BRAIN_FAILURES; f++) {
  await Promise.all(
    agents.map((a, n) =>
      fetch(`http://127.0.0.1:${brainPorts[n % 2]}/diagnose`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fingerprint: `bench-brain-${f}`, rule: 'step-failed', severity: 'error', title: `brain failure ${f}`, text: `OSError: disk ${STEPS[f]} full on ${a.member}`, context: [] }),
      }).then((r) => r.json()),
    ),
  );
}
const brainCalls = llmCalls - callsBefore;

// Phase 3, the size of one incident at 1,000 members: 1,000 members join one fingerprint through the
// real scripts (their own connections, 50 at a time), then MEMORY USAGE of its keys, and Redis's
// own time per script call (INFO commandstats usec_per_call).
const BIG = 1000;
const bigPrefix = 'bench-big:';
const metrics = createMetrics({ defaultMetrics: false });
for (let from = 0; from < BIG; from += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, BIG - from) }, async (_x, k) => {
      const member = `etl-load-7d9f8b6c5d-${(from + k).toString(36).padStart(5, 'b')}`;
      const link = createFleetLink({ url: redisUrl, keyPrefix: bigPrefix, member, metrics, logger: silentLogger(), commandTimeoutMs: 2000 });
      await link.connect(5000);
      const board = createIncidentBoard({ link, claimMs: 15_000, staleMs: 1_860_000, ttlMs: 4_200_000, resolvedTtlMs: 600_000 });
      await board.join('fp-big', 'inc-big', 1);
      await link.close();
    }),
  );
}
const bigBytes = await keyBytes(await redis.keys(`${bigPrefix}*`));
const evalUsec = Number(/cmdstat_eval:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(await redis.info('commandstats'))?.[1]);

for (const c of children) c.kill('SIGKILL');
monitor.disconnect();
redis.disconnect();
rmSync(dir, { recursive: true, force: true });

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const totalOps = rounds.map((r) => sum([...r.ops.values()]));
const byCommand = new Map<string, number>();
for (const r of rounds) for (const [k, v] of r.ops) byCommand.set(k, (byCommand.get(k) ?? 0) + v);
console.log(`fleet bench: ${AGENTS} agents, 2 brain replicas, ${FAILURES} distinct failures (each on every agent within 1 s), LLM stand-in ${LLM_MS} ms`);
console.log('failure | first line → Slack (ms) | Slack messages | members named | Redis commands sent | new keys | bytes: incident keys | bytes: brain keys');
for (const [i, r] of rounds.entries()) console.log(`${i + 1} | ${r.latencyMs.toFixed(0)} | ${r.messages} | ${r.members} | ${totalOps[i]} | ${r.keys} | ${r.bytes.incident} | ${r.bytes.brain}`);
console.log(`median latency ${median(rounds.map((r) => r.latencyMs)).toFixed(0)} ms, max ${Math.max(...rounds.map((r) => r.latencyMs)).toFixed(0)} ms`);
const agentOps = rounds.map((r) => r.ops.get('eval') ?? 0);
console.log(`Redis commands sent per incident: median ${median(totalOps)}; by the agents (EVAL of one script each) median ${median(agentOps)} = ${(median(agentOps) / AGENTS).toFixed(1)} per agent; by command over all rounds: ${[...byCommand].map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`one incident seen by ${BIG} members: ${bigBytes.incident} bytes of Redis keys (${(bigBytes.incident / BIG).toFixed(0)} per member); Redis time per script call ${evalUsec} µs`);
console.log(`LLM calls (phase 1, through the agents): ${llmCalls - brainCalls} for ${FAILURES} distinct failures`);
console.log(`LLM calls (phase 2, ${AGENTS} concurrent brain requests per failure over 2 replicas): ${brainCalls} for ${BRAIN_FAILURES} distinct failures`);
process.exit(0);
