// One finished log file in, one report per incident out: the same parse → detect → incident →
// diagnose path as the agent, read once from byte 0 with nothing persisted and nothing sent.
import type { SentinelConfig, SourceConfig } from '../config/config-types.js';
import { createDetector } from '../detect/detector.js';
import { createIncidentTracker } from '../incident/incident-tracker.js';
import type { Brain } from '../brain/brain.js';
import { createRedactor } from '../redact/redactor.js';
import { readRecordsFromFile } from '../source/multiline-joiner.js';
import { parseRecord } from '../parse/parse-record.js';
import { createMetrics } from '../metrics/metrics.js';
import { silentLogger } from '../log.js';
import type { Diagnosis, Incident, Location } from '../types.js';
import { buildDiagnoseRequest } from './diagnose-request.js';

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

const CONTEXT_LINES = 20;
// Lines after the failing record given to the brain: the cause is often printed below the line
// that first reports the failure (Dagster's wrapped error, Spark's driver stacktrace, dbt's summary).
const AFTER_LINES = 50;

export async function diagnoseFile(file: string, config: SentinelConfig, brain: Brain): Promise<IncidentReport[]> {
  const source: SourceConfig = config.sources[0]
    ? { ...config.sources[0], name: 'diagnose', paths: [file], start_at: 'beginning' }
    : { name: 'diagnose', paths: [file], exclude: [], start_at: 'beginning', format: 'auto', max_line_bytes: 262_144, multiline: { timeout_ms: 0, max_lines: 500, max_bytes: 1 << 20 }, poll: false, poll_interval_ms: 1000 };
  const detector = createDetector(config);
  const redactor = createRedactor(config.redact.patterns);
  const metrics = createMetrics({ defaultMetrics: false });
  // A file read at once is no storm: every incident is reported on its own.
  const incidentsConfig = { ...config.incidents, storm: { ...config.incidents.storm, max_individual_alerts: Number.MAX_SAFE_INTEGER } };
  const tracker = createIncidentTracker({ config: incidentsConfig, stateDir: null, metrics, logger: silentLogger() });
  const recent: string[] = [];
  const contextOf = new Map<string, string[]>();
  const afterOf = new Map<string, string[]>();
  const order: Incident[] = [];
  // Incidents still collecting the lines that follow their record. The next incident does not stop
  // them: a wrapper's report often opens its own incident just above the cause (dbt's summary,
  // Spark's driver stacktrace), and the 50-line bound keeps unrelated failures out.
  let collecting: string[][] = [];

  for await (const record of readRecordsFromFile(file, source)) {
    const { event } = parseRecord(record, source.format);
    const lines = collecting.length > 0 ? record.text.split('\n') : [];
    for (const after of collecting) after.push(...lines.slice(0, AFTER_LINES - after.length));
    collecting = collecting.filter((after) => after.length < AFTER_LINES);
    let opened: string[] | undefined;
    for (const match of detector.match(event)) {
      for (const update of tracker.observe(match)) {
        if (update.kind === 'opened' && update.incident) {
          order.push(update.incident);
          contextOf.set(update.incident.id, [...recent]);
          if (!opened) collecting.push((opened = []));
          afterOf.set(update.incident.id, opened);
        }
      }
    }
    recent.push(record.text);
    if (recent.length > CONTEXT_LINES) recent.shift();
  }

  const reports: IncidentReport[] = [];
  for (const opened of order) {
    const incident = tracker.get(opened.id) ?? opened;
    const diagnosis = await brain.diagnose(buildDiagnoseRequest(incident, contextOf.get(incident.id) ?? [], redactor, afterOf.get(incident.id)));
    reports.push(toReport(incident, diagnosis));
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
