// For any interleaving of matches, success records, ticks and restarts over time, each incident is
// announced (opened, or inside a digest) exactly once, before any re-alert or resolution of it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentUpdate } from '../../src/incident/incident-tracker.js';
import { event, fakeClock, harness, incidentsConfig, match, metricValue, rule, type Harness } from './helpers.js';

type Op =
  | { op: 'match'; fp: number; pipeline: number; dt: number }
  | { op: 'success'; pipeline: number; dt: number }
  | { op: 'tick'; dt: number }
  | { op: 'restart'; dt: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('match' as const), fp: fc.nat(7), pipeline: fc.nat(2), dt: fc.nat(4000) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('success' as const), pipeline: fc.nat(2), dt: fc.nat(4000) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('tick' as const), dt: fc.nat(20_000) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restart' as const), dt: fc.nat(5000) }) },
);

const configArb = fc.record({
  window_secs: fc.integer({ min: 1, max: 20 }),
  max_individual_alerts: fc.integer({ min: 1, max: 3 }),
  resolve_after_secs: fc.integer({ min: 5, max: 60 }),
  cooldown_secs: fc.integer({ min: 0, max: 30 }),
});

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sentinel-incident-prop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

class Ledger {
  announced = new Set<string>();
  resolved = new Set<string>();
  resolvedCount = 0;
  apply(updates: IncidentUpdate[]): void {
    for (const u of updates) {
      const list = u.kind === 'digest' ? (u.incidents ?? []) : u.incident ? [u.incident] : [];
      if (u.kind === 'digest') expect(list.length).toBeGreaterThan(1);
      for (const inc of list) {
        if (u.kind === 'opened' || u.kind === 'digest') {
          expect(this.announced.has(inc.id), `${inc.id} announced twice`).toBe(false);
          this.announced.add(inc.id);
        } else {
          expect(this.announced.has(inc.id), `${u.kind} of ${inc.id} before it was announced`).toBe(true);
          expect(this.resolved.has(inc.id), `${u.kind} of ${inc.id} after it resolved`).toBe(false);
          if (u.kind === 'resolved') {
            this.resolved.add(inc.id);
            this.resolvedCount += inc.count;
          }
        }
      }
    }
  }
}

describe('incident tracker property', () => {
  it('announces each incident exactly once until resolved, and counts every occurrence', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(opArb, { maxLength: 80 }), fc.boolean(), async (c, ops, withThreshold) => {
        const stateDir = path.join(dir, `run-${run++}`);
        const cfg = incidentsConfig({
          resolve_after_secs: c.resolve_after_secs,
          cooldown_secs: c.cooldown_secs,
          storm: { window_secs: c.window_secs, max_individual_alerts: c.max_individual_alerts },
        });
        const clock = fakeClock();
        let h: Harness = harness(cfg, stateDir, clock);
        const allMetrics: Harness['metrics'][] = [h.metrics];
        const ledger = new Ledger();
        const plain = rule({ id: 'plain' });
        const gated = rule({ id: 'gated', threshold: { count: 2, window_secs: 10 } });
        let matches = 0;
        for (const op of ops) {
          clock.advance(op.dt);
          if (op.op === 'match') {
            matches++;
            const r = withThreshold && op.fp >= 6 ? gated : plain;
            ledger.apply(h.tracker.observe(match(`fp-${op.fp}`, { rule: r, fields: { pipeline: `p${op.pipeline}` } })));
          } else if (op.op === 'success') ledger.apply(h.tracker.observeSuccess(event({ fields: { pipeline: `p${op.pipeline}` } })));
          else if (op.op === 'tick') ledger.apply(h.tracker.tick());
          else {
            await h.tracker.save();
            h = harness(cfg, stateDir, clock);
            allMetrics.push(h.metrics);
            await h.tracker.load();
          }
        }
        // Long after everything: every window closes, every incident resolves.
        clock.advance((c.window_secs + c.resolve_after_secs + 1) * 1000);
        ledger.apply(h.tracker.tick());
        ledger.apply(h.tracker.tick());
        expect(h.tracker.open()).toEqual([]);

        let openedTotal = 0;
        for (const m of allMetrics) openedTotal += await metricValue(m, 'sentinel_incidents_opened_total');
        expect(ledger.announced.size).toBe(openedTotal);
        expect([...ledger.announced].every((id) => ledger.resolved.has(id))).toBe(true);
        if (!withThreshold) expect(ledger.resolvedCount).toBe(matches);
      }),
      { numRuns: 150 },
    );
  });
});
