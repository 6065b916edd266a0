// Field lookup for rules and fingerprints: dotted paths into the parsed fields (`error.type`,
// `k8s.pod.name`). A key that itself contains dots (`log.level`) is found before descending.
import type { LogEvent } from '../types.js';

function lookup(obj: unknown, path: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const record = obj as Record<string, unknown>;
  if (path in record) return record[path];
  const dot = path.indexOf('.');
  if (dot === -1) return undefined;
  // Try the longest key prefix first so `a.b.c` finds {"a.b": {"c": 1}} as well as {"a": {"b": {"c": 1}}}.
  for (let i = path.lastIndexOf('.'); i > 0; i = path.lastIndexOf('.', i - 1)) {
    const head = path.slice(0, i);
    if (head in record) return lookup(record[head], path.slice(i + 1));
  }
  return undefined;
}

/**
 * A field's value: parsed fields first; then the event itself for `message`, `level`, `rule`-free
 * pseudo-fields, and `error.*` from the parsed error (plain-text records have no fields but may
 * carry a parsed stack trace).
 */
export function getField(event: LogEvent, path: string): unknown {
  const value = lookup(event.fields, path);
  if (value !== undefined) return value;
  if (path === 'message') return event.message;
  if (path === 'level') return event.level;
  if (path === 'source') return event.origin.source;
  if (path === 'file') return event.origin.file;
  if (event.error && path.startsWith('error.')) return lookup(event.error, path.slice(6));
  return undefined;
}

/** A field value as text for comparisons and templates; objects as JSON. */
export function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}
