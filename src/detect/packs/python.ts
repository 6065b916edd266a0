// Python: tracebacks, and the libraries pipelines fail in most (pandas, SQLAlchemy, psycopg).
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('python', spec);

export const pythonPack: RulePack = {
  name: 'python',
  description: 'Python tracebacks, pandas, SQLAlchemy and psycopg errors, import errors.',
  rules: [
    r({
      id: 'memory-error',
      description: 'The Python process ran out of memory.',
      severity: 'critical',
      priority: 85,
      anyLevel: true,
      match: { regex: String.raw`(?:^|\n|\s)MemoryError\b` },
      hint: 'Process data in chunks (pandas chunksize, iterators) or raise the memory limit.',
    }),
    r({
      id: 'psycopg',
      description: 'A psycopg / psycopg2 database error.',
      severity: 'error',
      priority: 74,
      anyLevel: true,
      match: { regex: String.raw`\bpsycopg2?\.(?:errors\.)?[A-Z]\w*` },
    }),
    r({
      id: 'sqlalchemy',
      description: 'A SQLAlchemy error (sqlalchemy.exc.*).',
      severity: 'error',
      priority: 73,
      anyLevel: true,
      match: { regex: String.raw`\bsqlalchemy\.exc\.[A-Z]\w*` },
    }),
    r({
      id: 'pandas',
      description: 'A pandas error: missing column, parse error, empty data, bad merge.',
      severity: 'error',
      priority: 70,
      anyLevel: true,
      match: {
        any: [
          { regex: String.raw`\bpandas\.errors\.[A-Z]\w*` },
          { regex: String.raw`None of \[Index\(|not in index\b|No columns to parse from file` },
          {
            all: [
              { regex: String.raw`site-packages[\\/]pandas[\\/]` },
              { regex: String.raw`\b[A-Z]\w*(?:Error|Exception)\b` },
            ],
          },
        ],
      },
      hint: 'Often schema drift: a column renamed or dropped upstream, or an empty / malformed input file.',
    }),
    r({
      id: 'connection-gave-up',
      description: "requests / urllib3 gave up on a host: retries exhausted or the read timed out.",
      severity: 'error',
      priority: 60,
      anyLevel: true,
      // At any level (a runner may report it as a warning about the run it failed), but not
      // urllib3's own warning that it is retrying, which quotes the same words.
      match: {
        all: [
          { regex: String.raw`\bHTTPS?ConnectionPool\(host=[^\n)]{1,200}\): (?:Max retries exceeded with url|Read timed out)` },
          { not: { regex: String.raw`\bRetrying \(Retry\(` } },
        ],
      },
    }),
    r({
      id: 'import-error',
      description: 'A module could not be imported.',
      severity: 'error',
      priority: 65,
      anyLevel: true,
      match: { regex: String.raw`\b(?:ModuleNotFoundError|ImportError): ` },
    }),
    r({
      id: 'traceback',
      description: 'An uncaught Python exception (a traceback).',
      severity: 'error',
      priority: 30,
      anyLevel: true,
      // Dagster's serialized errors print the frames under `Stack Trace:` instead (a GraphQL error, a daemon's report).
      match: { regex: String.raw`Traceback \(most recent call last\)(?::|[ \t]*(?:$|\n))|(?:^|\n)[ \t]*Stack Trace:[ \t]*\n[ \t]*File "` },
    }),
  ],
};
