// `sentinel diagnose FILE...`: one JSON line per incident (or a readable block with --format text).
// Each file is read whole, once: unlike the live agent, a finished file's later lines are known.
import { createBrain } from '../brain/brain.js';
import { chooseLlmEngine, findLlmEngine, type EngineChoice } from '../brain/engine-registry.js';
import { diagnoseFile, type IncidentReport } from '../agent/diagnose-file.js';
import { createMetrics } from '../metrics/metrics.js';
import { createLogger } from '../log.js';
import { UsageError } from './command-line.js';
import { expandFileArgs } from './expand-file-args.js';
import { resolveConfig } from './resolve-config.js';

export interface DiagnoseOptions {
  configFile: string | undefined;
  format: 'json' | 'text';
  /** auto: the configured LLM engine, else built-in; builtin: never an LLM; an LLM engine: it must be configured. */
  engine: EngineChoice;
  failOnIncident: boolean;
}

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

export async function runDiagnoseCommand(args: readonly string[], options: DiagnoseOptions): Promise<number> {
  const files = expandFileArgs(args);
  const config = resolveConfig(options.configFile);
  const wanted = options.engine === 'auto' || options.engine === 'builtin' ? undefined : findLlmEngine(options.engine);
  if (wanted && !chooseLlmEngine(config.brain, options.engine)) {
    throw new UsageError(`--engine ${wanted.name} needs ${wanted.requirement}`);
  }
  const brainConfig = { ...config.brain, ...(options.engine === 'builtin' ? { url: 'embedded' } : {}) };
  const logger = createLogger({ level: process.env.SENTINEL_LOG_LEVEL ?? 'warn' });
  const brain = createBrain({ config: brainConfig, engine: options.engine, auditDir: config.state_dir, metrics: createMetrics({ defaultMetrics: false }), logger });
  let incidents = 0;
  try {
    for (const file of files) {
      const reports = await diagnoseFile(file, config, brain);
      incidents += reports.length;
      for (const report of reports) {
        // With several files, each line says which file it came from.
        const line = files.length > 1 ? { file, ...report } : report;
        console.log(options.format === 'json' ? JSON.stringify(line) : `${files.length > 1 ? `${file}\n` : ''}${asText(report)}`);
      }
    }
    if (incidents === 0 && options.format === 'text') console.log('No incident found.');
    return options.failOnIncident && incidents > 0 ? 1 : 0;
  } finally {
    await brain.close();
  }
}
