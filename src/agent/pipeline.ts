// The one assembly of the stages (docs/architecture.md, "One assembly"): records in; screen, parse
// and detect; incidents; the diagnosis of each opened one; alerts out. `sentinel run` (agent.ts),
// `sentinel diagnose FILE` (diagnose-file.ts), `sentinel test-rules` (rule-tests.ts) and `npm run
// eval` (scripts/eval/live-replay.ts) all build it here, so their answers cannot drift apart. What
// differs between them is a parameter: what feeds the records (a live tail, a finished file, a text
// replayed on a virtual clock), the clock, the wait for the lines after a failure, whether incidents
// are kept in state_dir, whether storms are batched, and where alerts go (the notifier's
// destinations, or a recording of what would have been sent).
import type { SentinelConfig, SourceConfig } from '../config/config-types.js';
import { createDetector, type Detector } from '../detect/detector.js';
import { createIncidentTracker, type IncidentTracker } from '../incident/incident-tracker.js';
import type { IncidentUpdate } from '../incident/incident-update.js';
import type { JournalEntry } from '../incident/announcement-journal.js';
import { foldRepeats } from '../incident/fold-repeats.js';
import type { Brain } from '../brain/brain.js';
import { type Analyse, loadAnalyser } from '../brain/lazy-analyser.js';
import type { Metrics } from '../metrics/metrics.js';
import { createRedactor, type Redactor } from '../redact/redactor.js';
import type { ActiveSilences } from '../silence/active-silences.js';
import { SentinelError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { Alert, DiagnoseRequest, Diagnosis, Incident, RawRecord } from '../types.js';
import type { FollowUpPolicy } from './follow-up-lines.js';
import { createIncidentIntake } from './incident-intake.js';
import { SOLO_GATE, type AnnouncementGate, type PendingOpening } from '../fleet/announcement-gate.js';

/** The incident tick: resolutions, storm digests and re-alerts happen on it (a replay keeps the same beat). */
export const TICK_MS = 1000;

/** Where alerts go: the notifier (the live agent), or a recording (`diagnose`, the eval). */
export interface AlertSink {
  /** Resolves once the alert is safe (the notifier: in its durable outbox). */
  send(alert: Alert): Promise<void>;
}

export interface PipelineOptions {
  config: SentinelConfig;
  metrics: Metrics;
  now: () => number;
  /** Where skipped records and failed announcements are logged. */
  logger?: Logger;
  /** Where incidents and the announcements still owed are kept (incidents.json); null: in memory only. */
  stateDir: string | null;
  /** How long an opened incident waits for the lines printed after its record. */
  followUp: FollowUpPolicy;
  /** False: every incident is announced on its own (a file read at once is no storm). Default true. */
  storms?: boolean;
  /**
   * The wait for the lines after a failure comes off `brain.timeout_ms`, so the alert goes out
   * within that budget of the incident opening (the live agent's promise). Default true; a
   * finished file, whose wait lasts until its end, gives the brain its whole budget instead.
   */
  waitWithinBrainBudget?: boolean;
  /** Diagnoses opened incidents; absent: incidents are not diagnosed (rule tests). */
  brain?: Brain;
  /** Where alerts go; absent: nothing is announced (rule tests). */
  alerts?: AlertSink;
  /** Operator silences: a covered incident is tracked but not announced. */
  silences?: ActiveSilences;
  /** Per-record time in the rules after which the remaining rules are skipped (the live agent's guard). */
  matchBudgetMs?: number;
  /** The agent shares its redactor with the brain and the notifier; default: one from `redact.patterns`. */
  redactor?: Redactor;
  /** Told of each failed save of the incident state, and of the first success after failures. */
  onSaveOutcome?: (error: Error | null, previous: Error | null) => void;
  /** Told of each diagnosis with the request it answered (the eval keeps both). */
  onDiagnosis?: (incident: Incident, request: DiagnoseRequest, diagnosis: Diagnosis) => void;
  /** Which updates this agent posts: in a fleet, src/fleet's gate; default all of them (SOLO_GATE). */
  gate?: AnnouncementGate;
}

export interface Pipeline {
  readonly tracker: IncidentTracker;
  /** The rules in force (replaced by `reloadRules`). */
  readonly detector: Detector;
  /** Swaps in new rules (hot reload): the next batch is matched with them. */
  reloadRules(config: SentinelConfig): void;
  /**
   * Records of one source, in file order: screened, parsed, matched and folded into incidents; what
   * that opened or changed is announced (without waiting for it). Returns the updates.
   */
  take(format: SourceConfig['format'], records: readonly RawRecord[]): IncidentUpdate[];
  /**
   * Saves the incident state `take` changed, with the announcements it owes. Records may be
   * acknowledged (checkpointed past) once this resolves: a crash before it replays them.
   */
  persist(): Promise<void>;
  /** Call every TICK_MS: resolutions, storm digests and re-alerts, announced. Returns the updates. */
  tick(): IncidentUpdate[];
  /** Announces what a crash left owed (the agent's start). */
  resumeOwed(): void;
  /** Ends the waits for lines after a failure whose time is up; returns the next deadline (Infinity: none). */
  expire(now: number): number;
  /** No more input (end of file, agent stopping): every wait for the lines after a failure ends now. */
  endAll(): void;
  /** Announcements (diagnosis, hand-over to the alert sink) under way. */
  readonly busy: number;
  /** Resolves once every announcement under way has finished. */
  settled(): Promise<void>;
}

export function buildPipeline(options: PipelineOptions): Pipeline {
  const { config, metrics, now, stateDir, brain, alerts, silences } = options;
  const logger = options.logger ?? silentLogger();
  const redactor = options.redactor ?? createRedactor(config.redact.patterns);
  const waitWithinBrainBudget = options.waitWithinBrainBudget ?? true;
  // A file read at once is no storm: each of its incidents is announced on its own.
  const incidentsConfig =
    options.storms === false ? { ...config.incidents, storm: { ...config.incidents.storm, max_individual_alerts: Number.MAX_SAFE_INTEGER } } : config.incidents;
  let detector: Detector = createDetector(config);
  const tracker: IncidentTracker = createIncidentTracker({
    config: incidentsConfig,
    stateDir,
    metrics,
    logger,
    now,
    ...(options.onSaveOutcome ? { onSaveOutcome: options.onSaveOutcome } : {}),
    ...(silences ? { silenced: (incident: Incident) => silences.covering(incident) !== undefined } : {}),
  });
  const intake = createIncidentIntake({
    detector: () => detector,
    tracker,
    redactor,
    metrics,
    now,
    followUp: options.followUp,
    logger,
    ...(options.matchBudgetMs !== undefined ? { matchBudgetMs: options.matchBudgetMs } : {}),
  });
  /** Announcements in flight: awaited by the agent's stop, and counted by `run --once`. */
  const inFlight = new Set<Promise<void>>();
  const gate = options.gate ?? SOLO_GATE;
  /** Journal entries whose openings another fleet member claimed: checked on every tick until announced. */
  const waits = new Map<string, { pending: PendingOpening[]; checking: boolean }>();

  function announceOwed(updates: IncidentUpdate[]): void {
    if (!alerts) return;
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
    // The fleet's view (members, fleet-wide count) was attached to the alert's copy by the gate.
    const incident = alert.incident.fleet ? { ...latest, fleet: alert.incident.fleet } : latest;
    return { ...alert, severity: latest.severity, incident };
  }

  /**
   * Posts what this agent owes people (the gate says how much of it is this agent's to post), then
   * settles the entry; openings another fleet member claimed keep it owed until they are announced.
   */
  function announce({ id, update: owed }: JournalEntry): Promise<void> {
    return track(
      (async () => {
        const update = unsilenced(owed);
        const plan = update ? await gate.plan(update) : { post: null, waiting: [] };
        if (plan.post) await deliver(plan.post);
        if (plan.waiting.length > 0) waits.set(id, { pending: plan.waiting, checking: false });
        else tracker.settle(id);
      })(),
    );
  }

  /** Diagnoses a newly opened incident (once), hands the alert to the sink, tells the fleet. */
  async function deliver(update: IncidentUpdate): Promise<void> {
    const opening = update.kind === 'opened' && update.incident && !update.incident.diagnosis ? diagnose(update.incident) : undefined;
    // The fleet's members join while the diagnosis is made: the alert names them.
    await Promise.all([opening, gate.describe(update)]);
    // Storm digests list many incidents: the built-in analyser (milliseconds, no cost) names each one.
    const undiagnosed = (update.incidents ?? []).filter((incident) => !incident.diagnosis);
    if (undiagnosed.length > 0) {
      // An analyser that cannot load leaves the digest without diagnoses; it still goes out.
      const analyse = await loadAnalyser().catch((err: unknown) => logger.error({ err }, 'The built-in analyser did not load; the digest goes without diagnoses.'));
      if (analyse) for (const incident of undiagnosed) diagnoseOffline(analyse, incident);
    }
    if (alerts) await alerts.send(withLatest(alertFor(update)));
    await gate.posted(update);
  }

  /** Openings another member claimed: announced by it meanwhile, or now this agent's to post (its claim expired). */
  function recheckWaits(): void {
    for (const [id, wait] of waits) {
      if (wait.checking) continue;
      wait.checking = true;
      void track(
        (async () => {
          const left: PendingOpening[] = [];
          try {
            for (const pending of wait.pending) {
              const verdict = await gate.recheck(pending);
              if (verdict === 'wait') left.push(pending);
              else if (verdict === 'post') await deliver({ kind: 'opened', incident: pending.incident });
            }
          } finally {
            wait.checking = false;
          }
          wait.pending = left;
          if (left.length > 0) return;
          waits.delete(id);
          tracker.settle(id);
        })(),
      );
    }
  }

  /** The update less what an operator's silence covers now (null: nothing left to say). */
  function unsilenced(update: IncidentUpdate): IncidentUpdate | null {
    if (!silences) return update;
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
    if (!brain) return;
    const startedAt = now();
    const request = await intake.request(incident);
    // The wait for the lines after the failure comes off the brain's budget: the alert stays
    // within brain.timeout_ms of the incident opening, wait included.
    const diagnosis = await brain.diagnose(request, waitWithinBrainBudget ? config.brain.timeout_ms - (now() - startedAt) : undefined);
    incident.diagnosis = diagnosis;
    tracker.setDiagnosis(incident.id, diagnosis);
    options.onDiagnosis?.(incident, request, diagnosis);
  }

  function diagnoseOffline(analyse: Analyse, incident: Incident): void {
    const diagnosis = analyse(intake.requestNow(incident));
    incident.diagnosis = diagnosis;
    tracker.setDiagnosis(incident.id, diagnosis);
  }

  return {
    tracker,
    get detector() {
      return detector;
    },

    reloadRules(next) {
      detector = createDetector(next);
    },

    take(format, records) {
      const updates = intake.take(format, records);
      // Announced at once (a full disk must not silence alerts, and no fsync delays a page); the
      // records are acknowledged only once `persist` saved the incidents they opened or updated,
      // held ones and owed announcements included. A crash before that replays the records (a
      // duplicate at worst); after it, the journal replays the announcement.
      announceOwed(updates);
      return updates;
    },

    async persist() {
      if (!tracker.unsaved) return;
      await tracker.save().catch((err: unknown) => {
        throw new SentinelError('SENTINEL_ERR_STATE_DIR', 'Incident state not saved: the records stay unacknowledged.', { cause: err });
      });
    },

    tick() {
      const updates = foldRepeats(tracker.tick(), incidentsConfig.storm.max_individual_alerts);
      announceOwed(updates);
      if (gate !== SOLO_GATE) {
        recheckWaits();
        gate.report(tracker.open());
      }
      return updates;
    },

    resumeOwed() {
      if (!alerts) return;
      for (const entry of tracker.owed()) void announce(entry);
    },

    expire(at) {
      return intake.expire(at);
    },

    endAll() {
      intake.endAll();
    },

    get busy() {
      return inFlight.size;
    },

    async settled() {
      await Promise.all([...inFlight]);
    },
  };
}
