import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/types.js';
import { event, harness, incidentsConfig, kinds, match, metricValue, rule, withTempDir } from './helpers.js';

const SEC = 1000;

describe('incident tracker: dedup', () => {
  it('folds one failure repeated 1,000 times into one incident and one alert', async () => {
    const { tracker, clock, metrics } = harness();
    const updates = [];
    for (let i = 0; i < 1000; i++) {
      updates.push(...tracker.observe(match('etl:load:KeyError', { message: `KeyError: 'id' at row ${i}` })));
      clock.advance(10);
      if (i % 100 === 0) updates.push(...tracker.tick());
    }
    expect(kinds(updates)).toEqual(['opened']);
    const open = tracker.open();
    expect(open).toHaveLength(1);
    expect(open[0]?.count).toBe(1000);
    expect(open[0]?.samples.length).toBe(5);
    // First three and the last two kept.
    expect(open[0]?.samples.map((s) => s.message)).toEqual([
      "KeyError: 'id' at row 0",
      "KeyError: 'id' at row 1",
      "KeyError: 'id' at row 2",
      "KeyError: 'id' at row 998",
      "KeyError: 'id' at row 999",
    ]);
    expect(await metricValue(metrics, 'sentinel_incidents_opened_total', { rule: 'step-failed', severity: 'error' })).toBe(1);
    expect(await metricValue(metrics, 'sentinel_incidents_suppressed_total')).toBe(999);
    expect(await metricValue(metrics, 'sentinel_incidents_open')).toBe(1);
  });

  it('keeps two different fingerprints apart', () => {
    const { tracker } = harness(incidentsConfig({ storm: { window_secs: 30, max_individual_alerts: 5 } }));
    const a = tracker.observe(match('etl:load:KeyError'));
    const b = tracker.observe(match('etl:load:TimeoutError'));
    expect(kinds(a)).toEqual(['opened']);
    expect(kinds(b)).toEqual(['opened']);
    expect(a[0]?.incident?.id).not.toBe(b[0]?.incident?.id);
    expect(tracker.open().map((i) => i.fingerprint).sort()).toEqual(['etl:load:KeyError', 'etl:load:TimeoutError']);
  });

  it('derives pipeline, step, run, title, source and file from the event', () => {
    const { tracker } = harness();
    const [u] = tracker.observe(
      match('fp', {
        fields: { pipeline: 'daily_etl', step_key: 'transform', run_id: 'r-42' },
        error: { type: 'KeyError', message: "'customer_id'\nmore" },
        file: '/logs/daily.log',
      }),
    );
    expect(u?.incident).toMatchObject({
      pipeline: 'daily_etl',
      step: 'transform',
      runId: 'r-42',
      title: "KeyError: 'customer_id'",
      source: 'etl',
      file: '/logs/daily.log',
      status: 'open',
      count: 1,
    });
    expect(u?.incident?.id).toMatch(/^inc-[0-9a-z]{9}-[0-9a-f]{8}$/);
  });

  it('hands out snapshots: later repeats do not change an alert already returned', () => {
    const { tracker } = harness();
    const [u] = tracker.observe(match('fp'));
    tracker.observe(match('fp'));
    expect(u?.incident?.count).toBe(1);
    expect(tracker.get(u?.incident?.id ?? '')?.count).toBe(2);
  });
});

