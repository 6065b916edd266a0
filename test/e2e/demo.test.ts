// The quickstart's first command: `npm run demo` (= node dist/scripts/demo.js) with nothing
// configured prints the alert with its diagnosis and exits 0 once it has been delivered.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startProcess } from '../helpers/sentinel-process.js';

const DEMO = fileURLToPath(new URL('../../dist/scripts/demo.js', import.meta.url));

describe('npm run demo', () => {
  it('shows the pipeline failing in transform_data and Sentinel delivering its diagnosis', async () => {
    const demo = startProcess([DEMO]);
    const { code } = await demo.exited;
    const out = demo.stdout();
    expect(code, out + demo.stderr()).toBe(0);
    expect(out).toContain('RangeError: Division by zero');
    expect(out).toMatch(/transform-data\.ts:\d+ in transformData/);
    expect(out).toMatch(/Guard the zero/);
    expect(out).toMatch(/Sentinel delivered its alert \d+ ms after the run started/);
  });

  it('runs the other failure scenarios too', async () => {
    const demo = startProcess([DEMO, 'missing-column']);
    const { code } = await demo.exited;
    expect(code, demo.stdout() + demo.stderr()).toBe(0);
    expect(demo.stdout()).toMatch(/Column `amount_cents` is missing/);
  });
});
