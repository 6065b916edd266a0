// The demo pipeline's structured logger: one JSON object per line, appended synchronously so a
// record is on disk before the next statement runs (a crash never hides the line that explains it).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RunContext {
  pipeline: string;
  runId: string;
}

export interface ErrorRecord {
  type: string;
  message: string;
  stack: string;
}

export interface RunLogger {
  info(event: string, msg: string, fields?: Record<string, unknown>): void;
  error(event: string, msg: string, error: unknown, fields?: Record<string, unknown>): void;
}

export function toErrorRecord(error: unknown): ErrorRecord {
  if (error instanceof Error) {
    return { type: error.name, message: error.message, stack: error.stack ?? `${error.name}: ${error.message}` };
  }
  return { type: 'Error', message: String(error), stack: String(error) };
}

export function createRunLogger(logFile: string, context: RunContext): RunLogger {
  mkdirSync(dirname(logFile), { recursive: true });
  const write = (level: string, event: string, msg: string, fields: Record<string, unknown>): void => {
    const record = { ts: new Date().toISOString(), level, pipeline: context.pipeline, run_id: context.runId, event, msg, ...fields };
    appendFileSync(logFile, JSON.stringify(record) + '\n');
  };
  return {
    info: (event, msg, fields = {}) => write('info', event, msg, fields),
    error: (event, msg, error, fields = {}) => write('error', event, msg, { ...fields, error: toErrorRecord(error) }),
  };
}
