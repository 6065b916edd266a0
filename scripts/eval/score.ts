// Judging what the live agent announced for each labelled log, and the tables `npm run eval` prints.
// Detection = the agent opened an incident for a failure log; on a healthy log any incident is a
// false alarm. Category, location and retryable are judged on the first announced incident (the
// alert a person reads first); a failure the agent missed is wrong on all three. "Category (log
// evidence)" judges the same answer against `evidence_category`, the category the log alone supports,
// over the cases whose label carries one: what the analyser misreads, apart from causes only a
// thread knows.
import type { Diagnosis } from '../../src/types.js';
import type { Case, CaseLocation, Corpus } from './corpus.js';

export interface CaseResult {
  case: Case;
  /** Incidents the agent opened for this log. */
  incidents: number;
  /** The first announced incident's diagnosis; undefined when nothing was announced. */
  diagnosis: Diagnosis | undefined;
  detected: boolean;
  categoryOk: boolean;
  /** Against the label's `evidence_category`; undefined when the label has none. */
  evidenceCategoryOk: boolean | undefined;
  locationOk: boolean;
  retryableOk: boolean;
}

export interface Rates {
  cases: number;
  detection: number;
  category: number;
  /** Cases of the group whose label carries an `evidence_category`. */
  evidenceCases: number;
  /** Category right against `evidence_category`, over `evidenceCases`; null when none carries one. */
  evidenceCategory: number | null;
  location: number;
  retryable: number;
  /** Mean incidents per log of this group (one failure should be one alert). */
  incidentsPerLog: number;
}

export interface CorpusScore {
  name: string;
  dir: string;
  failures: Rates;
  byStack: Record<string, Rates>;
  byCategory: Record<string, Rates>;
  /** Detected failures read as another category: `want → got` → how many, most frequent first. */
  confusion: Record<string, number>;
  /** Failure logs by incidents opened: how many got 0, 1, 2, 3 or more. */
  incidentSpread: { none: number; one: number; two: number; more: number };
  healthy: { cases: number; falseAlarms: number; rate: number; byStack: Record<string, { cases: number; falseAlarms: number }> };
  misses: Miss[];
  problems: string[];
  hash?: Corpus['hash'];
}

export interface Miss {
  name: string;
  stack: string;
  kind: 'failure' | 'healthy';
  what: string[];
  source_url: string | null;
}

/** A path's last part, whichever separator the log used (Windows paths are common in the real corpus). */
export const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

export function locationMatches(want: CaseLocation | null | undefined, got: Diagnosis['location']): boolean {
  if (want === undefined) return true;
  if (want === null) return got === null;
  if (got === null) return false;
  if (want.line === null) {
    // No usable frame: the named step, task, model or job is the location, by name or by its file.
    return (want.function !== null && got.function === want.function) || baseName(got.file) === baseName(want.file);
  }
  return baseName(got.file) === baseName(want.file) && got.line === want.line;
}

export function judge(c: Case, incidents: number, diagnosis: Diagnosis | undefined): CaseResult {
  const { label } = c;
  const detected = incidents > 0;
  const evidence = label.kind === 'failure' ? label.evidence_category : undefined;
  if (label.kind === 'healthy' || !diagnosis) {
    return { case: c, incidents, diagnosis, detected, categoryOk: false, evidenceCategoryOk: evidence === undefined ? undefined : false, locationOk: false, retryableOk: false };
  }
  return {
    case: c,
    incidents,
    diagnosis,
    detected,
    categoryOk: diagnosis.category === label.category,
    evidenceCategoryOk: evidence === undefined ? undefined : diagnosis.category === evidence,
    locationOk: locationMatches(label.location, diagnosis.location),
    retryableOk: label.retryable === undefined || diagnosis.retryable === label.retryable,
  };
}

export function rates(results: readonly CaseResult[]): Rates {
  const n = results.length || 1;
  const share = (ok: (r: CaseResult) => boolean): number => results.filter(ok).length / n;
  const withEvidence = results.filter((r) => r.evidenceCategoryOk !== undefined);
  return {
    cases: results.length,
    detection: share((r) => r.detected),
    category: share((r) => r.categoryOk),
    evidenceCases: withEvidence.length,
    evidenceCategory: withEvidence.length > 0 ? withEvidence.filter((r) => r.evidenceCategoryOk).length / withEvidence.length : null,
    location: share((r) => r.locationOk),
    retryable: share((r) => r.retryableOk),
    incidentsPerLog: results.reduce((sum, r) => sum + r.incidents, 0) / n,
  };
}

function groupBy(results: readonly CaseResult[], key: (r: CaseResult) => string): Record<string, Rates> {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return Object.fromEntries([...groups.keys()].sort().map((k) => [k, rates(groups.get(k) ?? [])]));
}

const fmtLocation = (l: CaseLocation | null | undefined): string => (l ? `${baseName(l.file)}:${l.line ?? '-'} ${l.function ?? ''}`.trim() : 'null');

