// Issue 7's measure: 10,000 error lines of 100 distinct causes across 50 files arrive within 10 s.
// Every occurrence is counted, exactly 100 incidents open, the alerts are bounded, nothing is lost.
import { describe, expect, it } from 'vitest';
import type { IncidentUpdate } from '../../src/incident/incident-tracker.js';
import { harness, incidentsConfig, match, metricValue, rule } from './helpers.js';

const LINES = 10_000;
const CAUSES = 100;
const FILES = 50;
const DURATION_MS = 10_000;

describe.each([
  { window_secs: 30, max_individual_alerts: 1 },
  { window_secs: 10, max_individual_alerts: 3 },
  { window_secs: 2, max_individual_alerts: 1 },
])('storm of %o', (storm) => {
  it('counts every occurrence, opens exactly 100 incidents, alerts a bounded number of times and loses none', async () => {
    const { tracker, clock, metrics } = harness(incidentsConfig({ storm, resolve_after_secs: 600, cooldown_secs: 300 }));
    const rules = [rule({ id: 'python-traceback', severity: 'error' }), rule({ id: 'dagster-step-failure', severity: 'critical' })];
    const updates: IncidentUpdate[] = [];
    let nextTick = clock.now() + 1000;
    for (let i = 0; i < LINES; i++) {
      // A new cause appears every 99 lines (all 100 by 9.8 s), the known ones interleaved as lines from 50 files would be.
      const known = Math.min(CAUSES, 1 + Math.floor(i / 99));
      const cause = i % 99 === 0 ? known - 1 : (i * 37) % known;
      const r = rules[cause % 2] ?? rules[0];
      updates.push(
        ...tracker.observe(
          match(`cause-${cause}`, {
            rule: r,
            message: `Job ${i} failed: upstream 503 (cause ${cause})`,
            file: `/var/log/jobs/job-${i % FILES}.log`,
            fields: { pipeline: `pipeline-${cause % 10}`, step: `step-${cause}` },
          }),
        ),
      );
      clock.advance(DURATION_MS / LINES);
      if (clock.now() >= nextTick) {
        updates.push(...tracker.tick());
        nextTick += 1000;
      }
    }
    // Let every storm window close (well short of resolve_after_secs and of the cooldown).
    for (let s = 0; s < 2 * storm.window_secs + 2; s++) {
      clock.advance(1000);
      updates.push(...tracker.tick());
    }

    const open = tracker.open();
    expect(open).toHaveLength(CAUSES);
    expect(open.reduce((sum, i) => sum + i.count, 0)).toBe(LINES);
    expect(new Set(open.map((i) => i.fingerprint)).size).toBe(CAUSES);
    expect(await metricValue(metrics, 'sentinel_incidents_opened_total')).toBe(CAUSES);
    expect(await metricValue(metrics, 'sentinel_incidents_open')).toBe(CAUSES);

    // Bounded: the individual allowance, then one digest per window at most.
    const windows = Math.ceil(DURATION_MS / (storm.window_secs * 1000)) + 1;
    expect(updates.every((u) => u.kind === 'opened' || u.kind === 'digest')).toBe(true);
    expect(updates.filter((u) => u.kind === 'opened').length).toBeLessThanOrEqual(storm.max_individual_alerts + windows);
    expect(updates.length).toBeLessThanOrEqual(storm.max_individual_alerts + windows);
    expect(updates.filter((u) => u.kind === 'digest').length).toBe(await metricValue(metrics, 'sentinel_digest_alerts_total'));

    // Nothing lost: every incident announced exactly once, in an opened update or a digest.
    const announced = updates.flatMap((u) => (u.kind === 'digest' ? (u.incidents ?? []) : u.incident ? [u.incident] : [])).map((i) => i.id);
    expect(announced).toHaveLength(CAUSES);
    expect(new Set(announced)).toEqual(new Set(open.map((i) => i.id)));

    console.log(
      `storm window=${storm.window_secs}s individual=${storm.max_individual_alerts}: ${LINES} lines → ${open.length} incidents, ` +
        `${updates.length} alerts (${updates.filter((u) => u.kind === 'digest').length} digests)`,
    );
  });
});
