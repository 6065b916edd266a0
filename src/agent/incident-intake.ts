// Records in, incident updates and diagnose requests out: screen → parse → detect → incidents, with
// the context before each failing record and the lines after it. One assembly for the live agent
// (`sentinel run`), the one-shot `sentinel diagnose FILE` and `npm run eval`'s live replay; they
// differ only in what feeds it records, its clock, and how long it waits for the lines after a
// failure (FollowUpPolicy), so their diagnoses cannot drift apart.
import type { SourceConfig } from '../config/config-types.js';
import type { Detector } from '../detect/detector.js';
import type { IncidentTracker, IncidentUpdate } from '../incident/incident-tracker.js';
import type { Metrics } from '../metrics/metrics.js';
import { looksCutJson, parseRecord } from '../parse/parse-record.js';
import type { Redactor } from '../redact/redactor.js';
import type { DiagnoseRequest, Incident, RawRecord } from '../types.js';
import { createContextWindow } from './context-window.js';
import { buildDiagnoseRequest } from './diagnose-request.js';
import { createFollowUpLines, type FollowUpPolicy } from './follow-up-lines.js';
import { createRecordDrops, type RecordDropStage } from './record-drops.js';
import { matchWithinBudget } from '../detect/match-budget.js';
import { silentLogger, type Logger } from '../log.js';

export interface IncidentIntakeOptions {
  /** Called per batch, so a hot reload of the rules takes effect on the next batch. */
  detector: () => Detector;
  tracker: IncidentTracker;
  redactor: Redactor;
  metrics: Metrics;
  now: () => number;
  followUp: FollowUpPolicy;
  /** Where skipped records are logged (with file and offset); counted in any case. */
  logger?: Logger;
  /** Per-record time in the rules after which the remaining rules are skipped (the live agent's guard). */
  matchBudgetMs?: number;
}

export interface IncidentIntake {
  /** Records of one source, in file order. Returns what should be announced; never waits. */
  take(format: SourceConfig['format'], records: readonly RawRecord[]): IncidentUpdate[];
  /** The question for the brain about an opened incident, once the lines after its record are in (see FollowUpPolicy). */
  request(incident: Incident): Promise<DiagnoseRequest>;
  /** The question with what is known now (storm digests, where each incident gets the offline analyser). */
  requestNow(incident: Incident): DiagnoseRequest;
  /** Ends waits whose time is up; returns the epoch ms of the next deadline, Infinity when none. */
  expire(now: number): number;
  /** No more input (end of file, agent stopping): every wait ends now. */
  endAll(): void;
}

/** Announcements that never asked for their request (a journal write failed) cannot hold more than this. */
const MAX_KEPT_CONTEXTS = 1000;

export function createIncidentIntake(options: IncidentIntakeOptions): IncidentIntake {
  const { tracker, redactor, metrics, now } = options;
  const context = createContextWindow();
  const drops = createRecordDrops({ metrics, logger: options.logger ?? silentLogger(), now });
  const followUps = createFollowUpLines(options.followUp);
  /** The records before each announced incident's record, taken when it opened; bounded like the waits. */
  const before = new Map<string, string[]>();
  /** Whether a record explains itself, for incidents that opened while the analyser was loading. */
  const verdicts = new Map<string, Promise<boolean>>();

  const contextOf = (incident: Incident): string[] => {
    const kept = before.get(incident.id);
    if (kept) return kept;
    const sample = incident.samples[0];
    return sample ? context.before(sample.origin.file, sample.raw) : [];
  };

  return {
    take(format, records) {
      const detector = options.detector();
      const updates: IncidentUpdate[] = [];
      for (const record of records) {
        // The hot path: most of the time nothing waits, and the clock is not read.
        if (followUps.waiting > 0) followUps.push(record.origin.file, record.text, now());
        context.push(record.origin.file, record.text);
        // One record that cannot be processed is counted and skipped; the rest of the batch goes on.
        let stage: RecordDropStage = 'parse';
        try {
          // Most records can be proven uninteresting from their text alone: they skip parse and detect.
          // Context lines the tailer's search (this screen's first step) already passed over need no second look.
          const screenedOut = record.screenedBy !== undefined && record.screenedBy === detector.screen.bufferSearch;
          if (screenedOut || !detector.screen(record.text)) {
            if (!screenedOut && looksCutJson(record.text, format)) metrics.parseErrors.labels({ source: record.origin.source, reason: 'invalid_json' }).inc();
            continue;
          }
          const { event, problem } = parseRecord(record, format);
          if (problem) metrics.parseErrors.labels({ source: record.origin.source, reason: problem }).inc();
          stage = 'detect';
          if (detector.isSuccess(event)) {
            stage = 'incident';
            updates.push(...tracker.observeSuccess(event));
            continue;
          }
          const { matches, overBudget } = matchWithinBudget(() => detector.match(event, options.matchBudgetMs));
          if (overBudget) drops.drop('detect', 'match_budget', record, overBudget);
          stage = 'incident';
          for (const match of matches) {
            const at = now();
            metrics.ruleMatches.labels({ rule: match.rule.id, severity: match.severity }).inc();
            const opened = tracker.observe(match);
            metrics.detectionLatency.observe(Math.max(0, at - record.readAt) / 1000);
            for (const update of opened) {
              const incident = update.kind === 'opened' ? update.incident : undefined;
              if (incident && !incident.diagnosis && !before.has(incident.id)) {
                // The ring moves on with every record: keep this incident's view of what came before.
                if (before.size >= MAX_KEPT_CONTEXTS) before.delete(before.keys().next().value as string);
                const kept = contextOf(incident);
                before.set(incident.id, kept);
                // A record that explains itself is diagnosed at once; the others wait for what the file prints next.
                const explainsItself = options.followUp.explainsItself?.(buildDiagnoseRequest(incident, kept, redactor)) ?? false;
                if (explainsItself !== true) followUps.start(incident.id, record.origin.file, at);
                if (explainsItself instanceof Promise) {
                  if (verdicts.size >= MAX_KEPT_CONTEXTS) verdicts.delete(verdicts.keys().next().value as string);
                  verdicts.set(incident.id, explainsItself);
                }
              }
            }
            updates.push(...opened);
          }
        } catch (err) {
          drops.drop(stage, 'exception', record, err);
        }
      }
      return updates;
    },

    async request(incident) {
      // Asked before the analyser answered: the wait started meanwhile, and goes if the record explained itself.
      const verdict = verdicts.get(incident.id);
      verdicts.delete(incident.id);
      if (verdict && (await verdict.catch(() => false))) followUps.forget(incident.id);
      const after = await followUps.wait(incident.id);
      // The incident as it opened: records of the same failure that joined it later reach the
      // diagnosis as lines after it, so the answer does not depend on how the file was batched
      // (the eval replay and the agent must agree); the alert shows the incident as it is then.
      const request = buildDiagnoseRequest(incident, contextOf(incident), redactor, after);
      before.delete(incident.id);
      return request;
    },

    requestNow(incident) {
      return buildDiagnoseRequest(incident, contextOf(incident), redactor);
    },

    expire(at) {
      return followUps.expire(at);
    },

    endAll() {
      followUps.endAll();
    },
  };
}
