// The tailer's whole-buffer screen (src/source/screened-split.ts) through the real file source and
// the real detector (embedded defaults, every pack): whatever it skips, every record the record
// screen lets through still arrives whole, in order, with its origin, its multi-line tail and the
// context lines above it; every line is counted and the checkpoint reaches the end of the file.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/load-config.js';
import { createDetector } from '../../src/detect/detector.js';
import { parseRecord } from '../../src/parse/parse-record.js';
import { READ_CHUNK_BYTES } from '../../src/source/read-records-from-file.js';
import type { RawRecord } from '../../src/types.js';
import { harness, metricValue, sourceConfig, tempDir, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const detector = createDetector(defaultConfig({}));
const CONTEXT = 20;

const info = (i: number): string => `{"ts":"2026-12-03T03:00:00.${String(i % 1000).padStart(3, '0')}Z","level":"info","pipeline":"aio_pipeline","msg":"batch ${i} rows=${i % 977}"}`;
const failing = (i: number): string =>
  `{"level":"error","pipeline":"aio_pipeline","step":"load","event":"step_failed","msg":"Execution of step \\"load_${i}\\" failed: ZeroDivisionError: division by zero"}`;
const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/app/steps/load.py", line 42, in run',
  '    total / count',
  'ZeroDivisionError: division by zero',
];

/** Runs the file through a source with and without the buffer screen; returns both record lists. */
async function readBothWays(content: string, maxLineBytes = 256 * 1024, maxBatchRecords = 4096, search = detector.screen.bufferSearch): Promise<{ screened: RawRecord[]; plain: RawRecord[]; lines: number; size: number }> {
  const { dir, cleanup } = await tempDir('sentinel-screened-');
  cleanups.push(cleanup);
  await mkdir(join(dir, 'logs'));
  const file = join(dir, 'logs', 'app.log');
  await writeFile(file, content);
  const size = (await readFile(file)).length;
  const run = async (screen: boolean): Promise<{ records: RawRecord[]; lines: number }> => {
    const h = harness(sourceConfig([file], { max_line_bytes: maxLineBytes }), join(dir, screen ? 'state-screened' : 'state-plain'), {
      maxBatchRecords,
      ...(screen && search ? { bufferScreen: () => ({ search, before: CONTEXT, after: 0 }) } : {}),
    });
    cleanups.push(() => h.source.stop());
    await h.source.start();
    await waitFor('caught up', () => h.source.files()[0]?.offset === size, () => h.source.files(), 20_000);
    await h.source.stop();
    return { records: h.records, lines: await metricValue(h.metrics, 'sentinel_log_lines_total', { source: 'test' }) };
  };
  const screened = await run(true);
  const plain = await run(false);
  expect(screened.lines).toBe(plain.lines);
  return { screened: screened.records, plain: plain.records, lines: plain.lines, size };
}

/** The records the agent would parse (the record screen lets them through), without their read time. */
const interesting = (records: RawRecord[]): Array<Pick<RawRecord, 'text' | 'origin'>> =>
  records.filter((r) => detector.screen(r.text)).map(({ text, origin }) => ({ text, origin }));

/** Ordinary lines until fewer than `margin` bytes are left in the first read buffer. */
function linesUpToTheFirstReadEnd(margin: number): { out: string[]; bytes: number; next: number } {
  const out: string[] = [];
  let bytes = 0;
  while (bytes + margin < READ_CHUNK_BYTES) {
    const l = info(out.length);
    out.push(l);
    bytes += Buffer.byteLength(l) + 1;
  }
  return { out, bytes, next: out.length };
}

