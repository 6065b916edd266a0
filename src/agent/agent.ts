// The agent: wires source → parse → detect → incident → diagnose → notify, and serves /metrics.
// `buildAgent` never reads process.env, never exits; the CLI does that. Stop order is the flow's
// order: sources first (no new input), then in-flight diagnoses, then incidents, sinks last.
import { mkdir } from 'node:fs/promises';
import type { SentinelConfig } from '../config/config-types.js';
import { createDetector, type Detector } from '../detect/detector.js';
import { createIncidentTracker, type IncidentTracker, type IncidentUpdate } from '../incident/incident-tracker.js';
import { foldRepeats } from '../incident/fold-repeats.js';
import { createBrain, type Brain } from '../brain/brain.js';
import { analyse } from '../brain/analyser/analyse.js';
import { createNotifier, type Notifier } from '../notify/notifier.js';
import { createRedactor, type Redactor } from '../redact/redactor.js';
import { createFileSource, type FileSource } from '../source/file-source.js';
import { createMetrics, initRuleSeries, type Metrics } from '../metrics/metrics.js';
import { buildAgentServer, type AgentServer, type ReadinessCheck } from '../server/agent-server.js';
import { silentLogger, type Logger } from '../log.js';
import type { Alert, Incident, RawRecord } from '../types.js';
import { createAnnouncementJournal } from './announcement-journal.js';
import { CONTEXT_RECORDS } from './context-window.js';
import { LIVE_FOLLOW_UP } from './follow-up-lines.js';
import { createIncidentIntake } from './incident-intake.js';

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
}

const TICK_MS = 1000;
const STATE_SAVE_EVERY_TICKS = 5;

