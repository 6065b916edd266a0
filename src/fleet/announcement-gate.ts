// Who posts an incident update: this agent, or another member of the fleet. It sits between the
// incident tracker's decision ("this should be announced") and the notifier, so destinations know
// nothing of the fleet. Alone (no fleet.redis_url) every update is posted, as before. In a fleet:
//   opened    the first member to claim the fingerprint posts; the others add their occurrences and
//             their name; a member whose claimer has not announced keeps checking, and takes over
//             once the claim expires (at-least-once: a claimer that dies is replaced).
//   repeated  one re-alert per cooldown for the whole fleet, carrying the fleet-wide count.
//   resolved  posted once, by the last member that still had it open.
//   digest    each incident in it as for `opened`; what others announce is left out.
// Whenever Redis does not answer, the agent posts on its own (duplicates possible, nothing lost).
import type { IncidentUpdate } from '../incident/incident-tracker.js';
import type { Logger } from '../log.js';
import type { Incident } from '../types.js';
import type { FleetView, IncidentBoard } from './incident-board.js';

/** An opening another member claimed: this agent checks on it until it is announced. */
export interface PendingOpening {
  incident: Incident;
  gen: string;
}

export interface AnnouncementPlan {
  /** What this agent posts now; null: nothing. */
  post: IncidentUpdate | null;
  /** Openings claimed by another member, to check again on the next tick. */
  waiting: PendingOpening[];
}

export interface AnnouncementGate {
  plan(update: IncidentUpdate): Promise<AnnouncementPlan>;
  /** A waiting opening: post it now (the claim passed to this agent, or Redis is down), drop it (announced), or keep waiting. */
  recheck(pending: PendingOpening): Promise<'post' | 'done' | 'wait'>;
  /** Just before sending: sets `incident.fleet` on what is posted (a fresh opening first lets the fleet's members join). */
  describe(update: IncidentUpdate): Promise<void>;
  /** The notifier holds the alert: the fleet learns it was announced. */
  posted(update: IncidentUpdate): Promise<void>;
  /** Called on the agent's tick with its open incidents: reports occurrences since the last report. */
  report(open: readonly Incident[]): void;
}

/** The single agent: everything is posted, by this agent. */
export const SOLO_GATE: AnnouncementGate = {
  plan: async (update) => ({ post: update, waiting: [] }),
  recheck: async () => 'post',
  describe: async () => undefined,
  posted: async () => undefined,
  report: () => undefined,
};

