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
import type { JournalEntry } from '../incident/announcement-journal.js';
import { SentinelError } from '../errors.js';
import { runStopSteps } from './stop-steps.js';
import { importLegacyJournal } from './legacy-journal.js';
import { CONTEXT_RECORDS } from './context-window.js';
import { liveFollowUp } from './follow-up-lines.js';
import { createIncidentIntake } from './incident-intake.js';
import { MATCH_BUDGET_MS } from '../detect/match-budget.js';
import { createActiveSilences } from '../silence/active-silences.js';

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

/** The incident tick: resolutions, storm digests and re-alerts happen on it (the eval replay keeps the same beat). */
export const TICK_MS = 1000;

export function buildAgent(config: SentinelConfig, deps: AgentDeps = {}): Agent {
  const logger = deps.logger ?? silentLogger();
  const metrics = deps.metrics ?? createMetrics();
  const now = deps.now ?? Date.now;
  const redactor: Redactor = createRedactor(config.redact.patterns);
  let detector: Detector = createDetector(config);
  initRuleSeries(metrics, detector.rules);
  const silences = createActiveSilences({ stateDir: config.state_dir, logger, now });
  const tracker: IncidentTracker = createIncidentTracker({
    config: config.incidents,
    stateDir: config.state_dir,
    metrics,
    logger,
    now,
    onSaveOutcome: reportStateWrite,
    silenced: (incident) => silences.covering(incident) !== undefined,
  });
  const followUp = liveFollowUp(config.incidents.lines_after);
  const intake = createIncidentIntake({ detector: () => detector, tracker, redactor, metrics, now, followUp, logger, matchBudgetMs: MATCH_BUDGET_MS });
  const brain: Brain = createBrain({
    config: config.brain,
    auditDir: config.state_dir,
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
        return search ? { search, before: CONTEXT_RECORDS, after: followUp.maxLines } : null;
      },
    }),
  );
  const server = buildAgentServer({ registry: metrics.registry, readiness });
  /** Diagnoses in flight: awaited by ingest (so checkpoints never pass an unsent alert) and by stop. */
  const inFlight = new Set<Promise<void>>();
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
    ];
  }

  function reportStateWrite(error: Error | null, previous: Error | null): void {
    if (error) {
      metrics.stateWriteErrors.inc({ kind: 'incidents' });
      if (!previous) logger.error({ code: 'SENTINEL_ERR_STATE_DIR', err: error }, 'Cannot save incident state; alerts still go out, offsets wait, retrying every second.');
    } else logger.info({ dir: config.state_dir }, 'Incident state saved again.');
  }

  async function ingest(format: SentinelConfig['sources'][number]['format'], records: RawRecord[]): Promise<void> {
    const updates = intake.take(format, records);
    armFollowUpTimer();
    // Announced at once (a full disk must not silence alerts, and no fsync delays a page); the
    // records are acknowledged (the source may checkpoint past them) only once the incidents they
    // opened or updated, held ones and owed announcements included, are on disk. A crash before
    // that replays the records (a duplicate at worst); after it, the journal replays the announcement.
    announceOwed(updates);
    if (tracker.unsaved) {
      await tracker.save().catch((err: unknown) => {
        throw new SentinelError('SENTINEL_ERR_STATE_DIR', 'Incident state not saved: the records stay unacknowledged.', { cause: err });
      });
    }
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

  function announceOwed(updates: IncidentUpdate[]): void {
    for (const entry of tracker.owe(updates)) void announce(entry);
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

  /** Diagnoses a newly opened incident (once), hands the alert to the notifier, then settles what was owed. */
  function announce({ id, update: owed }: JournalEntry): Promise<void> {
    return track(
      (async () => {
        const update = unsilenced(owed);
        if (update?.kind === 'opened' && update.incident && !update.incident.diagnosis) await diagnose(update.incident);
        // Storm digests list many incidents: the built-in analyser (milliseconds, no cost) names each one.
        for (const incident of update?.incidents ?? []) if (!incident.diagnosis) diagnoseOffline(incident);
        if (update) await notifier.send(withLatest(alertFor(update)));
        tracker.settle(id);
      })(),
    );
  }

  /**
   * An opening alert shows the incident as it is once diagnosed: records of the same failure that
   * arrived meanwhile may have named it better (src/incident/failure-episodes.ts). The alert keeps
   * its key, so a replay after a crash is still recognised.
   */
  function withLatest(alert: Alert): Alert {
    if (alert.kind !== 'opened' || !alert.incident) return alert;
    const latest = tracker.get(alert.incident.id);
    if (!latest) return alert;
    if (!latest.diagnosis && alert.incident.diagnosis) latest.diagnosis = alert.incident.diagnosis;
    return { ...alert, severity: latest.severity, incident: latest };
  }

  /** The update less what an operator's silence covers now (null: nothing left to say). */
  function unsilenced(update: IncidentUpdate): IncidentUpdate | null {
    if (update.incident) {
      const silence = silences.covering(update.incident);
      if (!silence) return update;
      logger.info({ incidentId: update.incident.id, kind: update.kind, silence: silence.id }, 'Alert withheld: a silence covers the incident.');
      return null;
    }
    const incidents = update.incidents ?? [];
    const left = incidents.filter((incident) => !silences.covering(incident));
    if (left.length === incidents.length) return update;
    logger.info({ withheld: incidents.length - left.length, left: left.length }, 'Digest shortened: a silence covers some of its incidents.');
    return left.length === 0 ? null : { ...update, incidents: left };
  }

  async function diagnose(incident: Incident): Promise<void> {
    const startedAt = now();
    const request = await intake.request(incident);
    // The wait for the lines after the failure comes off the brain's budget: the alert stays
    // within brain.timeout_ms of the incident opening, wait included.
    const diagnosis = await brain.diagnose(request, config.brain.timeout_ms - (now() - startedAt));
    incident.diagnosis = diagnosis;
    tracker.setDiagnosis(incident.id, diagnosis);
  }

  function diagnoseOffline(incident: Incident): void {
    const diagnosis = analyse(intake.requestNow(incident));
    incident.diagnosis = diagnosis;
    tracker.setDiagnosis(incident.id, diagnosis);
  }

  function onTick(): void {
    void silences.refresh();
    void notifier.adopt();
    announceOwed(foldRepeats(tracker.tick(), config.incidents.storm.max_individual_alerts));
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
      await silences.refresh();
      // Announcements a crash interrupted (mid-diagnosis, say) go out first.
      for (const entry of tracker.owed()) void announce(entry);
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

    caughtUp() {
      const read = sources.every((source) => source.files().every((file) => file.offset >= file.size));
      return started && read && inFlight.size === 0 && tracker.owed().length === 0 && tracker.holding() === 0;
    },

    reloadRules(next) {
      detector = createDetector(next);
      initRuleSeries(metrics, detector.rules);
      logger.info({ rules: detector.rules.length, file: next.file }, 'Rules reloaded.');
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
                intake.endAll();
                if (followUpTimer) clearTimeout(followUpTimer);
              },
            },
            { name: 'diagnoses', maxMs: deadlineMs, floorMs: 0, run: () => Promise.all([...inFlight]) },
            { name: 'incident state', maxMs: 1_000, floorMs: 300, run: () => tracker.save() },
            { name: 'notifier', maxMs: deadlineMs, floorMs: 200, run: (budget) => notifier.stop(budget) },
            { name: 'brain', maxMs: 500, floorMs: 100, run: () => brain.close() },
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
