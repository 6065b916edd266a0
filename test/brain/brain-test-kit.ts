// Shared pieces of the brain tests: a config, a realistic request, a logger that keeps its lines.
import { Writable } from 'node:stream';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import { pino, type Logger } from 'pino';
import type { BrainConfig } from '../../src/config/config-types.js';
import { diagnosisSchema } from '../../src/brain/schemas.js';
import type { Metrics } from '../../src/metrics/metrics.js';
import type { Diagnosis, DiagnoseRequest } from '../../src/types.js';
import { waitFor as sharedWaitFor } from '../helpers/wait.js';

export function brainConfig(
  overrides: Partial<Omit<BrainConfig, 'gemini' | 'openai'>> & { gemini?: Partial<BrainConfig['gemini']>; openai?: Partial<BrainConfig['openai']> } = {},
): BrainConfig {
  const { gemini, openai, ...rest } = overrides;
  return {
    url: 'embedded',
    timeout_ms: 5000,
    audit_max_bytes: 0,
    ...rest,
    openai: { timeout_ms: 5000, daily_call_budget: 1000, max_input_tokens: 6000, ...openai },
    gemini: {
      model: 'gemini-flash-lite-latest',
      timeout_ms: 5000,
      daily_call_budget: 1000,
      max_input_tokens: 6000,
      ...gemini,
    },
  };
}

export const FAILING_CODE_LINE = 'const ratio = total / count;';
/** Secrets an agent should have redacted; the brain's second pass must keep them from Gemini. */
export const LEAKED_SECRETS = ['S3cr3tPassw0rd', 'hunter2-very-secret-value'];

export function sampleRequest(overrides: Partial<DiagnoseRequest> = {}): DiagnoseRequest {
  return {
    fingerprint: 'rule:step-failed:transform_data:RangeError',
    rule: 'step-failed',
    severity: 'critical',
    title: 'aio_pipeline transform_data failed: RangeError: Division by zero',
    pipeline: 'aio_pipeline',
    step: 'transform_data',
    text: [
      '{"ts":"2026-11-25T13:01:02.345Z","level":"error","pipeline":"aio_pipeline","run_id":"r-8f2c","step":"transform_data","event":"step_failed","msg":"Step failed"}',
      'RangeError: Division by zero',
      '    at transformData (/app/pipeline/steps/transform.ts:42:27)',
      '    at runStep (/app/pipeline/run.ts:88:11)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n'),
    error: {
      type: 'RangeError',
      message: 'Division by zero',
      stack: [
        { file: '/app/pipeline/steps/transform.ts', line: 42, column: 27, function: 'transformData', code: FAILING_CODE_LINE, inUserCode: true },
        { file: '/app/pipeline/run.ts', line: 88, column: 11, function: 'runStep', inUserCode: true },
        { file: 'node:internal/process/task_queues', line: 95, column: 5, function: 'process.processTicksAndRejections', inUserCode: false },
      ],
    },
    context: [
      '{"level":"info","step":"extract_data","msg":"Extracted 0 rows from s3://raw/orders/2026-11-25/"}',
      `{"level":"debug","msg":"connecting to postgres://etl:${LEAKED_SECRETS[0]}@warehouse:5432/dw"}`,
      `{"level":"debug","msg":"env DB_PASSWORD=${LEAKED_SECRETS[1]}"}`,
      '{"level":"info","step":"transform_data","msg":"Starting transform_data"}',
    ],
    hint: 'transform_data divides totals by row counts; an empty extract makes the count zero.',
    ...overrides,
  };
}

/** A pino logger whose lines the test can read. */
export function recordingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString('utf8'));
      cb();
    },
  });
  return {
    logger: pino({ level: 'debug' }, stream),
    lines: () =>
      out
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Polls until `check` returns a truthy value; the failure says what was last seen (test/helpers/wait.ts). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 5000): Promise<T> {
  let last: unknown;
  return sharedWaitFor(
    what,
    async () => {
      last = await check();
      return last ? (last as T) : undefined;
    },
    { timeoutMs },
    () => JSON.stringify(last),
  );
}

export async function counterValue(metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((n, v) => n + v.value, 0);
}

const validDiagnosis = new Ajv({ strict: false }).compile(diagnosisSchema);

/** An LLM failure as every LLM engine must report it: the built-in answer, its reason, both counters. */
export async function expectCountedFallback(d: Diagnosis, reason: string, metrics: Metrics): Promise<void> {
  expect(d.engine).toBe('builtin');
  expect(d.fallbackReason).toBe(reason);
  expect(validDiagnosis(d), JSON.stringify(validDiagnosis.errors)).toBe(true);
  expect(await counterValue(metrics.diagnosisFallbacks, { reason })).toBe(1);
  expect(await counterValue(metrics.llmCalls, { outcome: reason })).toBe(1);
}
