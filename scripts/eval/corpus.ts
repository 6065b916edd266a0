// Labelled log cases on disk: `<root>/<stack>/<slug>.log` beside `<slug>.json` (the real corpus's
// format, /docs/corpus-format.md; the synthetic corpus's labels are the same minus `kind`).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { CATEGORIES, type Category } from '../../src/types.js';

export interface CaseLocation {
  file: string;
  line: number | null;
  function: string | null;
}

export interface CaseLabel {
  file: string;
  stack: string;
  kind: 'failure' | 'healthy';
  source_url?: string;
  label_source?: string;
  label_note?: string;
  /** Failure cases only. */
  category?: Category;
  /**
   * Failure cases, optional (blind batch r5 on, /docs/corpus-format.md): the category a senior engineer
   * gives from the log alone, without the thread. It differs from `category` when only the thread
   * knows the cause (a 403 whose real cause was a wrong bucket path).
   */
  evidence_category?: Category;
  location?: CaseLocation | null;
  retryable?: boolean;
}

export interface Case {
  /** `<stack>/<slug>.log`, relative to the corpus root. */
  name: string;
  label: CaseLabel;
  log: string;
}

export interface Corpus {
  name: string;
  dir: string;
  cases: Case[];
  /** Problems with individual cases (bad JSON, missing label): reported, never fatal. */
  problems: string[];
  /** For a blind batch with a `<batch>.sha256` beside or inside it: whether its files still match. */
  hash?: { file: string; ok: boolean; detail: string };
}

/**
 * The half of the development corpus a case falls in, fixed by a hash of its name before any tuning
 * (docs/benchmarks.md, "held-out half"): rules are tuned looking only at the `tune` half's misses, and
 * the `holdout` half says whether the changes generalise. A new case lands in a half by its name alone.
 */
export type Split = 'tune' | 'holdout';
export const SPLITS: readonly Split[] = ['tune', 'holdout'];

export function splitOf(caseName: string): Split {
  return ((createHash('sha256').update(caseName).digest()[0] ?? 0) & 1) === 0 ? 'tune' : 'holdout';
}

export function loadCorpus(dir: string, name = basename(dir), split?: Split): Corpus {
  const corpus: Corpus = { name: split ? `${name} (${split} half)` : name, dir, cases: [], problems: [] };
  for (const stack of readdirSync(dir).sort()) {
    const stackDir = join(dir, stack);
    if (!statSync(stackDir).isDirectory()) continue;
    for (const file of readdirSync(stackDir).sort()) {
      if (!file.endsWith('.log')) continue;
      const caseName = `${stack}/${file}`;
      if (split && splitOf(caseName) !== split) continue;
      const labelFile = join(stackDir, file.replace(/\.log$/, '.json'));
      try {
        const raw = JSON.parse(readFileSync(labelFile, 'utf8')) as Partial<CaseLabel>;
        const label: CaseLabel = { ...raw, file: raw.file ?? caseName, stack: raw.stack ?? stack, kind: raw.kind === 'healthy' ? 'healthy' : 'failure' };
        if (label.kind === 'failure') {
          checkCategories(label);
          label.location = readLocation(raw.location as unknown);
        }
        corpus.cases.push({ name: caseName, label, log: readFileSync(join(stackDir, file), 'utf8') });
      } catch (err) {
        corpus.problems.push(`${caseName}: ${(err as Error).message}`);
      }
    }
  }
  const hashFile = split ? undefined : [join(dir, `${name}.sha256`), join(dirname(dir), `${name}.sha256`)].find((f) => existsSync(f));
  if (hashFile) corpus.hash = checkHashes(hashFile, dir);
  return corpus;
}

/** The categories a label may give: the taxonomy's twelve (`unknown` is an answer, never a label). */
const LABEL_CATEGORIES: readonly string[] = CATEGORIES.filter((c) => c !== 'unknown');

function checkCategories(label: CaseLabel): void {
  if (label.category === undefined) throw new Error('a failure label needs a category');
  for (const field of ['category', 'evidence_category'] as const) {
    const value: unknown = label[field];
    if (value !== undefined && (typeof value !== 'string' || !LABEL_CATEGORIES.includes(value))) {
      throw new Error(`${field} ${JSON.stringify(value)} is not one of ${LABEL_CATEGORIES.join(', ')}`);
    }
  }
}

/**
 * A label's `location`: the object /docs/corpus-format.md gives, or the shorthand some collectors
 * wrote, a plain string. A string is read the one way the format allows for a place without a usable
 * frame, a named unit `{file: s, line: null, function: s}` (a step, model, plugin, table), except
 * `path/file.ext:N`, which is a file and its line. Anything else is a clear error for that case.
 */
export function readLocation(value: unknown): CaseLocation | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string') {
    const fileAndLine = /^(.+\.[A-Za-z]\w*):(\d+)$/.exec(value);
    if (fileAndLine) return { file: fileAndLine[1]!, line: Number(fileAndLine[2]), function: null };
    return { file: value, line: null, function: value };
  }
  if (typeof value === 'object' && typeof (value as { file?: unknown }).file === 'string') {
    const { file, line, function: fn } = value as { file: string; line?: unknown; function?: unknown };
    if (line !== undefined && line !== null && typeof line !== 'number') throw new Error(`location.line ${JSON.stringify(line)} is not a number or null`);
    if (fn !== undefined && fn !== null && typeof fn !== 'string') throw new Error(`location.function ${JSON.stringify(fn)} is not a string or null`);
    return { file, line: line ?? null, function: fn ?? null };
  }
  throw new Error(`location ${JSON.stringify(value)} is neither null, a string nor {file, line, function}`);
}

/** The batch folders under `root` (test/fixtures/real/blind/<batch>/), oldest name first. */
export function blindBatches(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((entry) => statSync(join(root, entry)).isDirectory())
    .sort()
    .map((entry) => join(root, entry));
}

/**
 * `sha256sum` lines (`<hex>  <path>`): each named file must still hash the same. Paths are read
 * relative to the batch folder, then to the hash file's folder.
 */
function checkHashes(hashFile: string, dir: string): NonNullable<Corpus['hash']> {
  const lines = readFileSync(hashFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const entries = lines.map((l) => /^([0-9a-f]{64})\s+\*?(.+)$/i.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null);
  const file = relative(process.cwd(), hashFile);
  if (entries.length === 0) return { file, ok: true, detail: `${lines.length} line(s), none in sha256sum form: not checked` };
  let bad = 0;
  let missing = 0;
  for (const [, hex, path] of entries) {
    const p = path as string;
    const found = [join(dir, p), join(dirname(hashFile), p), join(dir, basename(p))].find((f) => existsSync(f) && statSync(f).isFile());
    if (!found) missing++;
    else if (createHash('sha256').update(readFileSync(found)).digest('hex') !== (hex as string).toLowerCase()) bad++;
  }
  const ok = bad === 0 && missing === 0;
  return { file, ok, detail: ok ? `${entries.length} files match` : `${bad} changed, ${missing} missing of ${entries.length}` };
}
