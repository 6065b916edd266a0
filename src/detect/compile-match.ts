// Compiles a rule's match expression once into a predicate plus the literal requirement the
// pre-filter uses. Cheap tests (level, field equality) run before regexes within each node.
import type { MatchExpr } from '../config/config-types.js';
import type { LogEvent } from '../types.js';
import { fieldText, getField } from './field-path.js';
import { matchLiterals, type MatchLiterals, type MatchReferences } from '../config/match-literals.js';

/** Per-event memo so a text shared by many rules is built once. */
export interface EventTexts {
  event: LogEvent;
  /** `type: message` + raw stack of the parsed error, when there is one. */
  errorText: string | undefined;
}

export function eventTexts(event: LogEvent): EventTexts {
  const e = event.error;
  return { event, errorText: e ? `${e.type}: ${e.message}\n${e.rawStack ?? ''}` : undefined };
}

export type Predicate = (t: EventTexts) => boolean;

/** The predicate, with the literals one of which a record must contain for it to hold (the pre-filter). */
export interface CompiledMatch extends MatchLiterals {
  test: Predicate;
}

/** The macros and lists a match expression may refer to. */
export type CompileContext = MatchReferences;

/** Thrown for a reference the config check should have caught (unknown macro or list, a cycle). */
export class MatchCompileError extends Error {}

export function compileMatch(expr: MatchExpr, ctx: CompileContext, seenMacros: readonly string[] = []): CompiledMatch {
  const cheap: Predicate[] = [];
  const costly: Predicate[] = [];
  const flags = expr.ignore_case ? 'i' : '';

  if (expr.level !== undefined) {
    const levels = new Set<string>(Array.isArray(expr.level) ? expr.level : [expr.level]);
    cheap.push((t) => levels.has(t.event.level));
  }
  if (expr.has_error !== undefined) {
    const want = expr.has_error;
    cheap.push((t) => (t.event.error !== undefined) === want);
  }
  if (expr.fields) {
    for (const [path, expected] of Object.entries(expr.fields)) {
      const wanted = new Set((Array.isArray(expected) ? expected : [expected]).map((v) => String(v)));
      cheap.push((t) => {
        const text = fieldText(getField(t.event, path));
        return text !== undefined && wanted.has(text);
      });
    }
  }
  if (expr.in_list) {
    for (const [path, listName] of Object.entries(expr.in_list)) {
      const list = ctx.lists[listName];
      if (!list) throw new MatchCompileError(`list "${listName}" is not defined`);
      const members = new Set(list.map(String));
      cheap.push((t) => {
        const text = fieldText(getField(t.event, path));
        return text !== undefined && members.has(text);
      });
    }
  }
  if (expr.regex !== undefined) {
    const re = new RegExp(expr.regex, flags);
    // The message, and the error (type, message, stack) when the record carries one: a JSON record
    // often says "step failed" in msg and the cause only in its error object.
    costly.push((t) => re.test(t.event.message) || (t.errorText !== undefined && re.test(t.errorText)));
  }
  if (expr.raw_regex !== undefined) {
    const re = new RegExp(expr.raw_regex, flags);
    costly.push((t) => re.test(t.event.raw));
  }
  if (expr.field_regex) {
    // Field values are short, so these run without a literal: and a value's text need not appear
    // verbatim in the record (JSON escapes, number formats, values the parser derived).
    for (const [path, source] of Object.entries(expr.field_regex)) {
      const re = new RegExp(source, flags);
      costly.push((t) => {
        const text = fieldText(getField(t.event, path));
        return text !== undefined && re.test(text);
      });
    }
  }
  if (expr.macro !== undefined) {
    const body = ctx.macros[expr.macro];
    if (!body) throw new MatchCompileError(`macro "${expr.macro}" is not defined`);
    if (seenMacros.includes(expr.macro)) throw new MatchCompileError(`macro "${expr.macro}" refers to itself (${[...seenMacros, expr.macro].join(' → ')})`);
    const inner = compileMatch(body, ctx, [...seenMacros, expr.macro]);
    (inner.hasRegex ? costly : cheap).push(inner.test);
  }
  if (expr.all) {
    for (const sub of expr.all) {
      const c = compileMatch(sub, ctx, seenMacros);
      (c.hasRegex ? costly : cheap).push(c.test);
    }
  }
  if (expr.any) {
    const subs = expr.any.map((sub) => compileMatch(sub, ctx, seenMacros));
    const tests = subs.map((s) => s.test);
    const anyRegex = subs.some((s) => s.hasRegex);
    (anyRegex ? costly : cheap).push((t) => tests.some((f) => f(t)));
  }
  if (expr.not) {
    const inner = compileMatch(expr.not, ctx, seenMacros);
    (inner.hasRegex ? costly : cheap).push((t) => !inner.test(t));
  }

  const tests = [...cheap, ...costly];
  const test: Predicate =
    tests.length === 1 ? (tests[0] as Predicate) : tests.length === 0 ? () => true : (t) => tests.every((f) => f(t));
  // The literal requirement is read from the expression as written (config/match-literals.ts), the
  // same reading `sentinel check` warns with.
  return { test, ...matchLiterals(expr, ctx, seenMacros) };
}