export function buildAgent(config: SentinelConfig, deps: AgentDeps = {}): Agent {
  const logger = deps.logger ?? silentLogger();
  const metrics = deps.metrics ?? createMetrics();
  const now = deps.now ?? Date.now;
  const redactor: Redactor = createRedactor(config.redact.patterns);
  let detector: Detector = createDetector(config);
  initRuleSeries(metrics, detector.rules);
  const journal = createAnnouncementJournal(config.state_dir);
  const tracker: IncidentTracker = createIncidentTracker({ config: config.incidents, stateDir: config.state_dir, metrics, logger, now });
  const intake = createIncidentIntake({ detector: () => detector, tracker, redactor, metrics, now, followUp: LIVE_FOLLOW_UP });
  const brain: Brain = createBrain({
    config: config.brain,
    metrics,
    logger,
    now,
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
    ...(deps.consoleOut ? { consoleOut: deps.consoleOut } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const sources: FileSource[] = config.sources.map((source) =>
    createFileSource({
      config: source,
      stateDir: config.state_dir,
      metrics,
      logger,
      now,
      onRecords: (records) => ingest(source.format, records),
      bufferScreen: () => {
        const search = detector.screen.bufferSearch;
        return search ? { search, before: CONTEXT_RECORDS, after: LIVE_FOLLOW_UP.maxLines } : null;
      },
    }),
  );
  const server = buildAgentServer({ registry: metrics.registry, readiness });
  /** Diagnoses in flight: awaited by ingest (so checkpoints never pass an unsent alert) and by stop. */
  const inFlight = new Set<Promise<void>>();
  let started = false;
  let stopping: Promise<void> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let ticks = 0;
  let incidentsChanged = false;
  let followUpTimer: NodeJS.Timeout | undefined;
  let followUpDeadline = Infinity;

  function readiness(): ReadinessCheck[] {
    return [
      { name: 'config', ok: true, detail: config.file },
      { name: 'sources', ok: started && sources.every((s) => s.ready) },
      { name: 'notifier', ok: started },
    ];
  }

  async function ingest(format: SentinelConfig['sources'][number]['format'], records: RawRecord[]): Promise<void> {
    const updates = intake.take(format, records);
    if (updates.length > 0) incidentsChanged = true;
    armFollowUpTimer();
    // Durability without waiting for diagnoses: the source checkpoints these records once the
    // announcements they caused are journaled (milliseconds); a slow LLM call holds back nothing.
    if (updates.length > 0) await announceJournaled(updates);
  }

  /** Ends the waits for lines after a failure when their time is up (the intake's clock is `now`). */
  function armFollowUpTimer(): void {
    const next = intake.expire(now());
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

  async function announceJournaled(updates: IncidentUpdate[]): Promise<void> {
    for (const entry of await journal.add(updates)) void announce(entry.update, entry.id);
  }

  function track(work: Promise<void>): Promise<void> {
    const guarded = work.catch((error: unknown) => logger.error({ err: error }, 'Alert pipeline failed.'));
    inFlight.add(guarded);
    void guarded.finally(() => inFlight.delete(guarded));
    return guarded;
  }

  function alertFor(update: IncidentUpdate): Alert {
    const incidents = update.incidents ?? [];
    const incident = update.incident;
    const severity = incident?.severity ?? incidents[0]?.severity ?? 'error';
    const key = incident
      ? `${incident.id}:${update.kind}:${incident.count}`
      : // The occurrence total changes between two digests of the same incidents (a storm's re-alerts).
        `digest:${incidents.map((i) => i.id).join(',').slice(0, 200)}:${incidents.length}:${incidents.reduce((n, i) => n + i.count, 0)}`;
    const alert: Alert = { key, kind: update.kind, severity, createdAt: now() };
    if (incident) alert.incident = incident;
    if (update.incidents) alert.incidents = update.incidents;
    return alert;
  }

  /** Diagnoses a newly opened incident (once), hands the alert to the notifier, then forgets the journal entry. */
  function announce(update: IncidentUpdate, journalId: string): Promise<void> {
    return track(
      (async () => {
        if (update.kind === 'opened' && update.incident && !update.incident.diagnosis) await diagnose(update.incident);
        // Storm digests list many incidents: the built-in analyser (milliseconds, no cost) names each one.
        for (const incident of update.incidents ?? []) if (!incident.diagnosis) diagnoseOffline(incident);
        await notifier.send(alertFor(update));
        journal.remove(journalId);
      })(),
    );
  }

  async function diagnose(incident: Incident): Promise<void> {
    const diagnosis = await brain.diagnose(await intake.request(incident));
    incident.diagnosis = diagnosis;
    tracker.setDiagnosis(incident.id, diagnosis);
  }

  function diagnoseOffline(incident: Incident): void {
    const diagnosis = analyse(intake.requestNow(incident));
    incident.diagnosis = diagnosis;
    tracker.setDiagnosis(incident.id, diagnosis);
  }

  function onTick(): void {
    const updates = foldRepeats(tracker.tick(), config.incidents.storm.max_individual_alerts);
    if (updates.length > 0) void track(announceJournaled(updates));
    void track(journal.flush());
    // Incident state follows the source checkpoints closely (both about once a second), so a crash
    // replays at most a second of lines into incidents the restarted agent already knows.
    if (updates.length > 0 || incidentsChanged || ++ticks % STATE_SAVE_EVERY_TICKS === 0) {
      incidentsChanged = false;
      void track(tracker.save());
    }
  }

  return {
    config,
    metrics,
    server,

    async start() {
      await mkdir(config.state_dir, { recursive: true });
      await tracker.load();
      await notifier.start();
      // Announcements a crash interrupted (mid-diagnosis, say) go out first.
      for (const entry of await journal.load()) void announce(entry.update, entry.id);
      await Promise.all(sources.map((source) => source.start()));
      ticker = setInterval(onTick, TICK_MS);
      ticker.unref();
      await server.listen({ port: config.server.port, host: config.server.host });
      started = true;
      const address = server.server.address();
      const port = address && typeof address === 'object' ? address.port : config.server.port;
      logger.info({ port, sources: config.sources.map((s) => s.name), rules: detector.rules.length }, 'Sentinel agent started.');
      return { port };
    },

    reloadRules(next) {
      detector = createDetector(next);
      initRuleSeries(metrics, detector.rules);
      logger.info({ rules: detector.rules.length, file: next.file }, 'Rules reloaded.');
    },

    stop(deadlineMs = 10_000) {
      stopping ??= (async () => {
        const deadline = now() + deadlineMs;
        const remaining = (): number => Math.max(0, deadline - now());
        if (ticker) clearInterval(ticker);
        await Promise.all(sources.map((source) => source.stop()));
        // No more lines will come: diagnoses waiting for the lines after a failure go ahead now.
        intake.endAll();
        if (followUpTimer) clearTimeout(followUpTimer);
        await Promise.race([Promise.all([...inFlight]), new Promise((resolve) => setTimeout(resolve, remaining()).unref())]);
        await tracker.save();
        await journal.flush();
        await notifier.stop(remaining());
        await brain.close();
        await server.close();
        logger.info({ pendingAlerts: notifier.pending() }, 'Sentinel agent stopped.');
      })();
      return stopping;
    },
  };
}
