// JSON Schema validation with ajv (all errors, not the first), each error turned into a path and a
// message a person can act on: the unknown key and the keys allowed there, the value and the
// values allowed, the type expected and the type found. Validation also fills the definition's
// constant defaults into the value (Ajv's useDefaults), so they are written once, in the definition.
// The validator is compiled at build time, not at start-up (scripts/config-validator-source.ts).
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validate as generatedValidator } from './config-validator.generated.js';
import { formatPath, type ConfigPath } from './yaml-locator.js';

export interface SchemaIssue {
  path: ConfigPath;
  /** Point at the key rather than its value (unknown keys). */
  atKey: boolean;
  message: string;
}

/** The options the config schema is compiled with (strict: unknown keywords are errors). */
export const SCHEMA_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true, verbose: true } as const;

/**
 * What the validator is generated with. verbose: errors carry their parentSchema, which lists the
 * keys allowed where a key is unknown. useDefaults: a fresh copy of each default wherever a key is
 * absent (the generated code writes each default as a literal: never shared between configs).
 */
export const VALIDATOR_OPTIONS = { ...SCHEMA_OPTIONS, useDefaults: true } as const;

const validator = generatedValidator as unknown as ValidateFunction;

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

function valueAt(root: unknown, path: ConfigPath): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[String(seg)];
  }
  return v;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Closest allowed name, for "did you mean". */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

function allowedKeys(err: ErrorObject): string[] {
  const props = (err.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

function toIssue(err: ErrorObject, root: unknown): SchemaIssue | null {
  const path = pointerToPath(err.instancePath);
  const where = formatPath(path);
  const value = valueAt(root, path);
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'if':
      return null; // the branch's own errors say what is wrong
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = allowedKeys(err);
      const hint = suggest(key, allowed);
      const at = [...path, key];
      return {
        path: at,
        atKey: true,
        message: `${formatPath(at)}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}`,
      };
    }
    case 'propertyNames':
      return null; // reported through the inner error with its propertyName
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => String(v));
      if (err.propertyName !== undefined) {
        const at = [...path, err.propertyName];
        const hint = suggest(err.propertyName, allowed);
        return { path: at, atKey: true, message: `${formatPath(at)}: unknown name "${err.propertyName}"${hint ? ` (did you mean "${hint}"?)` : ''}; known: ${allowed.join(', ')}` };
      }
      const hint = typeof value === 'string' ? suggest(value, allowed) : undefined;
      return { path, atKey: false, message: `${where}: ${describe(value)} is not one of ${allowed.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}` };
    }
    case 'type':
      return { path, atKey: false, message: `${where}: must be ${String(params.type).replace(',', ' or ')}, not ${describe(value)}` };
    case 'required':
      return { path, atKey: false, message: `${where}: missing required key "${String(params.missingProperty)}"` };
    case 'pattern':
      if (err.propertyName !== undefined) {
        const at = [...path, err.propertyName];
        return { path: at, atKey: true, message: `${formatPath(at)}: name "${err.propertyName}" must match ${String(params.pattern)}` };
      }
      return { path, atKey: false, message: `${where}: ${describe(value)} must match ${String(params.pattern)}` };
    case 'minProperties':
      return { path, atKey: false, message: `${where}: must not be empty` };
    default:
      return { path, atKey: false, message: `${where}: ${err.message ?? err.keyword}` };
  }
}

/** Checks `value` against the schema and fills the constant defaults into it, in place. */
export function validateSchema(value: unknown): SchemaIssue[] {
  if (validator(value)) return [];
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const err of validator.errors ?? []) {
    const issue = toIssue(err, value);
    if (!issue || seen.has(issue.message)) continue;
    seen.add(issue.message);
    issues.push(issue);
  }
  return issues;
}
