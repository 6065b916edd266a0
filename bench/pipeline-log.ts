// The generated pipeline log the ingest and peer benchmarks read: JSON lines of a realistic pipeline,
// ~180 bytes each, one failure per 1,000 lines. Shared so both benchmarks read the same bytes.
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const STEPS = ['extract_orders', 'validate_schema', 'transform_data', 'load_warehouse'];
const EVENTS = ['batch_processed', 'step_progress', 'rows_written', 'checkpoint_saved'];

/** One realistic pipeline record, ~180 bytes; every 1,000th is a failure. */
export function logLine(i: number): string {
  const ts = new Date(1_764_000_000_000 + i * 7).toISOString();
  const run = `run-${(20261125000 + Math.floor(i / 50_000)).toString(36)}`;
  if (i % 1000 === 999) {
    return `{"ts":"${ts}","level":"error","pipeline":"aio_pipeline","run_id":"${run}","step":"transform_data","event":"step_failed","msg":"Execution of step \\"transform_data\\" failed: ZeroDivisionError: division by zero"}`;
  }
  return `{"ts":"${ts}","level":"info","pipeline":"aio_pipeline","run_id":"${run}","step":"${STEPS[i % 4]}","event":"${EVENTS[i % 4]}","msg":"batch ${i} rows=${(i * 37) % 5000} ms=${i % 97}"}`;
}

export function writeLog(path: string, lines: number, from = 0): void {
  const fd = openSync(path, 'w');
  let chunk: string[] = [];
  for (let i = from; i < from + lines; i++) {
    chunk.push(logLine(i));
    if (chunk.length === 10_000) {
      writeSync(fd, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length > 0) writeSync(fd, chunk.join('\n') + '\n');
  closeSync(fd);
}

/** The `lines`-line log in `$TMPDIR/sentinel-bench/`, generated once and reused by every benchmark. */
export function ensurePipelineLog(lines: number): { log: string; bytes: number; errors: number } {
  const dir = join(tmpdir(), 'sentinel-bench');
  mkdirSync(dir, { recursive: true });
  const log = join(dir, `ingest-${lines}.jsonl`);
  const marker = `${log}.done`;
  if (!existsSync(marker) || !existsSync(log)) {
    process.stdout.write(`Generating ${log} (${lines} lines)… `);
    writeLog(log, lines);
    writeFileSync(marker, '');
    console.log('done');
  }
  return { log, bytes: statSync(log).size, errors: Math.floor((lines + 1) / 1000) };
}
