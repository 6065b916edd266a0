// The event loop's delay is sampled every EVENT_LOOP_SAMPLE_MS rather than prom-client's 10 ms, so
// that an idle agent is not woken 100 times a second (src/metrics/metrics.ts): a loop blocked for a
// few sampling periods must still show in nodejs_eventloop_lag_max_seconds. Run in a child process
// of its own: vitest's worker never feeds Node's delay monitor.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_LOOP_SAMPLE_MS } from '../../src/metrics/metrics.js';
import { REPO_ROOT } from '../helpers/sentinel-process.js';

describe('event loop lag, sampled every EVENT_LOOP_SAMPLE_MS', () => {
  it('still sees a loop blocked for three sampling periods', () => {
    const blockedMs = 3 * EVENT_LOOP_SAMPLE_MS;
    const script = `
      const { createMetrics } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/metrics/metrics.js'))});
      const { registry } = createMetrics();
      const read = async (name) => (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value ?? 0;
      // Each read resets the monitor, whose next sample then only restarts its clock: read no more
      // often than every few sampling periods, or nothing is ever recorded.
      const tick = () => new Promise((r) => setTimeout(r, ${3 * EVENT_LOOP_SAMPLE_MS}));
      // The monitor's first tick only starts its clock: block the loop once it has run a few.
      await tick();
      const until = performance.now() + ${blockedMs};
      while (performance.now() < until);
      let seen = 0;
      // (and not before the monitor's timer has run after the block: a read first would reset it)
      for (let i = 0; i < 40 && seen < ${blockedMs / 2 / 1000}; i++) {
        await tick();
        seen = Math.max(seen, await read('nodejs_eventloop_lag_max_seconds'));
      }
      console.log(seen);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(Number(result.stdout.trim())).toBeGreaterThanOrEqual(blockedMs / 2 / 1000);
  });
});

describe('event loop lag while the sampler is paused (an idle agent)', () => {
  it('reads as no delay rather than an empty histogram, and sees a blocked loop again once resumed', () => {
    const blockedMs = 3 * EVENT_LOOP_SAMPLE_MS;
    const script = `
      const { createMetrics } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/metrics/metrics.js'))});
      const { registry, eventLoopSampling } = createMetrics();
      const read = async (name) => (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value;
      const tick = () => new Promise((r) => setTimeout(r, ${3 * EVENT_LOOP_SAMPLE_MS}));
      await tick();
      await read('nodejs_eventloop_lag_min_seconds'); // summarised and reset
      eventLoopSampling.pause();
      await new Promise((r) => setTimeout(r, 1100)); // past the summary's once-a-second limit
      const paused = { min: await read('nodejs_eventloop_lag_min_seconds'), mean: await read('nodejs_eventloop_lag_mean_seconds') };
      eventLoopSampling.resume();
      await tick();
      const until = performance.now() + ${blockedMs};
      while (performance.now() < until);
      let seen = 0;
      for (let i = 0; i < 40 && seen < ${blockedMs / 2 / 1000}; i++) {
        await tick();
        seen = Math.max(seen, (await read('nodejs_eventloop_lag_max_seconds')) ?? 0);
      }
      console.log(JSON.stringify({ paused, seen }));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const { paused, seen } = JSON.parse(result.stdout.trim()) as { paused: { min: number; mean: number }; seen: number };
    expect(paused).toEqual({ min: 0, mean: 0 });
    expect(seen).toBeGreaterThanOrEqual(blockedMs / 2 / 1000);
  });
});
