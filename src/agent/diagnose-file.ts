// One finished log file in, one report per incident out: the live agent's own intake (screen,
// parse, detect, incidents, the request it builds), read once from byte 0 with nothing persisted
// and nothing sent. Unlike the live agent, a finished file has its end: each incident is given the
// 50 lines below its record however late they were written (FINISHED_FILE_FOLLOW_UP), and a
// file read at once is no storm, so every incident is reported on its own.
import type { SentinelConfig, SourceConfig } from '../config/config-types.js';
import { defaultConfig } from '../config/load-config.js';
import { createDetector } from '../detect/detector.js';
import { createIncidentTracker } from '../incident/incident-tracker.js';
import type { Brain } from '../brain/brain.js';
import { createRedactor } from '../redact/redactor.js';
import { readRecordsFromFile } from '../source/multiline-joiner.js';
import { createMetrics } from '../metrics/metrics.js';
import { silentLogger } from '../log.js';
import type { Diagnosis, Incident, Location } from '../types.js';
import { FINISHED_FILE_FOLLOW_UP } from './follow-up-lines.js';
import { createIncidentIntake } from './incident-intake.js';

export interface IncidentReport {
  rule: string;
  severity: string;
  fingerprint: string;
  count: number;
  title: string;
  pipeline: string | null;
  step: string | null;
  firstLine: number | null;
  category: Diagnosis['category'];
  summary: string;
  rootCause: string;
  location: Location | null;
  fix: string[];
  retryable: boolean;
  confidence: number;
  engine: Diagnosis['engine'];
  model: string | null;
}

/** The source a one-shot read uses: the config's first source's reading rules, from byte 0. */
export function oneShotSource(config: SentinelConfig, file: string): SourceConfig {
  // With `sources: []`, the reading rules of the default source (every key at its default).
  const base = (config.sources[0] ?? defaultConfig().sources[0]) as SourceConfig;
  return { ...base, name: 'diagnose', paths: [file], start_at: 'beginning' };
}

export async function diagnoseFile(file: string, config: SentinelConfig, brain: Brain): Promise<IncidentReport[]> {
  const source = oneShotSource(config, file);
  const metrics = createMetrics({ defaultMetrics: false });
  const incidentsConfig = { ...config.incidents, storm: { ...config.incidents.storm, max_individual_alerts: Number.MAX_SAFE_INTEGER } };
  const tracker = createIncidentTracker({ config: incidentsConfig, stateDir: null, metrics, logger: silentLogger() });
  const detector = createDetector(config);
  const intake = createIncidentIntake({ detector: () => detector, tracker, redactor: createRedactor(config.redact.patterns), metrics, now: Date.now, followUp: FINISHED_FILE_FOLLOW_UP });
  const order: Incident[] = [];
  for await (const record of readRecordsFromFile(file, source)) {
    for (const update of intake.take(source.format, [record])) if (update.kind === 'opened' && update.incident) order.push(update.incident);
  }
  intake.endAll();

  const reports: IncidentReport[] = [];
  for (const opened of order) {
    const incident = tracker.get(opened.id) ?? opened;
    reports.push(toReport(incident, await brain.diagnose(await intake.request(opened))));
  }
  return reports;
}

function toReport(incident: Incident, d: Diagnosis): IncidentReport {
  return {
    rule: incident.rule.id,
    severity: incident.severity,
    fingerprint: incident.fingerprint,
    count: incident.count,
    title: incident.title,
    pipeline: incident.pipeline ?? null,
    step: incident.step ?? null,
    firstLine: incident.samples[0]?.origin.line ?? null,
    category: d.category,
    summary: d.summary,
    rootCause: d.rootCause,
    location: d.location,
    fix: d.fix,
    retryable: d.retryable,
    confidence: d.confidence,
    engine: d.engine,
    model: d.model,
  };
}
