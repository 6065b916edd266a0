// `${VAR}` / `${VAR:-default}` in string values, replaced from the environment before validation.
// `$${` writes a literal `${`. A whole-value reference in a plain (unquoted) scalar is typed after
// substitution like YAML would type it (`port: ${PORT:-9464}` is a number).
//
// An unset variable without default (or set to the empty string) removes its key when the key is
// an optional secret (webhook_url, api_key, ...: "not configured"); anywhere else it is an error.
import { isScalar, type Scalar } from 'yaml';
import { OPTIONAL_SECRET_KEYS } from './config-definition.js';
import { formatPath, type ConfigPath, type Locator } from './yaml-locator.js';

export interface InterpolationIssue {
  path: ConfigPath;
  message: string;
  severity: 'error' | 'warning';
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const WHOLE = /^\$\{[^}]*\}$/;

interface Substituted {
  value: string;
  missing: string[];
  bad: string[];
}

function substitute(text: string, env: NodeJS.ProcessEnv): Substituted {
  const missing: string[] = [];
  const bad: string[] = [];
  const value = text.replace(REFERENCE, (whole: string, inner: string | undefined) => {
    if (inner === undefined) return '${';
    const m = INNER.exec(inner);
    if (!m) {
      bad.push(whole);
      return whole;
    }
    const name = m[1] as string;
    const fallback = m[2];
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (fallback !== undefined) return fallback;
    if (set === undefined) missing.push(name);
    return '';
  });
  return { value, missing, bad };
}

function typed(text: string): string | number | boolean {
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  locator: Locator,
): { value: unknown; issues: InterpolationIssue[] } {
  const issues: InterpolationIssue[] = [];
  const REMOVE = Symbol('remove');

  const visit = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('${')) return v;
      const key = path[path.length - 1];
      const optional = typeof key === 'string' && OPTIONAL_SECRET_KEYS.has(key);
      const { value: out, missing, bad } = substitute(v, env);
      for (const b of bad) {
        issues.push({ path, severity: 'error', message: `${formatPath(path)}: bad variable reference ${b} (use \${NAME} or \${NAME:-default})` });
      }
      if (optional && (missing.length > 0 || out === '')) {
        const names = missing.length > 0 ? missing.join(', ') : 'its variable';
        const effect = key === 'webhook_url' || key === 'bot_token' ? 'this Slack destination is off' : `${key} is left unset`;
        issues.push({ path, severity: 'warning', message: `${formatPath(path)}: ${names} is not set or empty, so ${effect}` });
        return REMOVE;
      }
      for (const name of missing) {
        issues.push({ path, severity: 'error', message: `${formatPath(path)}: environment variable ${name} is not set (write \${${name}:-default} for a default)` });
      }
      const node = locator.node(path);
      const plain = isScalar(node) && (node as Scalar).type === 'PLAIN';
      return plain && WHOLE.test(v) ? typed(out) : out;
    }
    if (Array.isArray(v)) {
      return v.map((item, i) => visit(item, [...path, i])).filter((item) => item !== REMOVE);
    }
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const next = visit(item, [...path, k]);
        if (next !== REMOVE) out[k] = next;
      }
      return out;
    }
    return v;
  };

  return { value: visit(value, []), issues };
}
