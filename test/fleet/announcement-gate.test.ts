// The announcement gate over a real redis-server: who of a fleet posts an opening, a re-alert, a
// digest and a resolution; a claimer that never announces is replaced; a restarted member takes its
// own claim back; with Redis gone, every member posts alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetGate, type AnnouncementGate } from '../../src/fleet/announcement-gate.js';
import { createFleetLink, type FleetLink } from '../../src/fleet/fleet-link.js';
import { createIncidentBoard } from '../../src/fleet/incident-board.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import type { Incident } from '../../src/types.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { metricValue, rule } from '../incident/helpers.js';

let redis: RedisServer;
const links: FleetLink[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const link of links) await link.close();
  await redis.close();
});

let prefixes = 0;
interface Member {
  gate: AnnouncementGate;
  link: FleetLink;
  metrics: Metrics;
}

/** Members of one fleet (one key prefix per test), each with its own link and gate. */
async function fleetOf(names: string[], board: { claimMs?: number; staleMs?: number } = {}, prefix = `gate-${++prefixes}:`): Promise<Member[]> {
  return Promise.all(
    names.map(async (member) => {
      const metrics = createMetrics({ defaultMetrics: false });
      const link = createFleetLink({ url: redis.url, keyPrefix: prefix, member, metrics, logger: silentLogger() });
      links.push(link);
      await link.connect();
      const b = createIncidentBoard({ link, claimMs: board.claimMs ?? 10_000, staleMs: board.staleMs ?? 60_000, ttlMs: 600_000, resolvedTtlMs: 60_000 });
      return { link, metrics, gate: createFleetGate({ board: b, member, logger: silentLogger(), cooldownMs: () => 60_000, gatherMaxMs: 300, gatherQuietMs: 100 }) };
    }),
  );
}

let ids = 0;
function incident(fingerprint: string, count = 1): Incident {
  return {
    id: `inc-${++ids}`,
    fingerprint,
    rule: rule(),
    severity: 'error',
    title: 'Step failed',
    source: 'etl',
    file: '/logs/a.log',
    firstSeen: 0,
    lastSeen: 0,
    count,
    status: 'open',
    samples: [],
  };
}

