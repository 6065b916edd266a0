// Detect stage: LogEvent in, Match[] out. User rules always apply (each that matches fires); the
// built-in packs judge only records no user rule claimed, and of them only the first pack rule in
// priority order fires, so one failing record gives one incident named for its most specific cause.
//
// Cost: most lines match nothing. Every rule with regexes has a set of required literals
// (regex-literals.ts); one combined case-insensitive search proves that a line holds none of them,
// and then no regex runs at all. Rules without regexes (level, fields) are a few comparisons.
// Cheaper still, `screen` judges the raw text before any parse (record-screen.ts): the agent's
// ingest parses and matches only the records it lets through.
import type { MatchExpr, RuleConfig, SentinelConfig } from '../config/config-types.js';
import type { LogEvent, Match, RuleInfo } from '../types.js';
import { compileMatch, eventTexts, type CompileContext, type EventTexts, type Predicate } from './compile-match.js';
import { computeFingerprint } from './fingerprint.js';
import { BUILTIN_PACKS } from './packs/index.js';
import { ALERT_TITLES } from './packs/alert-titles.js';
import type { PackRule } from './packs/pack.js';
import type { Requirement } from '../config/regex-literals.js';
import { createRecordScreen, type RecordScreen } from './record-screen.js';
import { screenNeed } from './screen-need.js';
import { wordsRegexSource } from './words-regex.js';
import { headOf, MatchBudgetExceeded } from './match-budget.js';
import { scoresAsFailure, type LineScorerModel } from './line-scorer.js';
import { lineScorerModel } from './line-scorer.data.js';

let heldScorerModel: LineScorerModel | undefined;
/** The learned scorer's weights, built on the first record that reaches it (line-scorer.data.ts). */
const scorerModel = (): LineScorerModel => (heldScorerModel ??= lineScorerModel());

export interface Detector {
  /**
   * All rules that fire on this event (usually 0 or 1; order: user rules first, then packs). Must be
   * FAST for non-matching lines. With `budgetMs`, throws MatchBudgetExceeded (carrying the matches
   * found so far) once the rules have taken longer than that on this event.
   */
  match(event: LogEvent, budgetMs?: number): Match[];
  /** True when the event is a success record (config.incidents.success_match) — the incident stage resolves on it. */
  isSuccess(event: LogEvent): boolean;
  /**
   * False only when it is certain, from the raw record text alone, that `match` finds nothing and
   * `isSuccess` is false whatever the parse gives; such records need not be parsed at all.
   */
  screen: RecordScreen;
  readonly rules: ReadonlyArray<RuleInfo>;
}

export interface DetectorOptions {
  /** Off only for tests that prove the pre-filter changes no result. */
  prefilter?: boolean;
  /** Off only to train the line scorer on what the packs alone alarm on (scripts/train-line-scorer.ts): rules that need its verdict never fire. */
  lineScorer?: boolean;
}

interface CompiledRule {
  info: RuleInfo;
  /** A pack rule that stays quiet right after another failure of the same file (PackRule.echoes). */
  echoes: boolean;
  config: RuleConfig;
  /** Tests the rule's own literals on a text already known to hold some literal; null: none required. */
  literalTest: RegExp | null;
  match: Predicate;
  unless: Predicate | null;
  /** A pack rule that also needs the learned line scorer's verdict (PackRule.scored). */
  scored: boolean;
}

/** One case-insensitive search for any of the literals. */
export function literalRegex(literals: Iterable<string>): RegExp | null {
  const source = wordsRegexSource(literals);
  return source === null ? null : new RegExp(source, 'i');
}

function toRuleInfo(rule: RuleConfig & Partial<Pick<PackRule, 'priority' | 'summarises' | 'introduces'>>, pack?: string): RuleInfo {
  const info: RuleInfo = { id: rule.id, severity: rule.severity, labels: { ...rule.labels } };
  if (rule.description !== undefined) info.description = rule.description;
  if (rule.hint !== undefined) info.hint = rule.hint;
  if (rule.runbook !== undefined) info.runbook = rule.runbook;
  if (pack !== undefined) {
    info.pack = pack;
    const title = ALERT_TITLES[rule.id];
    if (title !== undefined) info.title = title;
  }
  if (rule.priority !== undefined) info.priority = rule.priority;
  if (rule.summarises) info.summarises = true;
  if (rule.introduces) info.introduces = true;
  if (rule.cooldown_secs !== undefined) info.cooldownSecs = rule.cooldown_secs;
  if (rule.threshold !== undefined) info.threshold = { ...rule.threshold };
  if (rule.fingerprint !== undefined) info.fingerprint = rule.fingerprint;
  return info;
}

function compileRule(rule: RuleConfig & Partial<PackRule>, ctx: CompileContext, pack?: string): CompiledRule & { literals: Requirement } {
  const m = compileMatch(rule.match, ctx);
  return {
    info: toRuleInfo(rule, pack),
    echoes: rule.echoes === true,
    config: rule,
    literals: m.literals,
    literalTest: m.literals ? literalRegex(m.literals) : null,
    match: m.test,
    unless: rule.unless ? compileMatch(rule.unless, ctx).test : null,
    scored: rule.scored === true,
  };
}

