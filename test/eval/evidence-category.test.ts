// Labels from blind batch r5 on may carry `evidence_category`, the category the log alone supports.
// The eval must read it (checked like `category`) and report "category (log evidence)" beside
// "category", over the cases that carry it, saying how many do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Category, Diagnosis } from '../../src/types.js';
import { loadCorpus, type Case, type CaseLabel, type Corpus } from '../../scripts/eval/corpus.js';
import { formatCorpusMarkdown, formatCorpusScore, formatSummary, judge, scoreCorpus } from '../../scripts/eval/score.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function corpusDir(cases: Record<string, object>): string {
  const root = mkdtempSync(join(tmpdir(), 'sentinel-evidence-'));
  dirs.push(root);
  for (const [name, label] of Object.entries(cases)) {
    const [stack] = name.split('/');
    mkdirSync(join(root, stack ?? 'x'), { recursive: true });
    writeFileSync(join(root, `${name}.log`), 'Traceback (most recent call last):\nValueError: boom\n');
    writeFileSync(join(root, `${name}.json`), JSON.stringify(label));
  }
  return root;
}

const failure = (extra: object): object => ({ source_url: 'https://example.invalid/1', kind: 'failure', location: null, retryable: false, ...extra });

describe('loadCorpus and evidence_category', () => {
  it('keeps a valid evidence_category and skips, with a reason, labels whose category or evidence_category is not in the taxonomy', () => {
    const dir = corpusDir({
      'python/good': failure({ category: 'configuration', evidence_category: 'auth_or_permission' }),
      'python/no-evidence': failure({ category: 'code_bug' }),
      'python/bad-evidence': failure({ category: 'code_bug', evidence_category: 'permissions' }),
      'python/unknown-evidence': failure({ category: 'code_bug', evidence_category: 'unknown' }),
      'python/bad-category': failure({ category: 'bug' }),
      'python/numeric-evidence': failure({ category: 'timeout', evidence_category: 3 }),
    });
    const corpus = loadCorpus(dir);
    expect(corpus.cases.map((c) => [c.name, c.label.evidence_category])).toEqual([
      ['python/good.log', 'auth_or_permission'],
      ['python/no-evidence.log', undefined],
    ]);
    expect(corpus.problems).toHaveLength(4);
    expect(corpus.problems.find((p) => p.startsWith('python/bad-evidence.log'))).toMatch(/evidence_category "permissions" is not one of code_bug, /);
    expect(corpus.problems.find((p) => p.startsWith('python/unknown-evidence.log'))).toMatch(/evidence_category "unknown" is not one of/);
    expect(corpus.problems.find((p) => p.startsWith('python/bad-category.log'))).toMatch(/^python\/bad-category\.log: category "bug" is not one of/);
    expect(corpus.problems.find((p) => p.startsWith('python/numeric-evidence.log'))).toMatch(/evidence_category 3 is not/);
  });
});

function diagnosis(category: Category): Diagnosis {
  return { category, summary: `read as ${category}`, rootCause: 'x', evidence: [], location: null, fix: ['x'], retryable: false, confidence: 0.5, engine: 'builtin', model: null, latencyMs: 1 };
}

function caseOf(name: string, label: Partial<CaseLabel>): Case {
  return { name, label: { file: name, stack: name.split('/')[0] ?? 'x', kind: 'failure', location: null, retryable: false, ...label }, log: '' };
}

const corpus: Corpus = { name: 'r5', dir: '/tmp/r5', cases: [], problems: [] };