describe('announcement gate (fleet)', () => {
  it('an opening: the first member posts it, naming every member and the fleet-wide count; the others post nothing', async () => {
    const [a, b, c] = await fleetOf(['pod-a', 'pod-b', 'pod-c']);
    const first = { kind: 'opened' as const, incident: incident('fp-1', 2) };
    expect((await a!.gate.plan(first)).post).toBe(first);
    for (const other of [b!, c!]) expect(await other.gate.plan({ kind: 'opened', incident: incident('fp-1') })).toEqual({ post: null, waiting: expect.any(Array) });
    await a!.gate.describe(first);
    expect(first.incident.fleet).toEqual({ count: 4, memberCount: 3, members: ['pod-a', 'pod-b', 'pod-c'], shared: true });
    await a!.gate.posted(first);
    // Announced: a latecomer adds its occurrence and posts nothing, not even later.
    const late = await b!.gate.plan({ kind: 'opened', incident: incident('fp-1') });
    expect(late).toEqual({ post: null, waiting: [] });
  });

  it('a claimer that never announces is replaced once its claim expires (at-least-once)', async () => {
    const [a, b] = await fleetOf(['pod-a', 'pod-b'], { claimMs: 300 });
    expect((await a!.gate.plan({ kind: 'opened', incident: incident('fp-2') })).post).not.toBeNull();
    const { post, waiting } = await b!.gate.plan({ kind: 'opened', incident: incident('fp-2') });
    expect(post).toBeNull();
    expect(waiting).toHaveLength(1);
    expect(await b!.gate.recheck(waiting[0]!)).toBe('wait');
    // pod-a dies here, before announcing: pod-b takes over when the claim runs out.
    await waitFor('the claim to pass to pod-b', async () => (await b!.gate.recheck(waiting[0]!)) === 'post', { timeoutMs: 5_000, intervalMs: 50 });
  });

  it('a restarted member takes its own claim back at once', async () => {
    const prefix = 'gate-restart:';
    const [before] = await fleetOf(['pod-a'], {}, prefix);
    expect((await before!.gate.plan({ kind: 'opened', incident: incident('fp-3') })).post).not.toBeNull();
    const [after] = await fleetOf(['pod-a'], {}, prefix);
    expect((await after!.gate.plan({ kind: 'opened', incident: incident('fp-3') })).post).not.toBeNull();
  });

  it('a re-alert is posted once per cooldown for the fleet, with the fleet-wide count', async () => {
    const [a, b] = await fleetOf(['pod-a', 'pod-b'], {}, 'gate-realert:');
    const open = { kind: 'opened' as const, incident: incident('fp-5', 3) };
    await a!.gate.plan(open);
    await b!.gate.plan({ kind: 'opened', incident: incident('fp-5', 4) });
    await a!.gate.posted(open);
    // Each member's tracker decides on its own that a re-alert is due; a 200 ms cooldown here.
    const members = [a!, b!].map((m) =>
      createFleetGate({
        board: createIncidentBoard({ link: m.link, claimMs: 10_000, staleMs: 60_000, ttlMs: 600_000, resolvedTtlMs: 60_000 }),
        member: m.link.member,
        logger: silentLogger(),
        cooldownMs: () => 200,
      }),
    );
    expect((await members[1]!.plan({ kind: 'repeated', incident: incident('fp-5') })).post).toBeNull();
    const first = await waitFor('the cooldown to pass', async () => (await members[1]!.plan({ kind: 'repeated', incident: incident('fp-5') })).post ?? undefined, { timeoutMs: 5_000, intervalMs: 25 });
    expect(first.incident!.fleet).toMatchObject({ count: 7, memberCount: 2, shared: true });
    // The other member's re-alert in the same cooldown is left out.
    expect((await members[0]!.plan({ kind: 'repeated', incident: incident('fp-5') })).post).toBeNull();
  });

  it('the resolution is posted once, by the last member to resolve', async () => {
    const [a, b] = await fleetOf(['pod-a', 'pod-b']);
    const open = { kind: 'opened' as const, incident: incident('fp-6') };
    await a!.gate.plan(open);
    await b!.gate.plan({ kind: 'opened', incident: incident('fp-6') });
    await a!.gate.posted(open);
    expect((await a!.gate.plan({ kind: 'resolved', incident: incident('fp-6') })).post).toBeNull();
    const last = await b!.gate.plan({ kind: 'resolved', incident: incident('fp-6') });
    expect(last.post?.incident?.fleet).toMatchObject({ count: 2, memberCount: 2, members: ['pod-a', 'pod-b'], shared: true });
    // After it, the same failure is a new fleet incident.
    expect((await b!.gate.plan({ kind: 'opened', incident: incident('fp-6') })).post).not.toBeNull();
  });

  it('a storm digest leaves out what another member claimed, and keeps checking on it', async () => {
    const [a, b] = await fleetOf(['pod-a', 'pod-b']);
    await b!.gate.plan({ kind: 'opened', incident: incident('fp-claimed-by-b') });
    const digest = { kind: 'digest' as const, incidents: [incident('fp-x'), incident('fp-y'), incident('fp-claimed-by-b')] };
    const plan = await a!.gate.plan(digest);
    expect(plan.post?.kind).toBe('digest');
    expect(plan.post?.incidents?.map((i) => i.fingerprint)).toEqual(['fp-x', 'fp-y']);
    expect(plan.waiting.map((w) => w.incident.fingerprint)).toEqual(['fp-claimed-by-b']);
  });

  it('with Redis gone, every member posts alone (marked so), and each failed operation is counted', async () => {
    const solo = await startRedis();
    const metrics = createMetrics({ defaultMetrics: false });
    const link = createFleetLink({ url: solo.url, keyPrefix: 'gone:', member: 'pod-a', metrics, logger: silentLogger(), commandTimeoutMs: 100 });
    links.push(link);
    await link.connect();
    const gate = createFleetGate({ board: createIncidentBoard({ link, claimMs: 1000, staleMs: 1000, ttlMs: 1000, resolvedTtlMs: 1000 }), member: 'pod-a', logger: silentLogger(), cooldownMs: () => 0 });
    await solo.close();
    for (const kind of ['opened', 'repeated', 'resolved'] as const) {
      const update = { kind, incident: incident('fp-alone', 5) };
      expect((await gate.plan(update)).post).toBe(update);
      expect(update.incident.fleet).toEqual({ count: 5, memberCount: 1, members: ['pod-a'], shared: false });
    }
    expect(await metricValue(metrics, 'sentinel_fleet_errors_total', { op: 'join' })).toBeGreaterThan(0);
    expect(link.status()).toMatchObject({ ok: true, detail: expect.stringMatching(/deciding alone/) });
  });
});
