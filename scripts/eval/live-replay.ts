// Plays one finished log into the live agent's own pipeline (src/agent/pipeline.ts) as a tailed
// file would deliver it, on a virtual clock (src/agent/text-replay.ts), with the agent's wait for
// the lines after a failure and storm batching, and records what it would announce: each opened
// incident with the request it asked the brain and the diagnosis. Nothing after the moment the
// agent would announce reaches the brain.
import type { Brain } from '../../src/brain/brain.js';
import type { SentinelConfig } from '../../src/config/config-types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { oneShotSource } from '../../src/agent/diagnose-file.js';
import { liveFollowUp, type FollowUpPolicy } from '../../src/agent/follow-up-lines.js';
import { buildPipeline } from '../../src/agent/pipeline.js';
import { createVirtualClock, replayText } from '../../src/agent/text-replay.js';
import type { DiagnoseRequest, Diagnosis, Incident } from '../../src/types.js';

export interface Announcement {
  incident: Incident;
  request: DiagnoseRequest;
  diagnosis: Diagnosis;
}

export interface LiveOutcome {
  /** Incidents opened, whether announced at once or held for a storm digest. */
  incidents: number;
  /** Incidents announced on their own, in the order they were announced. */
  announced: Announcement[];
}

export interface ReplayOptions {
  /** Default: the live agent's own policy, `incidents.lines_after` of the config. */
  followUp?: FollowUpPolicy;
  lineMs?: number;
}

export async function replayLive(log: string, config: SentinelConfig, brain: Brain, options: ReplayOptions = {}): Promise<LiveOutcome> {
  const source = oneShotSource(config, 'replay.log');
  const clock = createVirtualClock();
  const metrics = createMetrics({ defaultMetrics: false });
  const answered = new Map<string, { request: DiagnoseRequest; diagnosis: Diagnosis }>();
  const pipeline = buildPipeline({
    config,
    metrics,
    now: clock.now,
    stateDir: null,
    followUp: options.followUp ?? liveFollowUp(config.incidents.lines_after),
    brain,
    // What would be sent is what was diagnosed; the alerts themselves are not needed here.
    alerts: { send: async () => undefined },
    // The request is fixed when the wait ends on the virtual clock; the brain answers in real time.
    waitWithinBrainBudget: false,
    onDiagnosis: (incident, request, diagnosis) => answered.set(incident.id, { request, diagnosis }),
  });
  const updates = replayText(log, pipeline, { source, file: 'replay.log', clock, ...(options.lineMs !== undefined ? { lineMs: options.lineMs } : {}) });
  await pipeline.settled();
  const announced: Announcement[] = [];
  for (const update of updates) {
    const incident = update.kind === 'opened' ? update.incident : undefined;
    const answer = incident && answered.get(incident.id);
    if (incident && answer) announced.push({ incident, ...answer });
  }
  const opened = (await metrics.incidentsOpened.get()).values.reduce((n, v) => n + v.value, 0);
  return { incidents: opened, announced };
}
