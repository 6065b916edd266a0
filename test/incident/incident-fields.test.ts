import { describe, expect, it } from 'vitest';
import { addSample, eventScope, fieldValue, incidentTitle, MAX_TITLE_CHARS } from '../../src/incident/incident-fields.js';
import { event, rule } from './helpers.js';
import type { LogEvent } from '../../src/types.js';

describe('incident fields', () => {
  it.each([
    [{ pipeline: 'etl', step: 'load', run_id: 'r1' }, { pipeline: 'etl', step: 'load', runId: 'r1' }],
    [{ pipeline: 'etl', step_key: 'transform', runId: 7 }, { pipeline: 'etl', step: 'transform', runId: '7' }],
    [{ dag_id: 'daily', task_id: 'extract' }, { pipeline: 'daily', step: 'extract' }],
    [{ model: 'orders' }, { step: 'orders' }],
    // Argo Workflows' controller: the workflow and the failing node's template.
    [{ workflow: 'nightly-1630306740', templateName: 'load' }, { pipeline: 'nightly-1630306740', step: 'load' }],
    [{ pipeline: '', step: { nested: true } }, {}],
  ])('scope of %o', (fields, scope) => {
    expect(eventScope(event({ fields }))).toEqual(scope);
  });

  it('reads dotted paths, and error.* from the parsed error', () => {
    const e = event({ fields: { ctx: { db: { host: 'pg1' } } }, error: { type: 'KeyError', message: 'id' } });
    expect(fieldValue(e, 'ctx.db.host')).toBe('pg1');
    expect(fieldValue(e, 'error.type')).toBe('KeyError');
    expect(fieldValue(e, 'missing.key')).toBeUndefined();
    expect(fieldValue(event({ fields: { 'error.type': 'Flat' } }), 'error.type')).toBe('Flat');
  });

  it('titles: error type and message, else description, else message; one line, bounded', () => {
    expect(incidentTitle(event({ error: { type: 'ValueError', message: 'bad\nsecond line' } }), rule())).toBe('ValueError: bad');
    expect(incidentTitle(event({ message: 'Step failed' }), rule({ description: 'A Dagster step failed' }))).toBe('A Dagster step failed');
    expect(incidentTitle(event({ message: 'Step failed: x' }), rule())).toBe('Step failed: x');
    const long = incidentTitle(event({ message: 'x'.repeat(1000) }), rule());
    expect(long).toHaveLength(MAX_TITLE_CHARS);
    expect(long.endsWith('…')).toBe(true);
  });

  it('keeps the first three and the last two samples', () => {
    const samples: LogEvent[] = [];
    for (let i = 0; i < 20; i++) addSample(samples, event({ message: String(i) }));
    expect(samples.map((s) => s.message)).toEqual(['0', '1', '2', '18', '19']);
  });
});