/** Whether any of the texts a rule may look at holds one of the literals. */
function anyTextHas(re: RegExp, t: EventTexts): boolean {
  const e = t.event;
  if (re.test(e.raw)) return true;
  // The message is usually a verbatim part of the raw record (always for plain text).
  if (e.message !== e.raw && !e.raw.includes(e.message) && re.test(e.message)) return true;
  return t.errorText !== undefined && re.test(t.errorText);
}

// How close after a failure's last byte an echoing rule's record counts as that failure's echo: a
// framework's summary lines sit a few lines below the error it reports. Bounded per file.
const ECHO_BYTES = 4096;
const MAX_ECHO_FILES = 1024;

export function createDetector(config: SentinelConfig, options: DetectorOptions = {}): Detector {
  const usePrefilter = options.prefilter ?? true;
  const useScorer = options.lineScorer ?? true;
  const ctx: CompileContext = { macros: config.macros, lists: config.lists };

  const userRules = config.rules.filter((r) => r.enabled).map((r) => compileRule(r, ctx));
  const packRules = BUILTIN_PACKS.filter((p) => config.packs[p.name] !== false)
    .flatMap((p) => p.rules.map((rule, index) => ({ rule, index, pack: p.name })))
    .filter(({ rule }) => rule.enabled)
    .sort((a, b) => b.rule.priority - a.rule.priority || a.index - b.index)
    .map(({ rule, pack }) => compileRule(rule, ctx, pack));

  const all = [...userRules, ...packRules];
  const combined = literalRegex(all.flatMap((r) => r.literals ?? []));

  const successExpr: MatchExpr | undefined = config.incidents.success_match;
  const success = successExpr ? compileMatch(successExpr, ctx) : null;
  const successLiterals = success?.literals ? literalRegex(success.literals) : null;
  const screenedExprs = [...all.map((r) => r.config.match), ...(successExpr ? [successExpr] : [])];
  const screen = createRecordScreen(screenedExprs.map((e) => screenNeed(e, ctx)));

  function fires(rule: CompiledRule, t: EventTexts, anyLiteral: boolean): boolean {
    if (usePrefilter && rule.literalTest) {
      if (!anyLiteral || !anyTextHas(rule.literalTest, t)) return false;
    }
    return rule.match(t) && !(rule.unless && rule.unless(t)) && (!rule.scored || (useScorer && scoresAsFailure(scorerModel(), t.event.raw)));
  }

  // Where the last failure of each file ended (byte offset), for echoing rules.
  const lastFailureEnd = new Map<string, number>();
  /** Records that a failure ended at this event; returns where the file's previous one ended. */
  function noteFailure(event: LogEvent): number | undefined {
    const file = event.origin.file;
    const previous = lastFailureEnd.get(file);
    lastFailureEnd.delete(file);
    if (lastFailureEnd.size >= MAX_ECHO_FILES) lastFailureEnd.delete(lastFailureEnd.keys().next().value as string);
    lastFailureEnd.set(file, event.origin.endOffset);
    return previous;
  }
  function isEcho(rule: CompiledRule, event: LogEvent): boolean {
    const previous = noteFailure(event);
    return rule.echoes && previous !== undefined && event.origin.offset >= previous && event.origin.offset - previous <= ECHO_BYTES;
  }

  function toMatch(rule: CompiledRule, event: LogEvent): Match {
    return {
      rule: rule.info,
      severity: rule.info.severity,
      labels: rule.info.labels,
      event,
      fingerprint: computeFingerprint(rule.config, event),
    };
  }

  return {
    rules: all.map((r) => r.info),
    screen,

    match(event, budgetMs) {
      let t = eventTexts(event);
      const anyLiteral = !usePrefilter || (combined !== null && anyTextHas(combined, t));
      const out: Match[] = [];
      // Checked between two rules (a running regex cannot be interrupted). Once over, the rules
      // left see only the head of the record: bounded cost, and a short record (or a stall of the
      // process rather than a slow rule) matches exactly as before. The caller counts the record.
      const startedAt = budgetMs === undefined ? 0 : performance.now();
      let over: { rule: string; elapsedMs: number } | undefined;
      const spent = (rule: CompiledRule): void => {
        if (budgetMs === undefined || over) return;
        const elapsedMs = performance.now() - startedAt;
        if (elapsedMs <= budgetMs) return;
        over = { rule: rule.info.id, elapsedMs };
        t = eventTexts(headOf(event));
      };
      const done = (): Match[] => {
        if (over && budgetMs !== undefined) throw new MatchBudgetExceeded(over.rule, over.elapsedMs, out, budgetMs);
        return out;
      };
      for (const rule of userRules) {
        if (fires(rule, t, anyLiteral)) out.push(toMatch(rule, event));
        spent(rule);
      }
      if (out.length > 0) {
        noteFailure(event);
        return done();
      }
      for (const rule of packRules) {
        if (fires(rule, t, anyLiteral)) {
          // A rule with a threshold reports one attempt of several, not yet a failure: it leaves the
          // echo window alone (a client's failed connection must not hush the error that follows it).
          if (rule.info.threshold !== undefined || !isEcho(rule, event)) out.push(toMatch(rule, event));
          break;
        }
        spent(rule);
      }
      return done();
    },

    isSuccess(event) {
      if (!success) return false;
      const t = eventTexts(event);
      if (usePrefilter && successLiterals && !anyTextHas(successLiterals, t)) return false;
      return success.test(t);
    },
  };
}
