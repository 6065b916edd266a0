// Why an incident resolved, in the words its resolved alert shows: a person who got the failure
// alert should not have to guess whether the job recovered or the log merely went quiet.
import path from 'node:path';
import type { Incident, LogEvent } from '../types.js';
import { eventScope } from './incident-fields.js';

/** 1800000 → "30 min"; 90000 → "90 s"; 7200000 → "2 h". */
export function formatDuration(ms: number): string {
  const secs = Math.round(ms / 1000);
  if (secs < 120) return `${secs} s`;
  const mins = Math.round(secs / 60);
  if (mins < 120 || mins % 60 !== 0) return `${mins} min`;
  return `${mins / 60} h`;
}

/** The reason a success record gives each incident it resolves. */
export function successReason(success: LogEvent): (incident: Incident) => string {
  const scope = eventScope(success);
  const where = `${path.basename(success.origin.file)}${success.origin.line !== undefined ? `:${success.origin.line}` : ''}`;
  const what = [scope.pipeline, scope.step].filter((s): s is string => s !== undefined).join(' › ');
  return (incident) => {
    const later = scope.attempt !== undefined && (incident.attempt === undefined || scope.attempt > incident.attempt);
    if (later) {
      const after = incident.attempt !== undefined ? ` after attempt ${incident.attempt} failed` : '';
      return `attempt ${scope.attempt} of ${what || 'the task'} succeeded${after} (${where})`;
    }
    return `${what || 'the pipeline'} reported success (${where})`;
  };
}