export interface FleetGateOptions {
  board: IncidentBoard;
  member: string;
  logger: Logger;
  /** The re-alert interval of an incident (its rule's cooldown, else incidents.cooldown_secs). */
  cooldownMs: (incident: Incident) => number;
  now?: () => number;
  /** How long the claimer of a fresh opening waits for the fleet's other members to join, at most. Default 1500 ms. */
  gatherMaxMs?: number;
  /** …and it stops early once no member has joined for this long. Default 400 ms. */
  gatherQuietMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export function createFleetGate(options: FleetGateOptions): AnnouncementGate {
  const { board, member, logger } = options;
  const now = options.now ?? Date.now;
  const gatherMaxMs = options.gatherMaxMs ?? 1500;
  const gatherQuietMs = options.gatherQuietMs ?? 400;
  /** Incidents this agent claimed: local incident id → fleet generation and when it claimed. */
  const claims = new Map<string, { gen: string; at: number }>();
  /** Incidents whose occurrences the fleet has: local incident id → count reported so far. */
  const reported = new Map<string, number>();
  let reporting = false;

  const leftToFleet = (incident: Incident): void =>
    logger.info({ incidentId: incident.id, fingerprint: incident.fingerprint }, 'Fleet: announced by another member; occurrences added, nothing posted.');
  const alone = (incident: Incident): void => {
    incident.fleet = { count: incident.count, memberCount: 1, members: [member], shared: false };
  };
  const shared = (incident: Incident, view: FleetView): void => {
    incident.fleet = { ...view, shared: true };
  };

  /** Joins one opening; returns whether this agent posts it, and a pending check when another member claimed it. */
  async function joinOpening(incident: Incident): Promise<{ post: boolean; pending?: PendingOpening }> {
    const joined = await board.join(incident.fingerprint, incident.id, incident.count);
    if (!joined) {
      alone(incident);
      return { post: true };
    }
    reported.set(incident.id, incident.count);
    if (joined.role === 'claimed') {
      claims.set(incident.id, { gen: joined.gen, at: now() });
      logger.info({ incidentId: incident.id, fingerprint: incident.fingerprint, fleetCount: joined.count }, 'Fleet: this agent announces the incident.');
      return { post: true };
    }
    if (joined.role === 'waiting') return { post: false, pending: { incident, gen: joined.gen } };
    leftToFleet(incident);
    return { post: false };
  }

  async function gather(incident: Incident, claimedAt: number): Promise<FleetView | null | undefined> {
    let view = await board.view(incident.fingerprint);
    let members = view?.memberCount ?? 0;
    let changedAt = now();
    while (view && now() - claimedAt < gatherMaxMs && now() - changedAt < gatherQuietMs) {
      await sleep(100);
      view = await board.view(incident.fingerprint);
      if (view && view.memberCount !== members) {
        members = view.memberCount;
        changedAt = now();
      }
    }
    return view;
  }

  async function describeOne(incident: Incident, fresh: boolean): Promise<void> {
    if (incident.fleet) return;
    const claim = claims.get(incident.id);
    const view = fresh && claim ? await gather(incident, claim.at) : await board.view(incident.fingerprint);
    if (view) shared(incident, view);
    else alone(incident);
  }

  return {
    async plan(update) {
      const incident = update.incident;
      switch (update.kind) {
        case 'opened': {
          if (!incident) return { post: null, waiting: [] };
          const { post, pending } = await joinOpening(incident);
          return { post: post ? update : null, waiting: pending ? [pending] : [] };
        }
        case 'digest': {
          const incidents = update.incidents ?? [];
          const joined = await Promise.all(incidents.map(joinOpening));
          const kept = incidents.filter((_i, n) => joined[n]?.post);
          const waiting = joined.flatMap((j) => (j.pending ? [j.pending] : []));
          // What is left of a storm may be a single incident: then it gets its own, diagnosed alert.
          const post: IncidentUpdate | null =
            kept.length === 0 ? null : kept.length === 1 ? { kind: 'opened', incident: kept[0]! } : { kind: 'digest', incidents: kept };
          return { post, waiting };
        }
        case 'repeated': {
          if (!incident) return { post: null, waiting: [] };
          const answer = await board.realert(incident.fingerprint, options.cooldownMs(incident));
          if (!answer) alone(incident);
          else if (!answer.post) return { post: null, waiting: [] };
          else if (answer.view) shared(incident, answer.view);
          return { post: update, waiting: [] };
        }
        case 'resolved': {
          if (!incident) return { post: null, waiting: [] };
          reported.delete(incident.id);
          const answer = await board.resolve(incident.fingerprint);
          if (!answer) alone(incident);
          else if (!answer.post) return { post: null, waiting: [] };
          else if (answer.view) shared(incident, answer.view);
          return { post: update, waiting: [] };
        }
      }
    },

    async recheck({ incident, gen }) {
      const role = await board.check(incident.fingerprint, gen);
      if (role === undefined) {
        alone(incident);
        return 'post';
      }
      if (role === 'claimed') {
        claims.set(incident.id, { gen, at: now() });
        logger.warn({ incidentId: incident.id, fingerprint: incident.fingerprint }, 'Fleet: the member that claimed the incident did not announce it in time; this agent announces it.');
        return 'post';
      }
      if (role === 'waiting') return 'wait';
      leftToFleet(incident);
      return 'done';
    },

    async describe(update) {
      if (update.kind === 'opened' && update.incident) await describeOne(update.incident, true);
      else if (update.kind === 'digest') await Promise.all((update.incidents ?? []).map((i) => describeOne(i, false)));
    },

    async posted(update) {
      const incidents = update.incident ? [update.incident] : (update.incidents ?? []);
      if (update.kind !== 'opened' && update.kind !== 'digest') return;
      await Promise.all(
        incidents.map(async (incident) => {
          const claim = claims.get(incident.id);
          if (!claim) return;
          claims.delete(incident.id);
          await board.announced(incident.fingerprint, claim.gen);
        }),
      );
    },

    report(open) {
      if (reporting) return;
      const due: [Incident, number][] = [];
      const stillOpen = new Set<string>();
      for (const incident of open) {
        stillOpen.add(incident.id);
        const before = reported.get(incident.id);
        if (before !== undefined && incident.count > before) due.push([incident, incident.count - before]);
      }
      for (const id of reported.keys()) if (!stillOpen.has(id)) reported.delete(id);
      if (due.length === 0) return;
      reporting = true;
      void Promise.all(
        due.map(async ([incident, delta]) => {
          // Counted as reported only once Redis has it: a failed report is retried with the next tick's.
          const done = (await board.occurrences(incident.fingerprint, delta)) !== undefined;
          const before = reported.get(incident.id);
          if (done && before !== undefined) reported.set(incident.id, before + delta);
        }),
      ).finally(() => {
        reporting = false;
      });
    },
  };
}
