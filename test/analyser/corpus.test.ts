// The labelled corpus as a correctness test: the built-in analyser must meet the targets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { diagnoseFile } from '../../src/agent/diagnose-file.js';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { formatReport, judge, loadCorpus, runCorpus, score, type CaseResult } from './request-from-log.js';
import { defaultConfig } from '../../src/config/load-config.js';
import { diagnosisSchema } from '../../src/brain/schemas.js';
import { CATEGORIES, type Diagnosis } from '../../src/types.js';

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

  it('meets the targets on every stack through the agent\'s own path (reader, packs, incidents, first incident)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sentinel-corpus-'));
    const brain = { diagnose: (req: Parameters<typeof analyse>[0]) => Promise.resolve(analyse(req, { readSourceFiles: false })), close: () => Promise.resolve() };
    const config = defaultConfig({});
    try {
      const results: CaseResult[] = [];
      for (const [i, fixture] of fixtures.entries()) {
        const file = join(tmp, `${i}.log`);
        writeFileSync(file, fixture.log);
        const [first] = await diagnoseFile(file, config, brain);
        const diagnosis: Diagnosis = first
          ? { ...first, evidence: [], latencyMs: 0 }
          : { category: 'unknown', summary: '', rootCause: '', evidence: [], location: null, fix: [], retryable: false, confidence: 0, engine: 'builtin', model: null, latencyMs: 0 };
        results.push(judge(fixture, diagnosis));
      }
      const report = formatReport(results, 'builtin (path: agent)');
      const overall = score(results);
      expect(overall.detection, report).toBeGreaterThanOrEqual(0.98);
      for (const stack of new Set(results.map((r) => r.stack))) {
        const s = score(results.filter((r) => r.stack === stack));
        expect({ stack, ok: s.detection >= 0.9 && s.category >= 0.9 && s.location >= 0.9 }, report).toEqual({ stack, ok: true });
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