describe('buffer screen in the tailer', () => {
  it('has a buffer search with the embedded defaults', () => {
    expect(detector.screen.bufferSearch).toEqual(expect.any(Function));
  });

  it('a failing record straddling the read-buffer boundary and a traceback around a hit are still joined and detected, with their context', async () => {
    // Filled (with the padding below) up to 50 bytes before the first buffer's end, so the failing line crosses it.
    const { out, bytes, next } = linesUpToTheFirstReadEnd(400);
    let i = next;
    const padding = '{"level":"info","msg":"pad"}';
    out.push(padding.replace('pad', 'p'.repeat(READ_CHUNK_BYTES - 50 - bytes - padding.length - 1 + 3)));
    const straddling = failing(1);
    out.push(straddling);
    for (let k = 0; k < 500; k++) out.push(info(i++));
    // A JSON failure followed by the Python traceback that explains it (non-JSON lines), then more JSON.
    const before = out.slice(-CONTEXT);
    out.push(failing(2), ...TRACEBACK);
    for (let k = 0; k < 3000; k++) out.push(info(i++));
    const content = out.join('\n') + '\n';
    expect(Buffer.byteLength(content)).toBeGreaterThan(READ_CHUNK_BYTES);
    expect(content.indexOf(straddling)).toBeLessThan(READ_CHUNK_BYTES);
    expect(content.indexOf(straddling) + straddling.length).toBeGreaterThan(READ_CHUNK_BYTES);

    const { screened, plain, lines, size } = await readBothWays(content);
    expect(lines).toBe(out.length);
    // Far fewer records materialised, and every one the agent would parse is there, identical.
    expect(screened.length).toBeLessThan(plain.length / 4);
    expect(interesting(screened)).toEqual(interesting(plain));

    const straddled = screened.find((r) => r.text === straddling);
    expect(straddled?.origin).toMatchObject({ offset: content.indexOf(straddling), line: out.indexOf(straddling) + 1 });
    const traceback = screened.find((r) => r.text.startsWith('Traceback'));
    expect(traceback?.text).toBe(TRACEBACK.join('\n'));
    for (const r of [straddled, traceback]) {
      const { event } = parseRecord(r as RawRecord, 'auto');
      expect(detector.match(event).length).toBeGreaterThan(0);
    }
    // The context window's view: the 20 records above the second failure arrive just before it.
    const at = screened.findIndex((r) => r.text === failing(2));
    expect(screened.slice(at - CONTEXT, at).map((r) => r.text)).toEqual(before);
    expect(Math.max(...screened.map((r) => r.origin.endOffset))).toBeLessThanOrEqual(size);
  });

  it('agrees with the plain path on mixed input (CRLF, blank lines, escapes, cut JSON, over-long lines, text records), batches full or not', async () => {
    const out: string[] = [];
    for (let i = 0; i < 12_000; i++) {
      out.push(info(i));
      if (i % 997 === 5) out.push(failing(i));
      if (i % 1499 === 7) out.push('');
      if (i % 1777 === 9) out.push(`{"level":"info","msg":"caf\\u00e9 ${i}"}`);
      if (i % 2003 === 11) out.push(`{"level":"info","msg":"cut record ${i}`);
      if (i % 2503 === 13) out.push(`{"level":"info","msg":"${'x'.repeat(5000)}"}`);
      if (i % 3001 === 17) out.push(`2026-12-03 03:00:00 ERROR step ${i} failed`, ...TRACEBACK);
      if (i % 3500 === 19) out.push(`{"level":"info","msg":"windows line ${i}"}\r`);
      if (i % 4000 === 23) out.push(`{"level":"info","message":"ünïcödé ${i}","err":{"type":"X"}}`);
    }
    const content = out.join('\n') + '\n';
    const { screened, plain } = await readBothWays(content, 4096);
    expect(interesting(screened)).toEqual(interesting(plain));
    // Tiny batches: the source stops mid-buffer (inside the held context lines too) and reads on from there.
    const small = await readBothWays(content, 4096, 7);
    expect(interesting(small.screened)).toEqual(interesting(small.plain));
    expect(screened.length).toBeLessThan(plain.length / 4);
    // Records come in file order.
    const offsets = screened.map((r) => r.origin.offset);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });

  it('a UTF-8 character cut by the read-buffer boundary, then a failure spelled in upper case opening the next read: decoded whole, found, its context the lines of the read before', async () => {
    const { out, next } = linesUpToTheFirstReadEnd(600);
    let i = next;
    // Two-, three- and four-byte characters, repeated so that one of them straddles the boundary.
    const wide = `{"level":"info","msg":"${'é€🙂'.repeat(120)}"}`;
    out.push(wide);
    const shouting = '{"level":"ERROR","pipeline":"aio_pipeline","msg":"STEP LOAD FAILED: DIVISION BY ZERO"}';
    out.push(shouting);
    for (let k = 0; k < 300; k++) out.push(info(i++));
    const content = out.join('\n') + '\n';
    const wideAt = Buffer.byteLength(out.slice(0, -302).join('\n') + '\n');
    expect(wideAt).toBeLessThan(READ_CHUNK_BYTES);
    expect(wideAt + Buffer.byteLength(wide)).toBeGreaterThan(READ_CHUNK_BYTES);

    const { screened, plain } = await readBothWays(content);
    expect(interesting(screened)).toEqual(interesting(plain));
    expect(screened.some((r) => r.text === wide)).toBe(true);
    const at = screened.findIndex((r) => r.text === shouting);
    expect(at).toBeGreaterThan(0);
    const { event } = parseRecord(screened[at] as RawRecord, 'auto');
    expect(detector.match(event).length).toBeGreaterThan(0);
    // The context above it: the 20 records before it in the file, the wide one last, none skipped.
    expect(screened.slice(at - CONTEXT, at).map((r) => r.text)).toEqual(out.slice(-302 - CONTEXT + 1, -301));
  });

  it('a multi-line text record whose first line holds no literal and a later line does is still joined whole and detected', async () => {
    const out: string[] = [];
    for (let k = 0; k < 2000; k++) out.push(info(k));
    const report = ['2026-12-03 03:00:00 step load finished with the output below', '    rows read: 120', '    ZeroDivisionError: division by zero'];
    out.push(...report);
    for (let k = 2000; k < 4000; k++) out.push(info(k));
    const { screened, plain } = await readBothWays(out.join('\n') + '\n');
    expect(interesting(screened)).toEqual(interesting(plain));
    const joined = screened.find((r) => r.text.startsWith('2026-12-03 03:00:00 step load'));
    expect(joined?.text).toBe(report.join('\n'));
    const { event } = parseRecord(joined as RawRecord, 'auto');
    expect(detector.match(event).length).toBeGreaterThan(0);
  });

  it('marks the context lines it passed over as screened out (no second look), and only lines the record screen rules out', async () => {
    const out: string[] = [];
    const coloured = (i: number): string => `{"level":"info","msg":"\u001b[31mcoloured ${i}\u001b[0m"}`; // raw ESC bytes, as a terminal logger writes
    for (let i = 0; i < 6000; i++) {
      if (i % 997 === 4) out.push(coloured(i));
      if (i % 997 === 5) out.push(failing(i), ...TRACEBACK);
      out.push(info(i));
    }
    const { screened, plain } = await readBothWays(out.join('\n') + '\n');
    expect(interesting(screened)).toEqual(interesting(plain));
    const marked = screened.filter((r) => r.screenedBy !== undefined);
    // The 20 lines above each of the 7 failures and the last lines of each read, less the coloured ones.
    expect(marked.length).toBeGreaterThan(100);
    for (const r of marked) {
      expect(r.screenedBy).toBe(detector.screen.bufferSearch);
      expect(detector.screen(r.text)).toBe(false);
      expect(r.text.startsWith('{') && r.text.endsWith('}')).toBe(true);
    }
    // Hits, their tracebacks, and lines neutralising changed (the screen would not see what was searched) get the second look.
    const unmarked = screened.filter((r) => r.screenedBy === undefined).map((r) => r.text);
    expect(unmarked).toEqual(expect.arrayContaining([failing(5), TRACEBACK.join('\n')]));
    const colouredKept = screened.filter((r) => r.text.includes('coloured'));
    expect(colouredKept.length).toBeGreaterThan(0);
    expect(colouredKept.every((r) => r.screenedBy === undefined)).toBe(true);
    // The ordinary path marks nothing.
    expect(plain.some((r) => r.screenedBy !== undefined)).toBe(false);
  });

  it('is off when one rule needs no literal: every record is materialised and judged', async () => {
    const config = defaultConfig({});
    const anyError = createDetector({ ...config, rules: [{ id: 'any-error', enabled: true, match: { has_error: true }, severity: 'error', labels: {} }] });
    expect(anyError.screen.bufferSearch).toBeNull();
    const out = Array.from({ length: 500 }, (_, k) => info(k));
    const { screened, plain } = await readBothWays(out.join('\n') + '\n', 256 * 1024, 4096, anyError.screen.bufferSearch);
    expect(screened.map((r) => r.text)).toEqual(out);
    expect(screened.length).toBe(plain.length);
  });
});
