// What an incident says about the failure, derived from the event that opened it. Pipelines name
// their keys differently (Dagster `step_key`, Airflow `task_id`, dbt `model`), so each incident
// field looks at a short list of keys, first hit wins.
import type { LogEvent, RuleInfo } from '../types.js';

const PIPELINE_KEYS = ['pipeline', 'pipeline_name', 'dag_id'];
const STEP_KEYS = ['step', 'step_key', 'task_id', 'model'];
const RUN_KEYS = ['run_id', 'runId'];

export const MAX_TITLE_CHARS = 160;
/** Samples kept per incident: the first few (how it started) and the most recent (how it is now). */
export const FIRST_SAMPLES = 3;
export const LAST_SAMPLES = 2;

/** A field by dotted path (`error.type`); `error.*` falls back to the parsed error of the record. */
export function fieldValue(event: LogEvent, path: string): string | undefined {
  const direct = event.fields[path];
  if (direct !== undefined) return scalar(direct);
  let cur: unknown = event.fields;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') {
      cur = undefined;
      break;
    }
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur !== undefined) return scalar(cur);
  if (event.error && path === 'error.type') return event.error.type;
  if (event.error && path === 'error.message') return event.error.message;
  return undefined;
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function firstField(event: LogEvent, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = fieldValue(event, k);
    if (v !== undefined) return v;
  }
  return undefined;
}

export interface EventScope {
  pipeline?: string;
  step?: string;
  runId?: string;
}

export function eventScope(event: LogEvent): EventScope {
  const scope: EventScope = {};
  const pipeline = firstField(event, PIPELINE_KEYS);
  const step = firstField(event, STEP_KEYS);
  const runId = firstField(event, RUN_KEYS);
  if (pipeline !== undefined) scope.pipeline = pipeline;
  if (step !== undefined) scope.step = step;
  if (runId !== undefined) scope.runId = runId;
  return scope;
}

/** One short line: the error type and message when the record carries one, else the rule's description, else the message. */
export function incidentTitle(event: LogEvent, rule: RuleInfo): string {
  let title: string;
  if (event.error) title = event.error.message ? `${event.error.type}: ${event.error.message}` : event.error.type;
  else title = rule.description ?? (event.message || rule.id);
  const line = (title.split('\n', 1)[0] ?? '').trim() || rule.id;
  return line.length > MAX_TITLE_CHARS ? `${line.slice(0, MAX_TITLE_CHARS - 1)}…` : line;
}

/** Keeps the first FIRST_SAMPLES events and the LAST_SAMPLES most recent ones, in place. */
export function addSample(samples: LogEvent[], event: LogEvent): void {
  if (samples.length < FIRST_SAMPLES + LAST_SAMPLES) {
    samples.push(event);
    return;
  }
  samples.splice(FIRST_SAMPLES, 1);
  samples.push(event);
}
