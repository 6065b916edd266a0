// The labelled corpus as a correctness test: the built-in analyser must meet the targets.
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { formatReport, loadCorpus, runCorpus, score } from '../../src/brain/analyser/evaluate.js';
import { diagnosisSchema } from '../../src/brain/schemas.js';
import { CATEGORIES } from '../../src/types.js';

const dir = fileURLToPath(new URL('../fixtures/failures/', import.meta.url));
const fixtures = loadCorpus(dir);

describe('failure corpus', () => {
  it('has at least 80 labelled logs across the eight stacks, with valid labels', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(80);
    const stacks = new Set(fixtures.map((f) => f.label.stack));
    expect([...stacks].sort()).toEqual(['airflow', 'dagster', 'dbt', 'go', 'node', 'postgres', 'python', 'spark']);
    for (const f of fixtures) {
      expect(CATEGORIES, f.name).toContain(f.label.category);
      expect(f.label.file, f.name).toBe(f.name);
    }
  });

  it('the built-in analyser meets the targets: detection >= 98%, category >= 90%, location >= 90%', async () => {
    const results = await runCorpus(fixtures, (req) => Promise.resolve(analyse(req, { readSourceFiles: false })));
    const s = score(results);
    const report = formatReport(results, 'builtin');
    expect(s.detection, report).toBeGreaterThanOrEqual(0.98);
    expect(s.category, report).toBeGreaterThanOrEqual(0.9);
    expect(s.location, report).toBeGreaterThanOrEqual(0.9);
    // Every answer must pass the brain's response schema (what POST /diagnose validates).
    const validate = new Ajv({ strict: false }).compile(diagnosisSchema);
    for (const r of results) {
      expect(validate(r.diagnosis), `${r.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(r.diagnosis.engine).toBe('builtin');
      expect(r.diagnosis.summary.includes('\n'), r.name).toBe(false);
    }
  });
});
