// `sentinel diagnose FILE`: one JSON line per incident (or a readable block with --format text).
import { createBrain } from '../brain/brain.js';
import { diagnoseFile, type IncidentReport } from '../agent/diagnose-file.js';
import { createMetrics } from '../metrics/metrics.js';
import { createLogger } from '../log.js';
import { resolveConfig } from './resolve-config.js';

function asText(report: IncidentReport): string {
  const where = report.location ? `${report.location.file}:${report.location.line ?? '?'} in ${report.location.function ?? '?'}` : 'unknown';
  return [
    `[${report.severity}] ${report.rule} ×${report.count}: ${report.summary}`,
    `  category:   ${report.category} (${report.retryable ? 'retryable' : 'not retryable'}, confidence ${report.confidence.toFixed(2)}, ${report.engine})`,
    `  location:   ${where}`,
    `  root cause: ${report.rootCause}`,
    ...report.fix.map((step, i) => `  fix ${i + 1}:      ${step}`),
  ].join('\n');
}

export async function runDiagnoseCommand(file: string | undefined, configFile: string | undefined, format: 'json' | 'text'): Promise<number> {
  if (!file) {
    console.error('sentinel diagnose: give the log file to read, e.g. sentinel diagnose logs/aio_pipeline.log');
    return 2;
  }
  const config = resolveConfig(configFile);
  const logger = createLogger({ level: process.env.SENTINEL_LOG_LEVEL ?? 'warn' });
  const brain = createBrain({ config: config.brain, metrics: createMetrics({ defaultMetrics: false }), logger });
  try {
    const reports = await diagnoseFile(file, config, brain);
    for (const report of reports) console.log(format === 'json' ? JSON.stringify(report) : asText(report));
    if (reports.length === 0 && format === 'text') console.log('No incident found.');
    return 0;
  } finally {
    await brain.close();
  }
}
