// Measures node-tail (the `tail` package, 2.2.6) against the source stage's hard cases: rename
// rotation with a late writer, resume after a restart, truncation, a long line. The figures back
// docs/adr/0001-file-reader-over-fs-not-node-tail.md; the same cases run against our reader in
// test/source/. Run: npm run build && node dist/bench/ingest-node-tail-check.js
import { appendFileSync, closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tail } from 'tail';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const numbered = (prefix: string, from: number, to: number): string =>
  Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}\n`).join('');

interface Outcome {
  test: string;
  expected: string;
  got: string;
  pass: boolean;
}

async function renameRotation(dir: string): Promise<Outcome> {
  const file = join(dir, 'rot.log');
  writeFileSync(file, '');
  const got: string[] = [];
  const tail = new Tail(file, { fromBeginning: true });
  tail.on('line', (l: string) => got.push(l));
  tail.on('error', () => undefined);
  const fd = openSync(file, 'a');
  writeSync(fd, numbered('old', 0, 100));
  await sleep(300);
  // logrotate `create`: rename, create; the application writes on to its old descriptor a while.
  renameSync(file, `${file}.1`);
  writeFileSync(file, '');
  writeSync(fd, numbered('old', 100, 120));
  closeSync(fd);
  appendFileSync(file, numbered('new', 0, 100));
  await sleep(2500);
  tail.unwatch();
  const old = got.filter((l) => l.startsWith('old')).length;
  const fresh = got.filter((l) => l.startsWith('new')).length;
  return { test: 'rename rotation + late writer', expected: 'old 120/120, new 100/100', got: `old ${old}/120, new ${fresh}/100`, pass: old === 120 && fresh === 100 };
}

async function resume(dir: string): Promise<Outcome> {
  const file = join(dir, 'resume.log');
  writeFileSync(file, numbered('a', 0, 50));
  const first: string[] = [];
  let tail = new Tail(file, { fromBeginning: true });
  tail.on('line', (l: string) => first.push(l));
  await sleep(300);
  tail.unwatch();
  appendFileSync(file, numbered('a', 50, 60)); // written while "down"
  // No option takes a byte offset (lucagrulla/node-tail#45): the choices are from the beginning
  // (everything again) or from the end (what was written while down is lost).
  const again: string[] = [];
  tail = new Tail(file, { fromBeginning: true });
  tail.on('line', (l: string) => again.push(l));
  await sleep(300);
  tail.unwatch();
  const fromEnd: string[] = [];
  tail = new Tail(file);
  tail.on('line', (l: string) => fromEnd.push(l));
  await sleep(300);
  tail.unwatch();
  return {
    test: 'restart resumes from saved offset',
    expected: '10 new lines, 0 repeated',
    got: `no offset option; fromBeginning: ${again.length - 10} repeated; from end: ${fromEnd.length}/10 of the lines written while down`,
    pass: false,
  };
}

async function truncation(dir: string): Promise<Outcome> {
  const file = join(dir, 'trunc.log');
  writeFileSync(file, numbered('before', 0, 100));
  const got: string[] = [];
  const tail = new Tail(file, { fromBeginning: true });
  tail.on('line', (l: string) => got.push(l));
  await sleep(300);
  truncateSync(file, 0);
  appendFileSync(file, numbered('after', 0, 10));
  await sleep(1000);
  tail.unwatch();
  const after = got.filter((l) => l.startsWith('after')).length;
  return { test: 'truncate, then 10 lines', expected: 'after 10/10', got: `after ${after}/10`, pass: after === 10 };
}

async function longLine(dir: string): Promise<Outcome> {
  const file = join(dir, 'long.log');
  writeFileSync(file, '');
  const tail = new Tail(file, { fromBeginning: true });
  const got: string[] = [];
  tail.on('line', (l: string) => got.push(l));
  const heapBefore = process.memoryUsage().heapUsed;
  const mb = 64;
  const chunk = 'x'.repeat(1 << 20);
  for (let i = 0; i < mb; i++) appendFileSync(file, chunk);
  // Wait until its buffer stops growing (it re-splits the whole buffer on every read).
  const t0 = Date.now();
  let buffered = -1;
  for (;;) {
    await sleep(500);
    const now = (tail as unknown as { buffer: string }).buffer.length;
    if (now === buffered || Date.now() - t0 > 20_000) break;
    buffered = now;
  }
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const heapGrowth = Math.round((process.memoryUsage().heapUsed - heapBefore) / (1 << 20));
  tail.unwatch();
  return {
    test: `${mb} MiB line, no newline yet`,
    expected: 'bounded buffer (cut at max_line_bytes)',
    got: `buffer ${Math.round(buffered / (1 << 20))} MiB after ${seconds} s, heap +${heapGrowth} MiB, 0 lines`,
    pass: buffered <= 256 * 1024,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'node-tail-check-'));
  try {
    const rows = [await renameRotation(dir), await resume(dir), await truncation(dir), await longLine(dir)];
    console.log('node-tail 2.2.6 against the source stage cases');
    for (const r of rows) console.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.test.padEnd(36)} expected: ${r.expected.padEnd(40)} got: ${r.got}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
