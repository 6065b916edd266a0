// The live agent: the pipeline (pipeline.ts) fed by the tail of every configured source, alerts
// to the notifier's destinations, incidents kept in state_dir, and /metrics served. `buildAgent`
// never reads process.env, never exits; the CLI does that. Stop order is the flow's order: sources
// first (no new input), then in-flight diagnoses, then incidents, sinks last.
import { mkdir } from 'node:fs/promises';
import type { SentinelConfig } from '../config/config-types.js';
import { createBrain, type Brain } from '../brain/brain.js';
import { createNotifier, type Notifier } from '../notify/notifier.js';
import { createRedactor, type Redactor } from '../redact/redactor.js';
import { createFileSource, type FileSource } from '../source/file-source.js';
import { createMetrics, initRuleSeries, type Metrics } from '../metrics/metrics.js';
import { buildAgentServer, type AgentServer, type ReadinessCheck } from '../server/agent-server.js';
import { silentLogger, type Logger } from '../log.js';
import { runStopSteps } from './stop-steps.js';
import { importLegacyJournal } from './legacy-journal.js';
import { CONTEXT_RECORDS } from './context-window.js';
import { liveFollowUp } from './follow-up-lines.js';
import { buildPipeline, TICK_MS, type Pipeline } from './pipeline.js';
import { MATCH_BUDGET_MS } from '../detect/match-budget.js';
import { createActiveSilences } from '../silence/active-silences.js';
import { createAgentFleet } from '../fleet/agent-fleet.js';
import { createFleetLinkFromConfig } from '../fleet/link-from-config.js';
import { sharedBrainState } from '../fleet/brain-fleet.js';

export interface AgentDeps {
  logger?: Logger;
  metrics?: Metrics;
  now?: () => number;
  fetch?: typeof fetch;
  /** Where console alerts are printed; default stdout. */
  consoleOut?: NodeJS.WritableStream;
}

export interface Agent {
  readonly config: SentinelConfig;
  readonly metrics: Metrics;
  readonly server: AgentServer;
  /** Starts sources, notifier and the HTTP server; resolves once files are being followed. */
  start(): Promise<{ port: number }>;
  /** Swaps in new rules (hot reload); sources and destinations keep running as they are. */
  reloadRules(config: SentinelConfig): void;
  /** Idempotent. Stops reading, drains diagnoses and the outbox under the deadline, writes state. */
  stop(deadlineMs?: number): Promise<void>;
  /**
   * Everything there was to read is handled: each followed file read to its size, no diagnosis or
   * announcement under way, no storm digest held. `run --once` stops when this holds.
   */
  caughtUp(): boolean;
}

