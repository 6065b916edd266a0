// dbt: the error classes its CLI prints (Compilation / Database / Runtime / Dependency Error) and
// failing data tests, in text and JSON log formats.
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('dbt', spec);

export const dbtPack: RulePack = {
  name: 'dbt',
  description: 'dbt compilation, database, runtime and dependency errors; failing data tests.',
  rules: [
    r({
      id: 'database-error',
      description: 'The warehouse rejected a dbt model.',
      severity: 'error',
      priority: 71,
      introduces: true,
      anyLevel: true,
      // The header alone on its line, its details on the lines below (one record once joined); a
      // paste may lower-case it (`"Database error in model `x`... division by zero"`).
      match: { regex: String.raw`\bDatabase Error(?: in (?:model|test|snapshot|seed|sql operation)\b|:|[ \t]*(?:$|\n))|\bDatabase error in (?:model|test|snapshot|seed|sql operation)\b|\bDbtDatabaseError\b` },
    }),
    r({
      id: 'compilation-error',
      description: 'dbt could not compile or parse the project (Jinja, ref, source, macro, a YAML property).',
      severity: 'error',
      priority: 70,
      introduces: true,
      anyLevel: true,
      match: { regex: String.raw`\bCompilation Error\b|\bCompilationError\b|(?:^|\n)[ \t]*Parsing Error\b` },
    }),
    r({
      id: 'runtime-error',
      description: 'A dbt runtime or dependency error, or a failure of the command itself (`Encountered an error:`).',
      severity: 'error',
      priority: 69,
      introduces: true,
      anyLevel: true,
      // `Encountered an error:` is dbt's own header for a failure of the command itself (a target
      // missing from profiles.yml, a package hub out of reach), its message on the line below.
      // dbt.log's debug line of the adapter's own error (`Postgres adapter: Postgres error: tuple concurrently updated`)
      // is often all a pasted log keeps of a failed model.
      match: { regex: String.raw`\bRuntime Error\b|\bDependency Error\b|\bDbtRuntimeError\b|\bEncountered an error(?: while [a-z ]{1,40})?:|\b[A-Z]\w{1,30} adapter: [A-Z]\w{1,30} error: \S` },
    }),
    r({
      id: 'test-failure',
      description: 'A dbt data test failed.',
      severity: 'warning',
      priority: 68,
      anyLevel: true,
      match: { regex: String.raw`\bFailure in test \S+|\bFAIL \d+ \S+\.{3,}|\d+ of \d+ FAIL \d+ ` },
      hint: 'A data test failed: data quality upstream, not a code failure.',
    }),
    r({
      id: 'test-result',
      description: 'A data test\'s result line (`Got 3 results, configured to fail if != 0`) without the summary that names the test.',
      severity: 'warning',
      priority: 66,
      anyLevel: true,
      echoes: true,
      match: { regex: String.raw`\bGot \d+ results?, configured to fail if` },
      hint: 'A data test failed: data quality upstream, not a code failure.',
    }),
    r({
      id: 'run-summary',
      description: 'dbt\'s closing summary counts errors (`Done. PASS=3 WARN=0 ERROR=1`) and nothing above it was recognised.',
      severity: 'error',
      priority: 15,
      anyLevel: true,
      echoes: true,
      match: { regex: String.raw`\bDone\. PASS=\d+ WARN=\d+ ERROR=[1-9]` },
    }),
    r({
      id: 'source-stale',
      description: 'dbt source freshness found a source past its error threshold.',
      severity: 'error',
      priority: 67,
      anyLevel: true,
      match: { regex: String.raw`\bERROR STALE\b` },
      hint: 'The source has not been loaded recently: check the loader that feeds it.',
    }),
  ],
};