describe('category (log evidence) in the scores', () => {
  // Four failures: two carry evidence_category. The 403 whose real cause was a wrong bucket is wrong
  // on category but right on the log's evidence; the second carrier is wrong on both.
  const results = [
    judge(caseOf('cloud/a.log', { category: 'configuration', evidence_category: 'auth_or_permission' }), 1, diagnosis('auth_or_permission')),
    judge(caseOf('cloud/b.log', { category: 'timeout', evidence_category: 'timeout' }), 1, diagnosis('network_or_service_unavailable')),
    judge(caseOf('python/c.log', { category: 'code_bug' }), 1, diagnosis('code_bug')),
    judge(caseOf('python/d.log', { category: 'configuration' }), 0, undefined),
  ];
  const score = scoreCorpus(corpus, results);

  it('scores it over the carriers only: overall, per stack and per category, and counts them', () => {
    expect(results.map((r) => r.evidenceCategoryOk)).toEqual([true, false, undefined, undefined]);
    expect(score.failures).toMatchObject({ cases: 4, category: 0.25, evidenceCases: 2, evidenceCategory: 0.5 });
    expect(score.byStack.cloud).toMatchObject({ evidenceCases: 2, evidenceCategory: 0.5 });
    expect(score.byStack.python).toMatchObject({ evidenceCases: 0, evidenceCategory: null });
    expect(score.byCategory.configuration).toMatchObject({ cases: 2, evidenceCases: 1, evidenceCategory: 1 });
    expect(score.byCategory.timeout).toMatchObject({ evidenceCases: 1, evidenceCategory: 0 });
    // The JSON report is this object: the figures survive serialisation.
    expect(JSON.parse(JSON.stringify(score)).failures).toMatchObject({ evidenceCases: 2, evidenceCategory: 0.5 });
  });

  it('a missed failure is wrong against its evidence_category too', () => {
    const missed = judge(caseOf('go/e.log', { category: 'timeout', evidence_category: 'timeout' }), 0, undefined);
    expect(missed.evidenceCategoryOk).toBe(false);
  });

  it('prints the figure beside category, with how many labels carry it, in text, Markdown and the summary', () => {
    const text = formatCorpusScore(score, 'blind r5');
    expect(text).toContain('category (log evidence): against evidence_category, carried by 2 of 4 failure labels');
    const header = text.split('\n').find((l) => l.startsWith('by stack'));
    expect(header).toMatch(/category {2}category \(log evidence\) {2}location/);
    expect(text.split('\n').find((l) => l.startsWith('cloud'))).toContain('50.0% of 2');
    expect(text.split('\n').find((l) => l.startsWith('python'))).toMatch(/ - {3}/);
    expect(text).toContain('cloud/a.log: category auth_or_permission (want configuration; the log alone says auth_or_permission)');

    const md = formatCorpusMarkdown(score, 'blind r5');
    expect(md).toContain('carried by 2 of 4 failure labels');
    expect(md).toContain('| stack | logs | detected | category | category (log evidence) | location |');
    expect(md).toContain('| **overall** | 4 | 75.0% | 25.0% | 50.0% of 2 |');

    const summary = formatSummary([{ label: 'blind r5', score }], true);
    expect(summary).toContain('| corpus | failure + healthy logs | detected | category | category (log evidence) | location |');
    expect(summary).toContain('| blind r5 | 4 + 0 | 75.0% | 25.0% | 50.0% of 2 |');
  });

  it('shows no such column for a corpus whose labels carry none', () => {
    const plain = scoreCorpus(corpus, results.slice(2));
    expect(plain.failures.evidenceCategory).toBeNull();
    expect(formatCorpusScore(plain, 'dev')).not.toContain('log evidence');
    expect(formatCorpusMarkdown(plain, 'dev')).not.toContain('log evidence');
    expect(formatSummary([{ label: 'dev', score: plain }], false)).not.toContain('log evidence');
  });

  it('says when the category is right but the log alone supports another', () => {
    const r = judge(caseOf('dbt/f.log', { category: 'code_bug', evidence_category: 'data_quality' }), 1, diagnosis('code_bug'));
    const s = scoreCorpus(corpus, [r]);
    expect(s.misses[0]?.what).toEqual(['category code_bug right, but the log alone says data_quality']);
  });
});
