// What the incident stage hands on: an incident opened, repeated or resolved, or a storm's digest.
// Its own module so the tracker, the announcement journal and the state file can all name it
// without importing one another in a circle.
import type { Incident } from '../types.js';

export interface IncidentUpdate {
  kind: 'opened' | 'repeated' | 'resolved' | 'digest';
  /** For opened / repeated / resolved: a snapshot of the incident at that moment. */
  incident?: Incident;
  /** For digest: every incident the storm held back (unbounded here; the notifier trims for Slack). */
  incidents?: Incident[];
}