function missOf(r: CaseResult): Miss | undefined {
  const { label } = r.case;
  const what: string[] = [];
  if (label.kind === 'healthy') {
    if (r.incidents > 0) what.push(`false alarm: ${r.incidents} incident(s)${r.diagnosis ? `, first read as ${r.diagnosis.category}: ${r.diagnosis.summary}` : ''}`);
  } else if (!r.detected) {
    what.push(`not detected (want ${label.category})`);
  } else {
    const d = r.diagnosis;
    const evidence = label.evidence_category !== undefined && label.evidence_category !== label.category ? `; the log alone says ${label.evidence_category}` : '';
    if (!r.categoryOk) what.push(`category ${d?.category ?? '-'} (want ${label.category}${evidence})`);
    else if (r.evidenceCategoryOk === false) what.push(`category ${d?.category ?? '-'} right, but the log alone says ${label.evidence_category}`);
    if (!r.locationOk) what.push(`location ${fmtLocation(d?.location)} (want ${fmtLocation(label.location)})`);
    if (!r.retryableOk) what.push(`retryable ${String(d?.retryable)} (want ${String(label.retryable)})`);
    if (r.incidents > 1) what.push(`${r.incidents} incidents for one failure`);
  }
  return what.length > 0 ? { name: r.case.name, stack: label.stack, kind: label.kind, what, source_url: label.source_url ?? null } : undefined;
}

