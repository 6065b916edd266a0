import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { hostileRecords, hostileRequest } from './hostile-records.js';

// Before the fix each of these took 0.6-2 s (a quadratic regex per 3,000-character line); after,
// well under 0.1 s on a busy 2-core machine. The bound is generous: it catches a return of the
// quadratic class, not a slowdown.
describe('hostile records (timed)', () => {
  it('are each analysed in well under the quadratic time', () => {
    for (const text of hostileRecords()) {
      const started = performance.now();
      analyse(hostileRequest(text), { readSourceFiles: false });
      expect(performance.now() - started).toBeLessThan(400);
    }
  });
});