describe('incident tracker: thresholds', () => {
  const thresholdRule = rule({ id: 'slow-query', threshold: { count: 3, window_secs: 60 } });

  it('opens only when count is reached within the window, with the count that crossed it', async () => {
    const { tracker, clock, metrics } = harness();
    expect(tracker.observe(match('q', { rule: thresholdRule }))).toEqual([]);
    clock.advance(61 * SEC); // the first hit falls out of the window
    expect(tracker.observe(match('q', { rule: thresholdRule }))).toEqual([]);
    clock.advance(10 * SEC);
    expect(tracker.observe(match('q', { rule: thresholdRule }))).toEqual([]);
    clock.advance(10 * SEC);
    const crossed = tracker.observe(match('q', { rule: thresholdRule }));
    expect(kinds(crossed)).toEqual(['opened']);
    expect(crossed[0]?.incident?.count).toBe(3);
    expect(await metricValue(metrics, 'sentinel_incidents_suppressed_total', { reason: 'threshold' })).toBe(3);
    // Once open, further matches are repeats.
    expect(tracker.observe(match('q', { rule: thresholdRule }))).toEqual([]);
    expect(tracker.open()[0]?.count).toBe(4);
  });

  it('counts per fingerprint by default', () => {
    const { tracker } = harness(incidentsConfig({ storm: { window_secs: 30, max_individual_alerts: 10 } }));
    const out = [];
    for (let i = 0; i < 2; i++) for (const fp of ['a', 'b']) out.push(...tracker.observe(match(fp, { rule: thresholdRule })));
    expect(out).toEqual([]);
    out.push(...tracker.observe(match('a', { rule: thresholdRule })));
    expect(out.map((u) => u.incident?.fingerprint)).toEqual(['a']);
  });

  it('counts per group_by field values when given', () => {
    const grouped = rule({ id: 'conn-refused', threshold: { count: 3, window_secs: 60, group_by: ['pipeline'] } });
    const { tracker } = harness(incidentsConfig({ storm: { window_secs: 30, max_individual_alerts: 10 } }));
    const at = (pipeline: string, fp: string) => tracker.observe(match(fp, { rule: grouped, fields: { pipeline } }));
    // Different fingerprints, same pipeline: they add up.
    expect(at('etl', 'x1')).toEqual([]);
    expect(at('etl', 'x2')).toEqual([]);
    expect(at('billing', 'x3')).toEqual([]);
    const crossed = at('etl', 'x4');
    expect(crossed.map((u) => [u.kind, u.incident?.pipeline, u.incident?.count])).toEqual([['opened', 'etl', 3]]);
    // billing is still below its own threshold.
    expect(at('billing', 'x5')).toEqual([]);
  });
});

describe('incident tracker: cooldown re-alerts', () => {
  it('re-alerts after the cooldown with the count so far, only when new occurrences came', async () => {
    const { tracker, clock, metrics } = harness(incidentsConfig({ cooldown_secs: 60 }));
    expect(kinds(tracker.observe(match('fp')))).toEqual(['opened']);
    for (let i = 0; i < 9; i++) {
      clock.advance(5 * SEC);
      expect(tracker.observe(match('fp'))).toEqual([]);
      expect(tracker.tick()).toEqual([]);
    }
    expect(await metricValue(metrics, 'sentinel_incidents_suppressed_total', { reason: 'duplicate' })).toBe(9);
    clock.advance(16 * SEC); // 61 s after the alert
    const re = tracker.tick();
    expect(kinds(re)).toEqual(['repeated']);
    expect(re[0]?.incident?.count).toBe(10);
    // Nothing new since: no further re-alert, however long we wait (short of resolving).
    clock.advance(120 * SEC);
    expect(tracker.tick()).toEqual([]);
    tracker.observe(match('fp'));
    expect(tracker.tick().map((u) => [u.kind, u.incident?.count])).toEqual([['repeated', 11]]);
  });

  it("uses the rule's own cooldown over the default", () => {
    const { tracker, clock } = harness(incidentsConfig({ cooldown_secs: 3600 }));
    const fast = rule({ cooldownSecs: 10 });
    tracker.observe(match('fp', { rule: fast }));
    tracker.observe(match('fp', { rule: fast }));
    clock.advance(9 * SEC);
    expect(tracker.tick()).toEqual([]);
    clock.advance(1 * SEC);
    expect(kinds(tracker.tick())).toEqual(['repeated']);
  });
});