function confusionOf(failures: readonly CaseResult[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const r of failures) {
    if (!r.detected || r.categoryOk || !r.diagnosis) continue;
    const key = `${r.case.label.category ?? 'unlabelled'} → ${r.diagnosis.category}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

export function scoreCorpus(corpus: Corpus, results: readonly CaseResult[]): CorpusScore {
  const failures = results.filter((r) => r.case.label.kind === 'failure');
  const healthy = results.filter((r) => r.case.label.kind === 'healthy');
  const healthyByStack: CorpusScore['healthy']['byStack'] = {};
  for (const r of healthy) {
    const s = (healthyByStack[r.case.label.stack] ??= { cases: 0, falseAlarms: 0 });
    s.cases++;
    if (r.incidents > 0) s.falseAlarms++;
  }
  const falseAlarms = healthy.filter((r) => r.incidents > 0).length;
  const score: CorpusScore = {
    name: corpus.name,
    dir: corpus.dir,
    failures: rates(failures),
    byStack: groupBy(failures, (r) => r.case.label.stack),
    byCategory: groupBy(failures, (r) => r.case.label.category ?? 'unlabelled'),
    confusion: confusionOf(failures),
    incidentSpread: {
      none: failures.filter((r) => r.incidents === 0).length,
      one: failures.filter((r) => r.incidents === 1).length,
      two: failures.filter((r) => r.incidents === 2).length,
      more: failures.filter((r) => r.incidents > 2).length,
    },
    healthy: { cases: healthy.length, falseAlarms, rate: healthy.length > 0 ? falseAlarms / healthy.length : 0, byStack: healthyByStack },
    misses: results.map(missOf).filter((m): m is Miss => m !== undefined),
    problems: corpus.problems,
  };
  if (corpus.hash) score.hash = corpus.hash;
  return score;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(7);
/** `71.4% of 7`: the log-evidence figure with the number of cases it is over; `-` for none. */
const evidenceCell = (s: Rates): string => (s.evidenceCategory === null ? '-' : `${(s.evidenceCategory * 100).toFixed(1)}% of ${s.evidenceCases}`);

/** Whether any case of the corpus carries an `evidence_category` (the column is shown only then). */
const hasEvidence = (s: CorpusScore): boolean => s.failures.evidenceCases > 0;

function table(title: string, rows: Record<string, Rates>, overall: Rates | undefined, evidence: boolean): string[] {
  const out = [`${title.padEnd(30)} cases  detected  category  ${evidence ? 'category (log evidence)  ' : ''}location  retryable  incidents/log`];
  const row = (name: string, s: Rates): string =>
    `${name.padEnd(30)} ${String(s.cases).padStart(5)}  ${pct(s.detection)}   ${pct(s.category)}   ${evidence ? `${evidenceCell(s).padStart(22)}   ` : ''}${pct(s.location)}   ${pct(s.retryable)}   ${s.incidentsPerLog.toFixed(2).padStart(8)}`;
  for (const [name, s] of Object.entries(rows)) out.push(row(name, s));
  if (overall) out.push(row('overall', overall));
  return out;
}

/** The human report for one corpus: per stack, per category, false alarms, incidents per failure, misses. */
export function formatCorpusScore(s: CorpusScore, heading: string): string {
  const out = [`== ${heading}: ${s.failures.cases} failure logs, ${s.healthy.cases} healthy logs (${s.dir})`];
  if (s.hash) out.push(`hash file ${s.hash.file}: ${s.hash.ok ? 'ok' : 'MISMATCH'} (${s.hash.detail})`);
  if (s.failures.cases > 0) {
    const evidence = hasEvidence(s);
    if (evidence) out.push(`category (log evidence): against evidence_category, carried by ${s.failures.evidenceCases} of ${s.failures.cases} failure labels`);
    out.push('', ...table('by stack', s.byStack, s.failures, evidence), '', ...table('by category', s.byCategory, undefined, evidence));
    const { none, one, two, more } = s.incidentSpread;
    const confused = Object.entries(s.confusion);
    if (confused.length > 0) out.push('', 'wrong category, want → got (detected failures):', ...confused.map(([pair, n]) => `  ${String(n).padStart(4)}  ${pair}`));
    out.push('', `incidents per failure log: 0 → ${none}, 1 → ${one}, 2 → ${two}, 3+ → ${more}`);
  }
  if (s.healthy.cases > 0) {
    const stacks = Object.entries(s.healthy.byStack).map(([stack, h]) => `${stack} ${h.falseAlarms}/${h.cases}`);
    out.push(`false alarms on healthy logs: ${s.healthy.falseAlarms} of ${s.healthy.cases} (${(s.healthy.rate * 100).toFixed(1)}%)  [${stacks.join(', ')}]`);
  }
  if (s.misses.length > 0) {
    out.push('', 'misses:');
    for (const m of s.misses) out.push(`  ${m.name}: ${m.what.join('; ')}${m.source_url ? `\n      ${m.source_url}` : ''}`);
  }
  if (s.problems.length > 0) out.push('', 'cases skipped:', ...s.problems.map((p) => `  ${p}`));
  return out.join('\n');
}

const pctMd = (x: number): string => `${(x * 100).toFixed(1)}%`;

function markdownTable(first: string, rows: Record<string, Rates>, overall: Rates | undefined, evidence: boolean): string[] {
  const out = [
    `| ${first} | logs | detected | category |${evidence ? ' category (log evidence) |' : ''} location | retryable | incidents per log |`,
    `|---|---|---|---|${evidence ? '---|' : ''}---|---|---|`,
  ];
  const row = (name: string, s: Rates): string =>
    `| ${name} | ${s.cases} | ${pctMd(s.detection)} | ${pctMd(s.category)} |${evidence ? ` ${evidenceCell(s)} |` : ''} ${pctMd(s.location)} | ${pctMd(s.retryable)} | ${s.incidentsPerLog.toFixed(2)} |`;
  for (const [name, s] of Object.entries(rows)) out.push(row(name, s));
  if (overall) out.push(row('**overall**', overall));
  return out;
}

/** The same figures as Markdown tables, as docs/benchmarks.md shows them. */
export function formatCorpusMarkdown(s: CorpusScore, heading: string): string {
  const { none, one, two, more } = s.incidentSpread;
  const out = [
    `#### ${heading}`,
    '',
    `${s.failures.cases} failure logs, ${s.healthy.cases} healthy logs. False alarms: ${s.healthy.falseAlarms} of ${s.healthy.cases} (${pctMd(s.healthy.rate)}). Incidents per failure log: 0 → ${none}, 1 → ${one}, 2 → ${two}, 3+ → ${more}.`,
  ];
  const evidence = hasEvidence(s);
  if (evidence) out.push('', `Category (log evidence): against \`evidence_category\`, carried by ${s.failures.evidenceCases} of ${s.failures.cases} failure labels.`);
  if (s.failures.cases > 0) out.push('', ...markdownTable('stack', s.byStack, s.failures, evidence), '', ...markdownTable('category', s.byCategory, undefined, evidence));
  return out.join('\n');
}

/** One row per corpus (the real development part, each blind batch, the synthetic coverage). */
export function formatSummary(rows: ReadonlyArray<{ label: string; score: CorpusScore }>, markdown: boolean): string {
  const evidence = rows.some(({ score }) => hasEvidence(score));
  const cells = rows.map(({ label, score: s }) => [
    label,
    `${s.failures.cases} + ${s.healthy.cases}`,
    pctMd(s.failures.detection),
    pctMd(s.failures.category),
    ...(evidence ? [evidenceCell(s.failures)] : []),
    pctMd(s.failures.location),
    pctMd(s.failures.retryable),
    s.healthy.cases > 0 ? `${s.healthy.falseAlarms} (${pctMd(s.healthy.rate)})` : '-',
    s.failures.incidentsPerLog.toFixed(2),
  ]);
  const head = ['corpus', 'failure + healthy logs', 'detected', 'category', ...(evidence ? ['category (log evidence)'] : []), 'location', 'retryable', 'false alarms', 'incidents per failure log'];
  if (markdown) return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...cells.map((c) => `| ${c.join(' | ')} |`)].join('\n');
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]): string => c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ');
  return ['summary (live path):', line(head), ...cells.map(line)].join('\n');
}
