// The checks a schema cannot express: duplicate ids, regexes that do not compile or may backtrack
// catastrophically, references to undefined macros and lists, macro cycles, rules whose regexes
// defeat the literal pre-filter (a warning). Runs on the interpolated value even when the schema
// found problems, so one run reports everything; every access is type-guarded for that reason.
import type { MatchExpr, RuleConfig } from './config-types.js';
import { matchLiterals, MatchReferenceError } from './match-literals.js';
import { formatPath, type ConfigPath } from './yaml-locator.js';
import { regexHazard } from './regex-safety.js';

export interface SemanticIssue {
  path: ConfigPath;
  atKey?: boolean;
  message: string;
  severity: 'error' | 'warning';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkRegex(source: unknown, flags: string, path: ConfigPath, issues: SemanticIssue[]): void {
  if (typeof source !== 'string') return;
  try {
    new RegExp(source, flags);
  } catch (err) {
    const reason = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    issues.push({ path, severity: 'error', message: `${formatPath(path)}: regex does not compile: ${reason}` });
    return;
  }
  const hazard = regexHazard(source, flags);
  if (hazard) issues.push({ path, severity: 'error', message: `${formatPath(path)}: regex may backtrack catastrophically: ${hazard.reason}` });
}

function checkMatch(expr: unknown, path: ConfigPath, names: { macros: Set<string>; lists: Set<string> }, issues: SemanticIssue[]): void {
  if (!isObj(expr)) return;
  const flags = expr.ignore_case === true ? 'i' : '';
  checkRegex(expr.regex, flags, [...path, 'regex'], issues);
  checkRegex(expr.raw_regex, flags, [...path, 'raw_regex'], issues);
  if (isObj(expr.field_regex)) {
    for (const [field, source] of Object.entries(expr.field_regex)) checkRegex(source, flags, [...path, 'field_regex', field], issues);
  }
  if (typeof expr.macro === 'string' && !names.macros.has(expr.macro)) {
    const known = [...names.macros];
    issues.push({
      path: [...path, 'macro'],
      severity: 'error',
      message: `${formatPath([...path, 'macro'])}: macro "${expr.macro}" is not defined${known.length ? ` (defined: ${known.join(', ')})` : ' (no macros defined)'}`,
    });
  }
  if (isObj(expr.in_list)) {
    for (const [field, list] of Object.entries(expr.in_list)) {
      if (typeof list === 'string' && !names.lists.has(list)) {
        const at = [...path, 'in_list', field];
        issues.push({ path: at, severity: 'error', message: `${formatPath(at)}: list "${list}" is not defined` });
      }
    }
  }
  for (const combinator of ['all', 'any'] as const) {
    const subs = expr[combinator];
    if (Array.isArray(subs)) subs.forEach((sub, i) => checkMatch(sub, [...path, combinator, i], names, issues));
  }
  checkMatch(expr.not, [...path, 'not'], names, issues);
}

function macroRefs(expr: unknown, out: string[] = []): string[] {
  if (!isObj(expr)) return out;
  if (typeof expr.macro === 'string') out.push(expr.macro);
  for (const combinator of ['all', 'any'] as const) {
    const subs = expr[combinator];
    if (Array.isArray(subs)) for (const sub of subs) macroRefs(sub, out);
  }
  macroRefs(expr.not, out);
  return out;
}

function checkMacroCycles(macros: Obj, issues: SemanticIssue[]): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      issues.push({ path: ['macros', name], atKey: true, severity: 'error', message: `macros.${name}: macros refer to each other in a cycle (${cycle.join(' → ')})` });
      return;
    }
    state.set(name, 'visiting');
    for (const ref of macroRefs(macros[name])) if (ref in macros) visit(ref, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(macros)) visit(name, []);
}