export function buildAgent(config: SentinelConfig, deps: AgentDeps = {}): Agent {
  const logger = deps.logger ?? silentLogger();
  const metrics = deps.metrics ?? createMetrics();
  const now = deps.now ?? Date.now;
  const redactor: Redactor = createRedactor(config.redact.patterns);
  const silences = createActiveSilences({ stateDir: config.state_dir, logger, now });
  const followUp = liveFollowUp(config.incidents.lines_after);
  // In a fleet (fleet.redis_url) the gate decides which member posts; alone, this agent posts everything.
  const fleetLink = createFleetLinkFromConfig(config, { metrics, logger });
  const fleet = createAgentFleet(config, fleetLink, logger);
  const brain: Brain = createBrain({
    config: config.brain,
    auditDir: config.state_dir,
    metrics,
    logger,
    now,
    ...(fleetLink ? { shared: sharedBrainState(fleetLink) } : {}),
    // The user's redact.patterns apply to the LLM's second redaction pass too.
    redact: (text: string) => redactor.redact(text),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const notifier: Notifier = createNotifier({
    config: config.notify,
    stateDir: config.state_dir,
    metrics,
    logger,
    redactor,
    now,
    // Alertmanager's `agent` annotation names the member (fleet.member, the host name by default).
    member: config.fleet.member,
    ...(deps.consoleOut ? { consoleOut: deps.consoleOut } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const pipeline: Pipeline = buildPipeline({
    config,
    metrics,
    now,
    logger,
    stateDir: config.state_dir,
    followUp,
    brain,
    alerts: notifier,
    silences,
    matchBudgetMs: MATCH_BUDGET_MS,
    redactor,
    onSaveOutcome: reportStateWrite,
    ...(fleet ? { gate: fleet.gate } : {}),
  });
  const { tracker } = pipeline;
  initRuleSeries(metrics, pipeline.detector.rules);
  const sources: FileSource[] = config.sources.map((source) =>
    createFileSource({
      config: source,
      stateDir: config.state_dir,
      metrics,
      logger,
      now,
      // Taken at once, made durable behind: the reader never waits for a state write that is running.
      onRecords: {
        take: (records) => {
          pipeline.take(source.format, records);
          armFollowUpTimer();
        },
        durable: () => pipeline.persist(),
      },
      bufferScreen: () => {
        const search = pipeline.detector.screen.bufferSearch;
        return search ? { search, before: CONTEXT_RECORDS, after: followUp.maxLines } : null;
      },
    }),
  );
  const server = buildAgentServer({ registry: metrics.registry, readiness });
  let started = false;
  let stopping: Promise<void> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let followUpTimer: NodeJS.Timeout | undefined;
  let followUpDeadline = Infinity;

  function readiness(): ReadinessCheck[] {
    return [
      { name: 'config', ok: true, detail: config.file },
      { name: 'sources', ok: started && sources.every((s) => s.ready) },
      { name: 'notifier', ok: started },
      // Alerts still go out while state cannot be written, but a restart now would forget what is unsaved.
      { name: 'state', ok: tracker.saveFailure === null, ...(tracker.saveFailure ? { detail: tracker.saveFailure.message } : {}) },
      // Never failing: without Redis the agent alerts on its own, which beats not alerting.
      ...(fleet ? [fleet.readiness()] : []),
    ];
  }

  function reportStateWrite(error: Error | null, previous: Error | null): void {
    if (error) {
      metrics.stateWriteErrors.inc({ kind: 'incidents' });
      if (!previous) logger.error({ code: 'SENTINEL_ERR_STATE_DIR', err: error }, 'Cannot save incident state; alerts still go out, offsets wait, retrying every second.');
    } else logger.info({ dir: config.state_dir }, 'Incident state saved again.');
  }

  /** Ends the waits for lines after a failure when their time is up (the intake's clock is `now`). */
  function armFollowUpTimer(): void {
    const next = pipeline.expire(now());
    if (next === followUpDeadline) return;
    if (followUpTimer) clearTimeout(followUpTimer);
    followUpTimer = undefined;
    followUpDeadline = next;
    if (next === Infinity) return;
    followUpTimer = setTimeout(() => {
      followUpTimer = undefined;
      followUpDeadline = Infinity;
      armFollowUpTimer();
    }, Math.max(1, next - now()));
    followUpTimer.unref();
  }

  function onTick(): void {
    void silences.refresh();
    void notifier.adopt();
    pipeline.tick();
    // Ingest saves what it changed before acknowledging records; the tick saves the rest (digests,
    // re-alerts, resolutions, settled announcements) and retries a save that failed.
    if (tracker.unsaved) tracker.save().catch(() => undefined);
  }

  return {
    config,
    metrics,
    server,

    async start() {
      await mkdir(config.state_dir, { recursive: true });
      await tracker.load();
      await importLegacyJournal(config.state_dir, tracker, logger);
      await notifier.start();
      await fleet?.start();
      await silences.refresh();
      // Announcements a crash interrupted (mid-diagnosis, say) go out first.
      pipeline.resumeOwed();
      await Promise.all(sources.map((source) => source.start()));
      ticker = setInterval(onTick, TICK_MS);
      ticker.unref();
      await server.listen({ port: config.server.port, host: config.server.host });
      started = true;
      const address = server.server.address();
      const port = address && typeof address === 'object' ? address.port : config.server.port;
      logger.info({ port, sources: config.sources.map((s) => s.name), rules: pipeline.detector.rules.length }, 'Sentinel agent started.');
      return { port };
    },

    caughtUp() {
      const read = sources.every((source) => source.files().every((file) => file.offset >= file.size));
      return started && read && pipeline.busy === 0 && tracker.owed().length === 0 && tracker.holding() === 0;
    },

    reloadRules(next) {
      pipeline.reloadRules(next);
      initRuleSeries(metrics, pipeline.detector.rules);
      logger.info({ rules: pipeline.detector.rules.length, file: next.file }, 'Rules reloaded.');
    },

    stop(deadlineMs = 4_000) {
      stopping ??= (async () => {
        if (ticker) clearInterval(ticker);
        // Flow order: no new input, then diagnoses in flight, then state, then sinks. Each step has
        // a floor so the last ones (notifier, server) run even when an earlier one ate the deadline.
        await runStopSteps(
          [
            { name: 'sources', maxMs: 1_500, floorMs: 200, run: () => Promise.all(sources.map((source) => source.stop())) },
            {
              name: 'follow-up waits',
              maxMs: 100,
              floorMs: 0,
              // No more lines will come: diagnoses waiting for the lines after a failure go ahead now.
              run: async () => {
                pipeline.endAll();
                if (followUpTimer) clearTimeout(followUpTimer);
              },
            },
            { name: 'diagnoses', maxMs: deadlineMs, floorMs: 0, run: () => pipeline.settled() },
            { name: 'incident state', maxMs: 1_000, floorMs: 300, run: () => tracker.save() },
            { name: 'notifier', maxMs: deadlineMs, floorMs: 200, run: (budget) => notifier.stop(budget) },
            { name: 'brain', maxMs: 500, floorMs: 100, run: () => brain.close() },
            { name: 'fleet', maxMs: 200, floorMs: 50, run: async () => fleet?.close() },
            { name: 'http server', maxMs: 500, floorMs: 100, run: () => server.close() },
          ],
          deadlineMs,
          logger,
        );
        logger.info({ pendingAlerts: notifier.pending(), owed: tracker.owed().length }, 'Sentinel agent stopped.');
      })();
      return stopping;
    },
  };
}
