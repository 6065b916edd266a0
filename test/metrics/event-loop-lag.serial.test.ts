// The event loop's delay is sampled every EVENT_LOOP_SAMPLE_MS rather than prom-client's 10 ms, so
// that an idle agent is not woken 100 times a second (src/metrics/metrics.ts): a loop blocked for a
// few sampling periods must still show in nodejs_eventloop_lag_max_seconds. Run in a child process
// of its own: vitest's worker never feeds Node's delay monitor.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_LOOP_SAMPLE_MS } from '../../src/metrics/metrics.js';
import { REPO_ROOT } from '../helpers/sentinel-process.js';

const BLOCKED_MS = 3 * EVENT_LOOP_SAMPLE_MS;

/**
 * A module script for a child process: `registry`, `eventLoopSampling`, `read(name)` (undefined when
 * absent) and `tick()` in scope, then `body`, which prints its finding on stdout. Each read resets the
 * monitor, whose next sample then only restarts its clock: read no more often than every few sampling
 * periods (`tick`), or nothing is ever recorded.
 */
function runScript(body: string): string {
  const script = `
    const { createMetrics } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/metrics/metrics.js'))});
    const { registry, eventLoopSampling } = createMetrics();
    const read = async (name) => (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value;
    const tick = () => new Promise((r) => setTimeout(r, ${3 * EVENT_LOOP_SAMPLE_MS}));
    ${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

/**
 * Script lines: the monitor's first tick only starts its clock, so the loop is blocked once it has run
 * a few; then the largest delay read (not before the monitor's timer has run after the block: a read
 * first would reset it) is left in `seen`.
 */
const BLOCK_AND_SEE = `
    await tick();
    const until = performance.now() + ${BLOCKED_MS};
    while (performance.now() < until);
    let seen = 0;
    for (let i = 0; i < 40 && seen < ${BLOCKED_MS / 2 / 1000}; i++) {
      await tick();
      seen = Math.max(seen, (await read('nodejs_eventloop_lag_max_seconds')) ?? 0);
    }`;

describe('event loop lag, sampled every EVENT_LOOP_SAMPLE_MS', () => {
  it('still sees a loop blocked for three sampling periods', () => {
    const seen = Number(runScript(`${BLOCK_AND_SEE}\n    console.log(seen);`));
    expect(seen).toBeGreaterThanOrEqual(BLOCKED_MS / 2 / 1000);
  });
});

describe('event loop lag while the sampler is paused (an idle agent)', () => {
  it('reads as no delay rather than an empty histogram, and sees a blocked loop again once resumed', () => {
    const out = runScript(`
    await tick();
    await read('nodejs_eventloop_lag_min_seconds'); // summarised and reset
    eventLoopSampling.pause();
    await new Promise((r) => setTimeout(r, 1100)); // past the summary's once-a-second limit
    const paused = { min: await read('nodejs_eventloop_lag_min_seconds'), mean: await read('nodejs_eventloop_lag_mean_seconds') };
    eventLoopSampling.resume();
    ${BLOCK_AND_SEE}
    console.log(JSON.stringify({ paused, seen }));`);
    const { paused, seen } = JSON.parse(out) as { paused: { min: number; mean: number }; seen: number };
    expect(paused).toEqual({ min: 0, mean: 0 });
    expect(seen).toBeGreaterThanOrEqual(BLOCKED_MS / 2 / 1000);
  });
});
