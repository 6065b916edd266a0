// A built-in rule pack: rules for one ecosystem, on by default, switched off with `packs: { NAME: false }`.
import type { MatchExpr, RuleConfig } from '../../config/config-types.js';
import type { Severity } from '../../types.js';
import { RETRY_NOTICE } from './coping.js';

export interface PackRule extends RuleConfig {
  /**
   * Higher runs first. Only the first pack rule that matches a record fires, so one failing record
   * gives one incident named for its most specific cause: causes (OOM, access denied, a missing
   * relation) 70–90, frameworks (Dagster, Airflow, dbt) 50–69, languages (tracebacks) 20–40, generic 10.
   */
  priority: number;
  /**
   * A shape that every runtime prints (an error line, a non-zero exit): when it follows another
   * failure of the same file closely, it is that failure's echo (`Marking task as FAILED` under the
   * traceback) and opens no incident of its own.
   */
  echoes?: boolean;
  /**
   * A framework's report of a failure logged just above it (Airflow's "Marking task as
   * UP_FOR_RETRY", Dagster's RUN_FAILURE): joins that failure's incident without sharing its words.
   */
  summarises?: boolean;
  /** A header whose details follow on the next lines (dbt's "Database Error in model X"): the record just below joins its incident. */
  introduces?: boolean;
  /** Fires only when the learned line scorer also reads the record as a failure (src/detect/line-scorer.ts). */
  scored?: boolean;
}

export interface RulePack {
  name: string;
  description: string;
  rules: PackRule[];
}

/** Levels that never carry a failure on their own (a retry notice at INFO is not an incident). */
const QUIET_LEVELS: MatchExpr = { not: { level: ['trace', 'debug', 'info'] } };

export interface PackRuleSpec {
  id: string;
  description: string;
  severity: Severity;
  priority: number;
  match: MatchExpr;
  hint?: string;
  /** Match at any level; by default records logged at trace/debug/info are ignored. */
  anyLevel?: boolean;
  fingerprint?: string;
  /** See PackRule.echoes. */
  echoes?: boolean;
  /** Open an incident only once the rule matched this often in the window (a client's repeated warning). */
  threshold?: { count: number; window_secs: number };
  /** See PackRule.summarises. */
  summarises?: boolean;
  /** See PackRule.introduces. */
  introduces?: boolean;
  /** See PackRule.scored. */
  scored?: boolean;
  /** The rule reports a failed attempt on purpose (Airflow's UP_FOR_RETRY): a retry notice does not veto it (coping.ts). */
  reportsRetries?: boolean;
}

export function packRule(pack: string, spec: PackRuleSpec): PackRule {
  const rule: PackRule = {
    id: `${pack}.${spec.id}`,
    description: spec.description,
    enabled: true,
    // The veto last: its regex runs only on records the rule matched.
    match: { all: [...(spec.anyLevel ? [] : [QUIET_LEVELS]), spec.match, ...(spec.reportsRetries ? [] : [{ not: RETRY_NOTICE }])] },
    severity: spec.severity,
    labels: { pack },
    priority: spec.priority,
  };
  if (spec.hint !== undefined) rule.hint = spec.hint;
  if (spec.fingerprint !== undefined) rule.fingerprint = spec.fingerprint;
  if (spec.echoes) rule.echoes = true;
  if (spec.threshold !== undefined) rule.threshold = { ...spec.threshold };
  if (spec.summarises) rule.summarises = true;
  if (spec.introduces) rule.introduces = true;
  if (spec.scored) rule.scored = true;
  return rule;
}