describe('incident tracker: resolution', () => {
  it('resolves after resolve_after_secs of quiet, and a recurrence opens a new incident', async () => {
    const { tracker, clock, metrics } = harness(incidentsConfig({ resolve_after_secs: 120 }));
    const [opened] = tracker.observe(match('fp'));
    clock.advance(100 * SEC);
    tracker.observe(match('fp'));
    clock.advance(119 * SEC);
    expect(tracker.tick()).toEqual([]);
    clock.advance(1 * SEC);
    const resolved = tracker.tick();
    expect(resolved.map((u) => [u.kind, u.incident?.id, u.incident?.status, u.incident?.count])).toEqual([
      ['resolved', opened?.incident?.id, 'resolved', 2],
    ]);
    expect(tracker.open()).toEqual([]);
    expect(tracker.get(opened?.incident?.id ?? '')?.status).toBe('resolved');
    expect(await metricValue(metrics, 'sentinel_incidents_resolved_total', { rule: 'step-failed' })).toBe(1);
    expect(await metricValue(metrics, 'sentinel_incidents_open')).toBe(0);

    clock.advance(3600 * SEC); // past the storm window too: a quiet period
    const again = tracker.observe(match('fp'));
    expect(kinds(again)).toEqual(['opened']);
    expect(again[0]?.incident?.id).not.toBe(opened?.incident?.id);
    expect(again[0]?.incident?.count).toBe(1);
  });

  it('resolves on a success record of the same pipeline and step only', () => {
    const { tracker } = harness(incidentsConfig({ storm: { window_secs: 30, max_individual_alerts: 10 } }));
    const a = tracker.observe(match('a', { fields: { pipeline: 'etl', step: 'load' } }))[0]?.incident;
    const b = tracker.observe(match('b', { fields: { pipeline: 'etl', step: 'transform' } }))[0]?.incident;
    const c = tracker.observe(match('c', { fields: { pipeline: 'billing', step: 'load' } }))[0]?.incident;
    const ok = (fields: Record<string, unknown>) => tracker.observeSuccess(event({ message: 'run_succeeded', fields }));

    expect(ok({ pipeline: 'other' })).toEqual([]);
    expect(ok({ pipeline: 'etl', step: 'extract' })).toEqual([]);
    const r1 = ok({ pipeline: 'etl', step: 'load' });
    expect(r1.map((u) => [u.kind, u.incident?.id])).toEqual([['resolved', a?.id]]);
    // No step named: the whole pipeline.
    const r2 = ok({ pipeline: 'etl' });
    expect(r2.map((u) => u.incident?.id)).toEqual([b?.id]);
    expect(tracker.open().map((i) => i.id)).toEqual([c?.id]);
  });

  it('a success that names no pipeline resolves only pipeline-less incidents of its own file', () => {
    const { tracker } = harness(incidentsConfig({ storm: { window_secs: 30, max_individual_alerts: 10 } }));
    tracker.observe(match('a', { file: '/l/a.log' }));
    tracker.observe(match('b', { file: '/l/b.log' }));
    tracker.observe(match('c', { file: '/l/a.log', fields: { pipeline: 'etl' } }));
    const r = tracker.observeSuccess(event({ message: 'Run succeeded', file: '/l/a.log' }));
    expect(r.map((u) => u.incident?.fingerprint)).toEqual(['a']);
  });
});