export function checkSemantics(root: unknown): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  if (!isObj(root)) return issues;
  const macros = isObj(root.macros) ? root.macros : {};
  const lists = isObj(root.lists) ? root.lists : {};
  const names = { macros: new Set(Object.keys(macros)), lists: new Set(Object.keys(lists)) };

  for (const [name, body] of Object.entries(macros)) checkMatch(body, ['macros', name], names, issues);
  checkMacroCycles(macros, issues);

  const rules = Array.isArray(root.rules) ? root.rules : [];
  const firstById = new Map<string, number>();
  rules.forEach((rule: unknown, i) => {
    if (!isObj(rule)) return;
    if (typeof rule.id === 'string') {
      const first = firstById.get(rule.id);
      if (first !== undefined) {
        issues.push({ path: ['rules', i, 'id'], severity: 'error', message: `rules[${i}].id: duplicate rule id "${rule.id}" (first used by rules[${first}])` });
      } else firstById.set(rule.id, i);
    }
    checkMatch(rule.match, ['rules', i, 'match'], names, issues);
    checkMatch(rule.unless, ['rules', i, 'unless'], names, issues);
  });

  // The pre-filter warning needs a compilable rule; a rule that does not compile was reported above.
  {
    const ctx = { macros: macros as Record<string, MatchExpr>, lists: lists as Record<string, string[]> };
    rules.forEach((rule: unknown, i) => {
      if (!isObj(rule) || !isObj(rule.match) || rule.enabled === false) return;
      if (issues.some((issue) => issue.severity === 'error' && issue.path[0] === 'rules' && issue.path[1] === i)) return;
      try {
        const needs = matchLiterals((rule as unknown as RuleConfig).match, ctx);
        if (needs.hasRegex && needs.literals === null) {
          issues.push({
            path: ['rules', i, 'match'],
            severity: 'warning',
            message: `rules[${i}].match: ${typeof rule.id === 'string' ? `rule "${rule.id}"` : 'this rule'} has no required literal of 3+ characters, so its regexes run on every line (slower); add a fixed word to the regex`,
          });
        }
      } catch (err) {
        if (!(err instanceof MatchReferenceError) && !(err instanceof SyntaxError)) throw err;
      }
    });
  }

  if (isObj(root.incidents)) checkMatch(root.incidents.success_match, ['incidents', 'success_match'], names, issues);

  const patterns = isObj(root.redact) && Array.isArray(root.redact.patterns) ? root.redact.patterns : [];
  patterns.forEach((p: unknown, i) => {
    if (!isObj(p) || typeof p.regex !== 'string') return;
    // `(?i)` asks for case-insensitivity as in RE2/PCRE; the redactor strips it (redactor.ts).
    const insensitive = p.regex.startsWith('(?i)');
    checkRegex(insensitive ? p.regex.slice(4) : p.regex, insensitive ? 'gi' : 'g', ['redact', 'patterns', i, 'regex'], issues);
  });

  const sources = Array.isArray(root.sources) ? root.sources : [];
  const sourceNames = new Map<string, number>();
  sources.forEach((s: unknown, i) => {
    if (!isObj(s)) return;
    if (isObj(s.multiline)) checkRegex(s.multiline.start_pattern, '', ['sources', i, 'multiline', 'start_pattern'], issues);
    if (typeof s.name === 'string') {
      const first = sourceNames.get(s.name);
      if (first !== undefined) {
        issues.push({ path: ['sources', i, 'name'], severity: 'error', message: `sources[${i}].name: duplicate source name "${s.name}" (first used by sources[${first}])` });
      } else sourceNames.set(s.name, i);
    }
  });

  const notify = isObj(root.notify) ? root.notify : {};
  const slack = Array.isArray(notify.slack) ? notify.slack : isObj(notify.slack) ? [notify.slack] : [];
  slack.forEach((d: unknown, i) => {
    if (!isObj(d)) return;
    const path: ConfigPath = Array.isArray(notify.slack) ? ['notify', 'slack', i] : ['notify', 'slack'];
    if (typeof d.bot_token === 'string' && typeof d.channel !== 'string') {
      issues.push({ path, severity: 'error', message: `${formatPath(path)}: bot_token needs a channel` });
    }
  });
  checkDestinationNames(notify, issues);
  checkOpenAi(root.brain, issues);
  return issues;
}

/**
 * Each destination owns `state_dir/outbox/<name>`: two with one name would share a queue. Every
 * object (or list of objects) under `notify` is a destination, named `name` or after its key
 * (`slack`, `slack-2`, `alertmanager`), so a new destination type needs nothing here.
 */
function checkDestinationNames(notify: Record<string, unknown>, issues: SemanticIssue[]): void {
  const first = new Map<string, string>();
  for (const [key, value] of Object.entries(notify)) {
    const list: unknown[] = Array.isArray(value) ? value : isObj(value) ? [value] : [];
    list.forEach((d, i) => {
      if (!isObj(d)) return;
      const at: ConfigPath = Array.isArray(value) ? ['notify', key, i] : ['notify', key];
      const named = typeof d.name === 'string';
      const name = named ? (d.name as string) : i === 0 ? key : `${key}-${i + 1}`;
      const path: ConfigPath = named ? [...at, 'name'] : at;
      const earlier = first.get(name);
      if (earlier === undefined) first.set(name, formatPath(path));
      else issues.push({ path, severity: 'error', message: `${formatPath(path)}: destination name "${name}" is already used by ${earlier}` });
    });
  }
}

/** brain.openai is on with both an endpoint and a model; one without the other is a half-done setup. */
function checkOpenAi(brain: unknown, issues: SemanticIssue[]): void {
  if (!isObj(brain) || !isObj(brain.openai)) return;
  const { base_url: baseUrl, model } = brain.openai;
  if (typeof baseUrl === 'string' && typeof model !== 'string') {
    issues.push({ path: ['brain', 'openai', 'base_url'], severity: 'error', message: 'brain.openai: base_url needs a model (the name the server knows it by, e.g. qwen2.5:7b)' });
  }
}
