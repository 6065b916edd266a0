// Re-alerts come due together after a storm: 100 incidents opened in one burst pass their cooldown
// in the same tick. Past the storm's individual budget they go out as one digest, not 100 messages.
import type { IncidentUpdate } from './incident-tracker.js';

export function foldRepeats(updates: IncidentUpdate[], maxIndividual: number): IncidentUpdate[] {
  const repeats = updates.filter((u) => u.kind === 'repeated' && u.incident);
  if (repeats.length <= maxIndividual) return updates;
  const rest = updates.filter((u) => !repeats.includes(u));
  return [...rest, { kind: 'digest', incidents: repeats.map((u) => u.incident!) }];
}