describe('incident tracker: persistence', () => {
  it('a new tracker over the same state_dir keeps open incidents and counts, and does not re-alert them', async () => {
    await withTempDir(async (dir) => {
      const cfg = incidentsConfig({ cooldown_secs: 60, storm: { window_secs: 30, max_individual_alerts: 10 } });
      const first = harness(cfg, dir);
      const [opened] = first.tracker.observe(match('fp', { fields: { pipeline: 'etl' } }));
      for (let i = 0; i < 4; i++) first.tracker.observe(match('fp'));
      first.tracker.observe(match('other-threshold', { rule: rule({ id: 't', threshold: { count: 2, window_secs: 60 } }) }));
      const diagnosis = { category: 'code_bug', summary: 'bad key' } as Diagnosis;
      first.tracker.setDiagnosis(opened?.incident?.id ?? '', diagnosis);
      await first.tracker.save();
      expect(JSON.parse(await readFile(path.join(dir, 'incidents.json'), 'utf8'))).toMatchObject({ version: 1 });

      const second = harness(cfg, dir, first.clock);
      await second.tracker.load();
      first.clock.advance(1 * SEC);
      expect(second.tracker.tick()).toEqual([]);
      expect(second.tracker.observe(match('fp'))).toEqual([]);
      const [inc] = second.tracker.open();
      expect(inc).toMatchObject({ id: opened?.incident?.id, count: 6, pipeline: 'etl', diagnosis: { summary: 'bad key' } });
      expect(await metricValue(second.metrics, 'sentinel_incidents_open')).toBe(1);
      // The threshold window survived: one more hit crosses it.
      expect(kinds(second.tracker.observe(match('other-threshold', { rule: rule({ id: 't', threshold: { count: 2, window_secs: 60 } }) })))).toEqual([
        'opened',
      ]);
      // The last alert time survived: the re-alert comes when the cooldown since the original alert passes.
      first.clock.advance(60 * SEC);
      expect(second.tracker.tick().map((u) => [u.kind, u.incident?.count])).toEqual([['repeated', 6]]);
    });
  });

  it('a digest still pending at shutdown goes out after the restart', async () => {
    await withTempDir(async (dir) => {
      const cfg = incidentsConfig({ storm: { window_secs: 10, max_individual_alerts: 1 } });
      const first = harness(cfg, dir);
      expect(kinds(first.tracker.observe(match('a')))).toEqual(['opened']);
      expect(first.tracker.observe(match('b'))).toEqual([]);
      expect(first.tracker.observe(match('c'))).toEqual([]);
      await first.tracker.save();
      const second = harness(cfg, dir, first.clock);
      await second.tracker.load();
      first.clock.advance(10 * SEC);
      const out = second.tracker.tick();
      expect(out.map((u) => [u.kind, u.incidents?.map((i) => i.fingerprint)])).toEqual([['digest', ['b', 'c']]]);
    });
  });

  it('starts empty, and sets the file aside, when the state file is corrupt', async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'incidents.json'), '{"version":1,"open":[');
      const { tracker } = harness(incidentsConfig(), dir);
      await tracker.load();
      expect(tracker.size).toBe(0);
      expect(await readFile(path.join(dir, 'incidents.json.corrupt'), 'utf8')).toContain('"open"');
      tracker.observe(match('fp'));
      await tracker.save();
      expect(JSON.parse(await readFile(path.join(dir, 'incidents.json'), 'utf8')).open).toHaveLength(1);
    });
  });

  it('serialises concurrent saves and leaves no temp file', async () => {
    await withTempDir(async (dir) => {
      const { tracker } = harness(incidentsConfig(), dir);
      tracker.observe(match('fp'));
      await Promise.all([tracker.save(), tracker.save(), tracker.save()]);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(dir)).toEqual(['incidents.json']);
    });
  });

  it('does nothing on disk without a state_dir', async () => {
    const { tracker } = harness(incidentsConfig(), null);
    await tracker.load();
    tracker.observe(match('fp'));
    await expect(tracker.save()).resolves.toBeUndefined();
  });
});

describe('incident tracker: memory bound', () => {
  it('keeps at most max_tracked entries, evicting the least recently seen, counted', async () => {
    const { tracker, clock, metrics } = harness(
      incidentsConfig({ max_tracked: 50, resolve_after_secs: 5, storm: { window_secs: 1, max_individual_alerts: 1000 } }),
    );
    // 30 incidents that resolve, then 40 open ones: resolved go first.
    for (let i = 0; i < 30; i++) tracker.observe(match(`old-${i}`));
    clock.advance(6 * SEC);
    expect(tracker.tick().filter((u) => u.kind === 'resolved')).toHaveLength(30);
    for (let i = 0; i < 40; i++) {
      clock.advance(1);
      tracker.observe(match(`new-${i}`));
    }
    expect(tracker.size).toBe(50);
    expect(tracker.open()).toHaveLength(40);
    expect(await metricValue(metrics, 'sentinel_fingerprints_evicted_total')).toBe(20);
    // Then open ones, least recently seen first: new-0 is touched, so new-1.. go first.
    tracker.observe(match('new-0'));
    for (let i = 0; i < 45; i++) {
      clock.advance(1);
      tracker.observe(match(`more-${i}`));
    }
    expect(tracker.size).toBe(50);
    const open = tracker.open().map((i) => i.fingerprint);
    expect(open).toContain('new-0');
    expect(open).not.toContain('new-1');
    expect(open).not.toContain('new-35');
    expect(open).toContain('new-36');
    expect(await metricValue(metrics, 'sentinel_fingerprints_evicted_total')).toBe(65);
    expect(await metricValue(metrics, 'sentinel_incidents_open')).toBe(50);
  });

  it('bounds threshold windows too', () => {
    const { tracker } = harness(incidentsConfig({ max_tracked: 10 }));
    const r = rule({ threshold: { count: 5, window_secs: 60 } });
    for (let i = 0; i < 1000; i++) tracker.observe(match(`fp-${i}`, { rule: r }));
    expect(tracker.size).toBe(10);
  });
});

