// Small phrasing helpers shared by the knowledge base: where it failed, in which language, and the
// names (column, path, host, module, variable) pulled out of error messages.
import { basename } from 'node:path';
import type { Finding } from './finding.js';

export type Language = 'python' | 'node' | 'jvm' | 'go' | 'sql' | 'unknown';

export function languageOf(f: Finding): Language {
  const file = f.location?.file ?? '';
  if (/\.py$/.test(file)) return 'python';
  if (/\.[cm]?[jt]sx?$/.test(file)) return 'node';
  if (/\.(?:java|scala|kt)$/.test(file)) return 'jvm';
  if (/\.go$/.test(file)) return 'go';
  if (/\.(?:sql|yml|yaml)$/.test(file)) return 'sql';
  const type = f.error?.type ?? '';
  if (/^(?:dbt|postgres)\./.test(type)) return 'sql';
  // No location (a Spark driver log rarely has one in user code): the frames and the exception's
  // package still say which runtime failed, so a JVM failure never gets Python's advice.
  const frames = f.chain.flatMap((e) => e.stack.map((fr) => fr.file));
  if (frames.some((file) => /\.(?:java|scala|kt)$/.test(file)) || /^(?:java|javax|scala|org\.apache|com\.databricks|io\.delta)\./.test(type)) return 'jvm';
  if (frames.some((file) => /\.py$/.test(file))) return 'python';
  return 'unknown';
}

/** `transform-data.js:42 in transformData()`, `model stg_orders (models/stg_orders.sql)`, `step load_data`. */
export function where(f: Finding): string {
  const loc = f.location;
  if (loc && loc.line !== null) {
    const fn = loc.function ? ` in ${loc.function}()` : '';
    return `${basename(loc.file)}:${loc.line}${fn}`;
  }
  if (loc && /\.(?:sql|yml|yaml)$/.test(loc.file) && loc.function) return `${loc.function} (${loc.file})`;
  if (loc?.function) return `step ${loc.function}`;
  if (f.step) return `step ${f.step}`;
  return 'the failing step';
}

/** `at transform-data.js:42 in transformData()` or '' when nothing is known. */
export function atWhere(f: Finding): string {
  return f.location || f.step ? ` at ${where(f)}` : '';
}

/** The failing code line quoted, or a generic phrase. */
export function codeRef(f: Finding): string {
  const code = f.location?.code;
  return code ? `\`${code.length > 120 ? code.slice(0, 117) + '...' : code}\`` : 'the failing line';
}

/** The first line of an error, or the whole message squeezed onto one line when the first line says nothing (`ZodError: [`). */
export function headline(text: string, max = 140): string {
  const first = firstLine(text, max);
  if (!/[[{(]\s*$/.test(first)) return first;
  const squeezed = text.replace(/\s+/g, ' ').trim();
  return squeezed.length > max ? squeezed.slice(0, max - 1) + '…' : squeezed;
}

export function firstLine(text: string, max = 200): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

function firstGroup(text: string, patterns: RegExp[]): string | undefined {
  for (const pattern of patterns) {
    const m = pattern.exec(text);
    if (m) {
      const group = m.slice(1).find((g) => g !== undefined && g !== '');
      if (group) return group;
    }
  }
  return undefined;
}

const COLUMN_PATTERNS = [
  /column "([^"]+)"(?: of relation "[^"]+")? does not exist/i,
  /column "([^"]+)" not found/i,
  /column ([\w.]+) does not exist/i,
  /name `([^`]+)` cannot be resolved/i,
  /cannot resolve '`?([^'`]+?)`?' given input columns/i,
  /no such column: ([\w.]+)/i,
  /Unknown column '([^']+)'/i,
  /invalid identifier '"?([^'"]+)"?'/i,
  /Unrecognized name: (\w+)/i,
  /No such struct field (\w+)/i,
  /\[['"]([^'"]+)['"](?:, [^\]]*)?\] not in index/,
  /None of \[Index\(\[['"]([^'"]+)['"]/,
  /column ['"]([^'"]+)['"] not in (?:dataframe|DataFrame|schema)/i,
  /object has no attribute '([^']+)'/,
  /missing (?:required )?columns?:? \[?['"`]?([\w.]+)/i,
  /Column '([^']+)' (?:does not exist|not found)/i,
  /^KeyError: ['"]([^'"]+)['"]/,
  /KeyError: ['"]([^'"]+)['"]/,
];

