import { describe, expect, it } from 'vitest';
import { foldRepeats } from '../../src/incident/fold-repeats.js';
import type { IncidentUpdate } from '../../src/incident/incident-tracker.js';
import type { Incident } from '../../src/types.js';

const incident = (id: string): Incident => ({ id }) as Incident;
const repeated = (id: string): IncidentUpdate => ({ kind: 'repeated', incident: incident(id) });

describe('foldRepeats', () => {
  it('leaves a few re-alerts as they are', () => {
    const updates = [repeated('a'), repeated('b'), { kind: 'resolved', incident: incident('c') } as IncidentUpdate];
    expect(foldRepeats(updates, 3)).toEqual(updates);
  });

  it('folds a burst of re-alerts into one digest and keeps every other update', () => {
    const resolved: IncidentUpdate = { kind: 'resolved', incident: incident('r') };
    const updates = [...Array.from({ length: 100 }, (_, i) => repeated(`i${i}`)), resolved];
    const folded = foldRepeats(updates, 3);
    expect(folded).toHaveLength(2);
    expect(folded[0]).toBe(resolved);
    expect(folded[1]?.kind).toBe('digest');
    expect(folded[1]?.incidents?.map((i) => i.id)).toEqual(Array.from({ length: 100 }, (_, i) => `i${i}`));
  });
});
