// What an incident says about the failure, derived from the event that opened it. Pipelines name
// their keys differently (Dagster `step_key`, Airflow `task_id`, dbt `model`), so each incident
// field looks at a short list of keys, first hit wins.
import type { LogEvent, RuleInfo } from '../types.js';

// Argo Workflows' controller logs `workflow=` and the failing node's `templateName=`.
const PIPELINE_KEYS = ['pipeline', 'pipeline_name', 'dag_id', 'workflow'];
const STEP_KEYS = ['step', 'step_key', 'task_id', 'model', 'templateName'];
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
  attempt?: number;
}

// Airflow 2's default log_filename_template names the task attempt a file holds:
// dag_id=D/run_id=R/task_id=T/[map_index=M/]attempt=N.log
const AIRFLOW_LOG_PATH = /(?:^|\/)dag_id=([^/]+)\/run_id=([^/]+)\/task_id=([^/]+)\/(?:map_index=-?\d+\/)?attempt=(\d+)\.log$/;
// The task runner's own lines name it too: "Marking task as UP_FOR_RETRY. dag_id=D, task_id=T, run_id=R, …".
const AIRFLOW_TASK_LINE = /\bdag_id=([^,\s]+), task_id=([^,\s]+)(?:, run_id=([^,\s]+))?/;

/** The Airflow task attempt a record belongs to, from its file's path or its own text. */
function airflowScope(event: LogEvent): EventScope | undefined {
  const byPath = AIRFLOW_LOG_PATH.exec(event.origin.file);
  if (byPath) return { pipeline: decodePathPart(byPath[1]), runId: decodePathPart(byPath[2]), step: decodePathPart(byPath[3]), attempt: Number(byPath[4]) };
  if (!event.message.includes('dag_id=')) return undefined;
  const byLine = AIRFLOW_TASK_LINE.exec(event.message);
  if (!byLine) return undefined;
  const scope: EventScope = { pipeline: byLine[1] as string, step: byLine[2] as string };
  if (byLine[3] !== undefined) scope.runId = byLine[3];
  return scope;
}

// dbt names the node a line is about: "Database Error in model stg_orders (models/…)", "Failure in
// test not_null_orders_id (…)", "3 of 9 FAIL 14 not_null_orders_id ….", "1 of 2 ERROR creating view model s.orders ….".
const DBT_NODE_LINE = /\b(?:(?:Database|Compilation|Runtime) Error in (?:model|test|seed|snapshot)|Failure in test|\d+ of \d+ (?:FAIL \d+|ERROR creating(?: \w+)* model)) ([\w.]+)/;

/** The dbt model or test a text line names (its last dotted part: `schema.orders` and `orders` are one model). */
function dbtNode(event: LogEvent): string | undefined {
  if (event.format !== 'text') return undefined;
  const name = DBT_NODE_LINE.exec(event.message)?.[1]?.replace(/\.+$/, '');
  return name ? name.slice(name.lastIndexOf('.') + 1) : undefined;
}

/** Airflow escapes some characters of run ids in paths (`:` as `%3A` on some file systems). */
function decodePathPart(part: string | undefined): string {
  try {
    return decodeURIComponent(part ?? '');
  } catch {
    return part ?? '';
  }
}

/** Pipeline, step, run and try of a record: its own fields first, then what its file's path or text says. */
export function eventScope(event: LogEvent): EventScope {
  const scope: EventScope = {};
  const pipeline = firstField(event, PIPELINE_KEYS);
  const step = firstField(event, STEP_KEYS);
  const runId = firstField(event, RUN_KEYS);
  if (pipeline !== undefined) scope.pipeline = pipeline;
  if (step !== undefined) scope.step = step;
  if (runId !== undefined) scope.runId = runId;
  if (pipeline === undefined || step === undefined || runId === undefined) {
    const airflow = airflowScope(event);
    if (airflow) {
      scope.pipeline ??= airflow.pipeline;
      scope.step ??= airflow.step;
      if (airflow.runId !== undefined) scope.runId ??= airflow.runId;
      if (airflow.attempt !== undefined) scope.attempt = airflow.attempt;
    }
  }
  if (scope.step === undefined) {
    const node = dbtNode(event);
    if (node !== undefined) scope.step = node;
  }
  return scope;
}

/** One short line: the error type and message when the record carries one, else the rule's alert title (or description), else the message. */
export function incidentTitle(event: LogEvent, rule: RuleInfo): string {
  let title: string;
  if (event.error) title = event.error.message ? `${event.error.type}: ${event.error.message}` : event.error.type;
  else title = rule.title ?? rule.description ?? (event.message || rule.id);
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
