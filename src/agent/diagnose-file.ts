// One finished log file in, one report per incident out: the live agent's own pipeline
// (pipeline.ts), fed the file once from byte 0, with incidents kept in memory and alerts recorded
// instead of sent. Unlike the live agent, a finished file has its end: each incident is given the 50
// lines below its record however late they were written (FINISHED_FILE_FOLLOW_UP), with the brain's
// whole time budget after that, and a file read at once is no storm, so every incident is reported
// on its own.
import type { SentinelConfig, SourceConfig } from '../config/config-types.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Brain } from '../brain/brain.js';
import { readRecordsFromFile } from '../source/read-records-from-file.js';
import { createMetrics } from '../metrics/metrics.js';
import type { Alert, Diagnosis, Incident, Location } from '../types.js';
import { FINISHED_FILE_FOLLOW_UP } from './follow-up-lines.js';
import { buildPipeline } from './pipeline.js';

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
  const base: SourceConfig = config.sources[0] ?? { name: 'diagnose', paths: [], exclude: [], ...DEFAULTS.source, multiline: { ...DEFAULTS.source.multiline } };
  return { ...base, name: 'diagnose', paths: [file], start_at: 'beginning' };
}

export async function diagnoseFile(file: string, config: SentinelConfig, brain: Brain): Promise<IncidentReport[]> {
  const source = oneShotSource(config, file);
  const sent: Alert[] = [];
  const pipeline = buildPipeline({
    config,
    metrics: createMetrics({ defaultMetrics: false }),
    now: Date.now,
    stateDir: null,
    followUp: FINISHED_FILE_FOLLOW_UP,
    storms: false,
    waitWithinBrainBudget: false,
    brain,
    alerts: {
      send: async (alert) => {
        sent.push(alert);
      },
    },
  });
  const order: string[] = [];
  for await (const record of readRecordsFromFile(file, source)) {
    for (const update of pipeline.take(source.format, [record])) if (update.kind === 'opened' && update.incident) order.push(update.incident.id);
  }
  pipeline.endAll();
  await pipeline.settled();

  // In the order the incidents opened, with the count they reached by the end of the file.
  const opened = new Map(sent.flatMap((alert) => (alert.kind === 'opened' && alert.incident ? [[alert.incident.id, alert.incident] as const] : [])));
  const reports: IncidentReport[] = [];
  for (const id of order) {
    const announced = opened.get(id);
    if (!announced?.diagnosis) continue;
    reports.push(toReport(pipeline.tracker.get(id) ?? announced, announced.diagnosis));
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