export function columnName(text: string): string | undefined {
  return firstGroup(text, COLUMN_PATTERNS);
}

export function relationOf(text: string): string | undefined {
  return firstGroup(text, [/of relation "([^"]+)"/, /(?:FROM|JOIN|INTO|UPDATE)\s+([\w."]+)/i]);
}

/** Candidate columns the engine suggested: PostgreSQL's HINT, Spark's "Did you mean", the demo's "available columns". */
export function suggestedColumns(text: string): string | undefined {
  return firstGroup(text, [
    /Perhaps you meant to reference the column "([^"]+)"/,
    /Did you mean one of the following\? \[([^\]]+)\]/,
    /available columns?:? ([^)\n]+)/i,
    /given input columns:? \[([^\]]+)\]/,
  ]);
}

export function pathOf(text: string): string | undefined {
  return firstGroup(text, [
    /No such file or directory:? ['"]([^'"]+)['"]/,
    /ENOENT: no such file or directory, \w+ '([^']+)'/,
    /Path does not exist: (\S+?)\.?(?:\s|$)/,
    /No such file or directory: (\/\S+|\w+:\/\/\S+)/,
    /(?:FileNotFoundException|NoSuchFileException): (\/\S+|\w+:\/\/\S+)/,
    /open ([^:\s]+): no such file or directory/,
    /(s3a?:\/\/\S+|gs:\/\/\S+|abfss?:\/\/\S+|hdfs:\/\/\S+)/,
    /['"](\/[^'"]+)['"]/,
  ])?.replace(/[,;]$/, '');
}

export function endpointOf(text: string): string | undefined {
  const pgStyle = /server at "([^"]+)" \(([\d.:a-f]+)\), port (\d+)/.exec(text);
  if (pgStyle) return `${pgStyle[1]}:${pgStyle[3]}`;
  const hostPort = /host='([^']+)', port=(\d+)/.exec(text);
  if (hostPort) return `${hostPort[1]}:${hostPort[2]}`;
  return firstGroup(text, [
    /(?:connect|dial tcp|ECONNREFUSED|ETIMEDOUT|ECONNRESET|ENOTFOUND|to|at)\s+\[?((?:\d{1,3}\.){3}\d{1,3}(?::\d+)?|[A-Za-z][\w-]*(?:\.[\w-]+)+:\d{2,5})\]?/,
    /\b((?:\d{1,3}\.){3}\d{1,3}:\d{2,5})\b/,
    /\b([A-Za-z][\w-]*(?:\.[\w-]+)+:\d{2,5})\b/,
    /https?:\/\/([^/\s:'"]+)/,
    /getaddrinfo \w+ ([\w.-]+)/,
    /host (?:name )?"([^"]+)"/,
  ]);
}

export function moduleOf(text: string): string | undefined {
  return firstGroup(text, [
    /No module named '([^']+)'/,
    /cannot import name '([^']+)'/,
    /Cannot find (?:module|package) '([^']+)'/,
    /ClassNotFoundException: ([\w.$]+)/,
    /NoClassDefFoundError: ([\w/.$]+)/,
    /Failed to find data source: (\w+)/,
    /no required module provides package ([\w./-]+)/,
    /cannot find package "([^"]+)"/,
    /depends on a node named '([^']+)'/,
  ]);
}

export function envVarOf(f: Finding): string | undefined {
  return firstGroup(f.subject, [
    /^KeyError: '([^']+)'/,
    /Env var required but not provided: '([^']+)'/,
    /environment variable[s]?:? ['"`]?([A-Z][A-Z0-9_]+)/i,
    /['"`]?([A-Z][A-Z0-9_]{2,})['"`]? (?:is )?(?:not set|missing|required|undefined)/,
  ]);
}
