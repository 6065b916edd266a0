// Redaction cost per line: clean lines (the common case, decided by the one-pass prefilter), lines
// that trip the prefilter without holding a secret, and lines with secrets.
// Run: npm run build && node dist/bench/redact.js
import { createRedactor } from '../src/redact/redactor.js';

const CLEAN = [
  '{"ts":"2026-11-25T09:14:03.512Z","level":"info","pipeline":"aio_pipeline","run_id":"run-1","step":"extract_data","event":"rows_read","rows":18234}',
  '2026-11-25 09:14:03,512 INFO transform_data: wrote 18234 rows to staging.orders in 2.3s',
  'level=info msg="batch committed" batch=41 rows=500 duration_ms=120',
];
const PREFILTER_ONLY = [
  'level=info msg="token_count=42 keyboard layout us" step=load_data',
  '2026-11-25 09:14:03 INFO all checks passed for partition key=2026-11-25',
];
const SECRET = [
  'level=error msg="connect failed" dsn=postgresql://etl:S3cr3tPw@db:5432/w password=hunter2',
  'botocore: using key AKIAIOSFODNN7EXAMPLE with aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'ERROR could not connect to postgres://etl:p@ss/w0rd@db.internal:5432/warehouse',
  '+ mysql -u etl -pS3cr3t -h db warehouse',
  's3 upload denied for AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'login rejected: Password is "opensesame"',
];
// A long line (a 16 KB JSON record with a stack) that trips the prefilter: the worst common case.
const LONG = [
  JSON.stringify({ level: 'error', msg: 'task failed', token_count: 42, stack: 'at step (/app/steps/load.ts:12:3)\n'.repeat(400) }),
];

function run(name: string, lines: string[], n: number): void {
  const r = createRedactor();
  let bytes = 0;
  for (let i = 0; i < 1000; i++) r.redact(lines[i % lines.length]!); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const line = lines[i % lines.length]!;
    bytes += r.redact(line).length;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(`${name.padEnd(16)} ${n} lines  ${(ns / n).toFixed(0).padStart(6)} ns/line  ${((n / ns) * 1e9 / 1e6).toFixed(2)} M lines/s  (${bytes} bytes out)`);
}

run('clean', CLEAN, 1_000_000);
run('prefilter-only', PREFILTER_ONLY, 200_000);
run('with secrets', SECRET, 200_000);
run('16 KB record', LONG, 5_000);
