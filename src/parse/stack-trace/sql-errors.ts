// Errors without a call stack: dbt's run summary (`Database Error in model x (models/x.sql)` plus
// indented detail) and PostgreSQL's own reports (server log `ERROR:  …` / `FATAL:  …` with DETAIL,
// HINT, STATEMENT; psql's `psql: error: …`). The model or test dbt names stands in for a frame.
import type { StackFrame } from '../../types.js';
import { clip, RECORD_START, type ParsedError } from './parsed-error.js';

// Console lines: `02:14:12  text`; dbt.log lines: `09:10:02.702487 [error] [MainThread]: text`. Only the
// stamp is removed: the indentation after it marks detail lines.
const DBT_TIME = /^\d\d:\d\d:\d\d(?:\.\d+)?(?: \[\w+\s*\] \[[^\]]*\]: ?|\s\s?)/;
// A runner relaying dbt's output may put its own words in front (`… INFO - Failed model \`x\`: Database Error in model x (…)`).
const DBT_IN_NODE =
  /(?:^|\s)(Database Error|Compilation Error|Runtime Error|Dependency Error|Parsing Error|Failure|Warning|Error) in (model|test|snapshot|seed|source|macro|sql operation|operation|unit_test|hook|exposure) ([\w.-]+) \(([^)]+)\)\s*$/;
const DBT_BARE = /^\s*(Database Error|Compilation Error|Runtime Error|Dependency Error|Parsing Error|Env var required but not provided)\b:?\s*(.*)$/;
const DBT_MODEL_REF = /Model '(?:model\.)?(?:[\w-]+\.)?([\w-]+)' \(([^)]+)\)/;
const DBT_LINE = /^\s*LINE \d+:\s?(.*)$/;

const DBT_TYPES: Record<string, string> = {
  'Database Error': 'dbt.DatabaseError',
  'Compilation Error': 'dbt.CompilationError',
  'Runtime Error': 'dbt.RuntimeError',
  'Dependency Error': 'dbt.DependencyError',
  'Parsing Error': 'dbt.ParsingError',
  Failure: 'dbt.TestFailure',
  Warning: 'dbt.TestWarning',
  Error: 'dbt.Error',
  'Env var required but not provided': 'dbt.EnvVarMissing',
};

function stripDbtTime(line: string): { text: string; stamped: boolean } {
  const m = DBT_TIME.exec(line);
  return m ? { text: line.slice(m[0].length), stamped: true } : { text: line, stamped: false };
}

/** The detail dbt prints under an error: unstamped lines, up to the next stamped line. */
function readDetail(lines: string[], from: number): string[] {
  const out: string[] = [];
  for (let i = from; i < lines.length && out.length < 25; i++) {
    const line = lines[i] ?? '';
    if (DBT_TIME.test(line) || RECORD_START.test(line)) {
      // dbt.log stamps every line; keep reading while the stamped text is still indented detail.
      const { text } = stripDbtTime(line);
      if (/^\s{2,}\S/.test(text) && !DBT_IN_NODE.test(text) && !/^\s*(?:Done\.|Completed|Finished)/.test(text)) {
        out.push(text.trim());
        continue;
      }
      break;
    }
    if (line.trim() === '') continue;
    out.push(line.trim());
  }
  return out;
}

export function parseDbt(lines: string[]): ParsedError[] {
  // dbt lists warnings and errors together in its summary, in run order: a `Warning in test x` did
  // not fail the run, so an error or failure anywhere in the summary is the one reported.
  let warning: ParsedError | undefined;
  for (let i = 0; i < lines.length; i++) {
    const { text } = stripDbtTime(lines[i] ?? '');
    const inNode = DBT_IN_NODE.exec(text);
    if (inNode && inNode[1] && inNode[3] && inNode[4]) {
      if (warning && inNode[1] === 'Warning') continue;
      const detail = readDetail(lines, i + 1);
      const frame: StackFrame = { file: inNode[4], function: inNode[3], inUserCode: true };
      const sqlLine = detail.map((d) => DBT_LINE.exec(d)).find((m) => m);
      if (sqlLine?.[1]) frame.code = sqlLine[1].trim();
      const parsed: ParsedError = { type: DBT_TYPES[inNode[1]] ?? 'dbt.Error', message: clip(detail.join('\n')), stack: [frame], source: 'dbt', lineIndex: i };
      if (inNode[1] !== 'Warning') return [parsed];
      warning = parsed;
      continue;
    }
    const bare = DBT_BARE.exec(text);
    if (bare && bare[1] && (text.trim() === bare[1] || bare[1].startsWith('Env var'))) {
      // `Runtime Error` over `  Database Error in test x (models/schema.yml)`: the node's error is the report.
      const next = lines.slice(i + 1, i + 4).find((l) => l.trim() !== '');
      if (next !== undefined && DBT_IN_NODE.test(stripDbtTime(next).text)) continue;
      const detail = readDetail(lines, i + 1);
      if (bare[2]) detail.unshift(bare[2]);
      if (detail.length === 0) continue;
      const message = detail.join('\n');
      const ref = DBT_MODEL_REF.exec(message);
      const stack: StackFrame[] = ref && ref[1] && ref[2] ? [{ file: ref[2], function: ref[1], inUserCode: true }] : [];
      return [{ type: DBT_TYPES[bare[1]] ?? 'dbt.Error', message: clip(message), stack, source: 'dbt', lineIndex: i }];
    }
  }
  return warning ? [warning] : [];
}

const PG_REPORT = /(?:^|\s)(ERROR|FATAL|PANIC):\s\s(\S.*)$/;
const PSQL_ERROR = /^psql(?::[^:\s]+:\d+)?: error: (.*)$/;
const PSQL_SCRIPT = /^psql:([^:\s]+):(\d+): /;
const PG_DETAIL = /(?:^|\s)(DETAIL|HINT|STATEMENT|CONTEXT|QUERY):\s\s(.*)$|^\s*(LINE \d+:.*)$/;
// Follow-on errors that only repeat that an earlier statement failed.
const CONSEQUENTIAL = /current transaction is aborted|terminating connection because of crash of another server process/;

export function parsePostgres(lines: string[]): ParsedError[] {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length > 8000) continue;
    let severity: string | undefined;
    let message: string | undefined;
    const report = line.includes(':  ') ? PG_REPORT.exec(line) : null;
    if (report) {
      severity = report[1];
      message = report[2];
    } else {
      const psql = PSQL_ERROR.exec(line.trim());
      if (psql) {
        severity = 'ERROR';
        message = psql[1];
      }
    }
    if (!severity || message === undefined || CONSEQUENTIAL.test(message)) continue;
    const parts = [message];
    for (let j = i + 1; j < lines.length && j < i + 8; j++) {
      const detail = PG_DETAIL.exec(lines[j] ?? '');
      if (!detail) {
        if (/^\s+\S/.test(lines[j] ?? '') && !RECORD_START.test(lines[j] ?? '')) parts.push((lines[j] ?? '').trim());
        else break;
        continue;
      }
      parts.push(detail[3] ?? `${detail[1]}: ${detail[2] ?? ''}`);
    }
    // psql names the script and line it was running: `psql:/opt/etl/load.sql:14: ERROR:  …`.
    const script = PSQL_SCRIPT.exec(line);
    const stack: StackFrame[] = script?.[1] ? [{ file: script[1], line: Number(script[2]), inUserCode: true }] : [];
    return [{ type: `postgres.${severity}`, message: clip(parts.join('\n')), stack, source: 'postgres', lineIndex: i }];
  }
  return [];
}
