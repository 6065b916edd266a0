// The agent's part of a fleet, assembled from config: one Redis link, the incident board on it and
// the announcement gate over the board. Absent (null) when fleet.redis_url is not set: the agent
// then runs exactly as a single agent, with SOLO_GATE.
import type { SentinelConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import type { ReadinessCheck } from '../server/agent-server.js';
import { createFleetGate, type AnnouncementGate } from './announcement-gate.js';
import type { FleetLink } from './fleet-link.js';
import { createIncidentBoard } from './incident-board.js';

export interface AgentFleet {
  readonly link: FleetLink;
  readonly gate: AnnouncementGate;
  readiness(): ReadinessCheck;
  /** Connects, waiting a moment for Redis; an unreachable Redis does not stop the agent starting. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** How long the first connection may hold up start-up. */
const START_WAIT_MS = 1000;

export function createAgentFleet(config: SentinelConfig, link: FleetLink | null, logger: Logger): AgentFleet | null {
  if (!link) return null;
  const { incidents, brain } = config;
  const resolveAfterMs = incidents.resolve_after_secs * 1000;
  const board = createIncidentBoard({
    link,
    // The claimer waits for the lines after the failure and for the diagnosis before it posts.
    claimMs: incidents.lines_after.max_wait_ms + brain.timeout_ms + 5000,
    // A member silent for longer than the quiet period has resolved the incident, or is gone.
    staleMs: resolveAfterMs + 60_000,
    ttlMs: 2 * Math.max(resolveAfterMs, incidents.cooldown_secs * 1000) + 600_000,
    resolvedTtlMs: 600_000,
  });
  const gate = createFleetGate({
    board,
    member: link.member,
    logger,
    cooldownMs: (incident) => (incident.rule.cooldownSecs ?? incidents.cooldown_secs) * 1000,
  });
  return {
    link,
    gate,
    readiness: () => ({ name: 'fleet', ...link.status() }),
    start: async () => {
      await link.connect(START_WAIT_MS);
    },
    close: () => link.close(),
  };
}
