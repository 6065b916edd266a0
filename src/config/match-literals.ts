// What a rule's match expression needs of a record's text before it can hold: literals one of
// which any matching record contains, and whether a message or raw regex is involved. The
// detector's pre-filter is built from it (detect/compile-match.ts), and `sentinel check` warns
// with it about rules that defeat the pre-filter. It lives in config, beside regex-safety.ts,
// because it reads only what the user wrote: the check must not need the detector to say so
// (docs/architecture.md, "Allowed imports").
import type { MatchExpr } from './config-types.js';
import { requireAll, requireAny, requiredLiterals, type Requirement } from './regex-literals.js';

export interface MatchLiterals {
  /** Literals one of which the message, the raw record or the error text must contain; null: cannot tell. */
  literals: Requirement;
  /** Whether a message / raw regex is involved (such a rule with no literal costs every line). */
  hasRegex: boolean;
}

export interface MatchReferences {
  macros: Readonly<Record<string, MatchExpr>>;
  lists: Readonly<Record<string, readonly string[]>>;
}

/** A reference the config check reports as an error: an undefined macro or list, a macro cycle. */
export class MatchReferenceError extends Error {}

export function matchLiterals(expr: MatchExpr, refs: MatchReferences, seenMacros: readonly string[] = []): MatchLiterals {
  const reqs: Requirement[] = [];
  let hasRegex = false;
  for (const listName of Object.values(expr.in_list ?? {})) {
    if (!refs.lists[listName]) throw new MatchReferenceError(`list "${listName}" is not defined`);
  }
  // Only `regex` / `raw_regex` contribute: they run on exactly the texts the pre-filter searches,
  // so the requirement holds for any event, however it was built. Field values need not appear
  // verbatim in the record (JSON escapes, number formats, values the parser derived).
  if (expr.regex !== undefined) {
    hasRegex = true;
    reqs.push(requiredLiterals(expr.regex));
  }
  if (expr.raw_regex !== undefined) {
    hasRegex = true;
    reqs.push(requiredLiterals(expr.raw_regex));
  }
  if (expr.macro !== undefined) {
    const body = refs.macros[expr.macro];
    if (!body) throw new MatchReferenceError(`macro "${expr.macro}" is not defined`);
    if (seenMacros.includes(expr.macro)) throw new MatchReferenceError(`macro "${expr.macro}" refers to itself (${[...seenMacros, expr.macro].join(' → ')})`);
    const inner = matchLiterals(body, refs, [...seenMacros, expr.macro]);
    reqs.push(inner.literals);
    hasRegex ||= inner.hasRegex;
  }
  for (const sub of expr.all ?? []) {
    const inner = matchLiterals(sub, refs, seenMacros);
    reqs.push(inner.literals);
    hasRegex ||= inner.hasRegex;
  }
  if (expr.any) {
    const subs = expr.any.map((sub) => matchLiterals(sub, refs, seenMacros));
    reqs.push(requireAny(subs.map((s) => s.literals)));
    hasRegex ||= subs.some((s) => s.hasRegex);
  }
  // A negation requires nothing of the text, but its regexes still run.
  if (expr.not) hasRegex ||= matchLiterals(expr.not, refs, seenMacros).hasRegex;
  return { literals: requireAll(reqs), hasRegex };
}
