// POST /diagnose throughput and latency with the built-in engine (issue 4: ≥ 2,000 req/s, p99 < 5 ms).
//
//   npm run build && node dist/bench/brain.js [--duration 10] [--connections 10]
//
// The brain app runs in a child process so the load generator (autocannon, in this process) does not
// share its event loop. The diagnosis cache is OFF (cacheSize 0): every request runs the analyser,
// over four realistic failures (Node, Python, Spark/JVM, Go) taken in turn.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildBrainApp } from '../src/brain/brain-app.js';
import { createBrain } from '../src/brain/brain.js';
import { silentLogger } from '../src/log.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { DiagnoseRequest } from '../src/types.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const SAMPLES: DiagnoseRequest[] = [
  {
    fingerprint: 'bench-node',
    rule: 'step-failed',
    severity: 'critical',
    title: 'aio_pipeline transform_data failed',
    pipeline: 'aio_pipeline',
    step: 'transform_data',
    text: [
      'RangeError: Division by zero',
      '    at transformData (/app/pipeline/steps/transform.ts:42:27)',
      '    at runStep (/app/pipeline/run.ts:88:11)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n'),
    error: {
      type: 'RangeError',
      message: 'Division by zero',
      stack: [
        { file: '/app/pipeline/steps/transform.ts', line: 42, column: 27, function: 'transformData', code: 'const ratio = total / count;', inUserCode: true },
        { file: '/app/pipeline/run.ts', line: 88, column: 11, function: 'runStep', inUserCode: true },
        { file: 'node:internal/process/task_queues', line: 95, column: 5, function: 'process.processTicksAndRejections', inUserCode: false },
      ],
    },
    context: ['{"level":"info","step":"extract_data","msg":"Extracted 0 rows"}', '{"level":"info","step":"transform_data","msg":"Starting"}'],
  },
  {
    fingerprint: 'bench-python',
    rule: 'python-traceback',
    severity: 'error',
    title: "KeyError: 'customer_id'",
    text: [
      'Traceback (most recent call last):',
      '  File "/opt/etl/jobs/orders.py", line 57, in build_orders',
      "    df = df.merge(customers, on='customer_id')",
      '  File "/usr/local/lib/python3.11/site-packages/pandas/core/frame.py", line 10093, in merge',
      '    return merge(',
      '  File "/usr/local/lib/python3.11/site-packages/pandas/core/reshape/merge.py", line 1204, in _get_merge_keys',
      '    right_keys.append(right._get_label_or_level_values(rk))',
      "KeyError: 'customer_id'",
    ].join('\n'),
    context: ['INFO loaded 10432 rows from s3://raw/customers/2026-11-25.parquet', 'INFO columns: id, name, email, created_at'],
  },
  {
    fingerprint: 'bench-jvm',
    rule: 'java-exception',
    severity: 'error',
    title: 'Py4JJavaError calling o123.save',
    text: [
      'py4j.protocol.Py4JJavaError: An error occurred while calling o123.save.',
      ': org.apache.spark.SparkException: Job aborted.',
      '\tat org.apache.spark.sql.execution.datasources.FileFormatWriter$.write(FileFormatWriter.scala:251)',
      '\tat com.acme.etl.LoadWarehouse.run(LoadWarehouse.scala:88)',
      'Caused by: java.net.ConnectException: Connection refused (Connection refused)',
      '\tat java.base/sun.nio.ch.Net.connect0(Native Method)',
      '\tat org.postgresql.core.PGStream.<init>(PGStream.java:95)',
    ].join('\n'),
    context: ['26/11/25 13:01:02 INFO DAGScheduler: Job 4 started', '26/11/25 13:01:05 WARN TaskSetManager: Lost task 0.0 in stage 4.0'],
  },
  {
    fingerprint: 'bench-go',
    rule: 'go-panic',
    severity: 'critical',
    title: 'panic: runtime error: index out of range [3] with length 3',
    text: [
      'panic: runtime error: index out of range [3] with length 3',
      '',
      'goroutine 1 [running]:',
      'main.parseRow(...)',
      '\t/src/ingest/parse.go:41',
      'main.main()',
      '\t/src/ingest/main.go:23 +0x1d',
      'exit status 2',
    ].join('\n'),
    context: ['2026/11/25 13:01:02 reading batch 17'],
  },
];

async function serve(): Promise<void> {
  const metrics = createMetrics();
  const config = {
    url: 'embedded',
    timeout_ms: 5000,
    // No api_key: the built-in engine answers every request.
    gemini: { model: 'gemini-flash-lite-latest', timeout_ms: 5000, daily_call_budget: 0, max_input_tokens: 6000 },
    openai: { timeout_ms: 5000, daily_call_budget: 0, max_input_tokens: 6000 },
    audit_max_bytes: 0,
  };
  const brain = createBrain({ config, metrics, logger: silentLogger(), cacheSize: 0, readSourceFiles: false });
  const app = buildBrainApp({ brain, registry: metrics.registry, logger: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({ url });
  process.on('disconnect', () => {
    void app.close().then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const duration = arg('duration', 10);
  const connections = arg('connections', 10);
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`brain server exited early (code ${code})`)));
  });

  // What is being measured: each sample's answer once, so a broken analyser can't pass as fast.
  for (const sample of SAMPLES) {
    const res = await fetch(`${url}/diagnose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sample) });
    const d = (await res.json()) as { engine: string; category: string; location: { file: string; line: number | null } | null };
    console.log(`  sample ${sample.fingerprint}: HTTP ${res.status} ${d.engine} ${d.category} at ${d.location ? `${d.location.file}:${d.location.line}` : '-'}`);
  }
  const requests = SAMPLES.map((body) => ({ method: 'POST', path: '/diagnose', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  // Warm-up: JIT and connection setup should not count.
  await autocannon({ url, connections, duration: 2, requests });
  const r = await autocannon({ url, connections, duration, requests });
  child.disconnect();

  const ok = r.requests.average >= 2000 && r.latency.p99 < 5;
  console.log(`brain bench: POST /diagnose, built-in engine, cache off, ${SAMPLES.length} failure samples in turn`);
  console.log(`  ${connections} connections, ${r.duration} s, ${r.requests.total} requests, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`);
  console.log(`  requests/s  ${r.requests.average.toFixed(0)}   (target >= 2000)`);
  console.log(`  latency ms  p50 ${r.latency.p50}  p90 ${r.latency.p90}  p99 ${r.latency.p99}  max ${r.latency.max}   (target p99 < 5)`);
  console.log(`  ${ok ? 'PASS' : 'BELOW TARGET'}`);
  if (r.non2xx > 0 || r.errors > 0) process.exitCode = 1;
}

if (process.argv.includes('--serve')) await serve();
else await main();
