import { defineConfig } from 'vitest/config';

/**
 * Files whose assertions are about time (alert latency through the real agent) run on their own,
 * after everything else: on a 2-core machine a parallel neighbour's spawned processes would add
 * hundreds of milliseconds that belong to the test machine, not to Sentinel.
 */
const SERIAL = 'test/**/*.serial.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    setupFiles: ['./test/helpers/remove-workspaces.ts'],
    projects: [
      {
        extends: true,
        // Integration tests spawn real processes; two cores, so keep the pool small.
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [SERIAL], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'serial', include: [SERIAL], maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
