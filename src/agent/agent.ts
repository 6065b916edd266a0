// The agent: wires source → parse → detect → incident → diagnose → notify, and serves /metrics.
// `buildAgent` never reads process.env, never exits; the CLI does that. Stop order is the flow's
// order: sources first (no new input), then in-flight diagnoses, then incidents, sinks last.
import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { SentinelConfig } from '../config/config-types.js';
import { createDetector, type Detector } from '../detect/detector.js';
import { createIncidentTracker, type IncidentTracker, type IncidentUpdate } from '../incident/incident-tracker.js';
import { foldRepeats } from '../incident/fold-repeats.js';
import { createBrain, type Brain } from '../brain/brain.js';
import { analyse } from '../brain/analyser/analyse.js';
import { createNotifier, type Notifier } from '../notify/notifier.js';
import { createRedactor, type Redactor } from '../redact/redactor.js';
import { createFileSource, type FileSource } from '../source/file-source.js';
import { looksCutJson, parseRecord } from '../parse/parse-record.js';
import { createMetrics, initRuleSeries, type Metrics } from '../metrics/metrics.js';
import { buildAgentServer, type ReadinessCheck } from '../server/agent-server.js';
import { silentLogger, type Logger } from '../log.js';
import type { Alert, Incident, RawRecord } from '../types.js';
import { createContextWindow } from './context-window.js';
import { createAnnouncementJournal } from './announcement-journal.js';
import { buildDiagnoseRequest } from './diagnose-request.js';
import { createRecordDrops, type RecordDropStage } from './record-drops.js';
import { MATCH_BUDGET_MS, matchWithinBudget } from '../detect/match-budget.js';

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
  readonly server: FastifyInstance;
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
  const context = createContextWindow();
  const drops = createRecordDrops({ metrics, logger, now });
  const journal = createAnnouncementJournal(config.state_dir);
  const tracker: IncidentTracker = createIncidentTracker({ config: config.incidents, stateDir: config.state_dir, metrics, logger, now });
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
    createFileSource({ config: source, stateDir: config.state_dir, metrics, logger, now, onRecords: (records) => ingest(source.format, records) }),
  );
  const server = buildAgentServer({ registry: metrics.registry, readiness });
  /** Diagnoses in flight: awaited by ingest (so checkpoints never pass an unsent alert) and by stop. */
  const inFlight = new Set<Promise<void>>();
  let started = false;
  let stopping: Promise<void> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let ticks = 0;
  let incidentsChanged = false;

  function readiness(): ReadinessCheck[] {
    return [
      { name: 'config', ok: true, detail: config.file },
      { name: 'sources', ok: started && sources.every((s) => s.ready) },
      { name: 'notifier', ok: started },
    ];
  }

  async function ingest(format: SentinelConfig['sources'][number]['format'], records: RawRecord[]): Promise<void> {
    const updates: IncidentUpdate[] = [];
    for (const record of records) {
      context.push(record.origin.file, record.text);
      // One record that cannot be processed is counted and skipped; the rest of the batch goes on.
      let stage: RecordDropStage = 'parse';
      try {
        // Most records can be proven uninteresting from their text alone: they skip parse and detect.
        if (!detector.screen(record.text)) {
          if (looksCutJson(record.text, format)) metrics.parseErrors.labels({ source: record.origin.source, reason: 'invalid_json' }).inc();
          continue;
        }
        const { event, problem } = parseRecord(record, format);
        if (problem) metrics.parseErrors.labels({ source: record.origin.source, reason: problem }).inc();
        stage = 'detect';
        if (detector.isSuccess(event)) {
          stage = 'incident';
          const resolved = tracker.observeSuccess(event);
          if (resolved.length > 0) incidentsChanged = true;
          updates.push(...resolved);
          continue;
        }
        const { matches, overBudget } = matchWithinBudget(() => detector.match(event, MATCH_BUDGET_MS));
        if (overBudget) drops.drop('detect', 'match_budget', record, overBudget);
        stage = 'incident';
        for (const match of matches) {
          metrics.ruleMatches.labels({ rule: match.rule.id, severity: match.severity }).inc();
          const opened = tracker.observe(match);
          if (opened.length > 0) incidentsChanged = true;
          metrics.detectionLatency.observe(Math.max(0, now() - record.readAt) / 1000);
          updates.push(...opened);
        }
      } catch (err) {
        drops.drop(stage, 'exception', record, err);
      }
    }
    // Durability without waiting for diagnoses: the source checkpoints these records once the
    // announcements they caused are journaled (milliseconds); a slow LLM call holds back nothing.
    if (updates.length > 0) await announceJournaled(updates);
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
    const sample = incident.samples[0];
    const request = buildDiagnoseRequest(incident, sample ? context.before(sample.origin.file, sample.raw) : [], redactor);
    const diagnosis = await brain.diagnose(request);
    incident.diagnosis = diagnosis;
    tracker.setDiagnosis(incident.id, diagnosis);
  }

  function diagnoseOffline(incident: Incident): void {
    const sample = incident.samples[0];
    const diagnosis = analyse(buildDiagnoseRequest(incident, sample ? context.before(sample.origin.file, sample.raw) : [], redactor));
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