describe('incident tracker: storms', () => {
  it('sends the first incident at once and batches the others of the window into one digest', async () => {
    const { tracker, clock, metrics } = harness(incidentsConfig({ storm: { window_secs: 10, max_individual_alerts: 2 } }));
    const out = [];
    for (let i = 0; i < 200; i++) {
      out.push(...tracker.observe(match(`job-${i}`)));
      clock.advance(20);
      out.push(...tracker.tick());
    }
    expect(kinds(out)).toEqual(['opened', 'opened']);
    clock.advance(10 * SEC);
    const digest = tracker.tick();
    expect(kinds(digest)).toEqual(['digest']);
    expect(digest[0]?.incidents).toHaveLength(198);
    expect(await metricValue(metrics, 'sentinel_incidents_opened_total')).toBe(200);
    expect(await metricValue(metrics, 'sentinel_digest_alerts_total')).toBe(1);
    expect(await metricValue(metrics, 'sentinel_incidents_suppressed_total', { reason: 'storm' })).toBe(198);
  });

  it('a lone follower is announced on its own when the window closes, not as a digest', () => {
    const { tracker, clock } = harness(incidentsConfig({ storm: { window_secs: 10, max_individual_alerts: 1 } }));
    tracker.observe(match('a'));
    // Faster than one a second (the storm rate): held.
    clock.advance(100);
    expect(tracker.observe(match('b'))).toEqual([]);
    clock.advance(10 * SEC);
    expect(tracker.tick().map((u) => [u.kind, u.incident?.fingerprint])).toEqual([['opened', 'b']]);
  });

  it('a storm that outlasts its window keeps batching, and a quiet period resets it', () => {
    const { tracker, clock } = harness(incidentsConfig({ storm: { window_secs: 10, max_individual_alerts: 1 }, resolve_after_secs: 3600 }));
    const out = [];
    for (let i = 0; i < 250; i++) {
      out.push(...tracker.observe(match(`job-${i}`)));
      clock.advance(100); // 25 s of outage
      out.push(...tracker.tick());
    }
    clock.advance(20 * SEC);
    out.push(...tracker.tick());
    expect(kinds(out)).toEqual(['opened', 'digest', 'digest', 'digest']);
    expect(out.reduce((n, u) => n + (u.incident ? 1 : 0) + (u.incidents?.length ?? 0), 0)).toBe(250);
    clock.advance(60 * SEC);
    expect(kinds(tracker.observe(match('after-quiet')))).toEqual(['opened']);
  });

  it('an incident that resolves while waiting for the digest is announced first, then resolved', () => {
    const { tracker, clock } = harness(incidentsConfig({ storm: { window_secs: 10, max_individual_alerts: 1 } }));
    tracker.observe(match('a', { fields: { pipeline: 'x' } }));
    tracker.observe(match('b', { fields: { pipeline: 'y' } }));
    tracker.observe(match('c', { fields: { pipeline: 'y' } }));
    expect(tracker.observeSuccess(event({ fields: { pipeline: 'y' } }))).toEqual([]);
    clock.advance(10 * SEC);
    const out = tracker.tick();
    expect(out.map((u) => [u.kind, u.incident?.fingerprint ?? u.incidents?.map((i) => `${i.fingerprint}:${i.status}`).join(',')])).toEqual([
      ['digest', 'b:resolved,c:resolved'],
      ['resolved', 'b'],
      ['resolved', 'c'],
    ]);
  });

  it('a late tick never widens a window: the next match flushes the due digest first', () => {
    const { tracker, clock } = harness(incidentsConfig({ storm: { window_secs: 10, max_individual_alerts: 1 } }));
    tracker.observe(match('a'));
    tracker.observe(match('b'));
    tracker.observe(match('c'));
    clock.advance(60 * SEC);
    expect(kinds(tracker.observe(match('d')))).toEqual(['digest', 'opened']);
  });
});
