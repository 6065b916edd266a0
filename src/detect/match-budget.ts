// In the live agent a record may spend at most MATCH_BUDGET_MS in the rules. A JavaScript regex cannot be stopped
// mid-run, so the budget is checked between rules: once a record has used it up, its remaining
// rules are not tried; the matches found so far travel with the error, so the caller still alerts
// on them, and counts and logs the record. What bounds a single regex run
// is V8's linear-time fallback (cli/linear-regex-fallback.ts) and the static check at config load.
import type { Match } from '../types.js';

// Far above a normal record's cost (microseconds) so that a GC pause on a busy host never trips it.
export const MATCH_BUDGET_MS = 500;

export class MatchBudgetExceeded extends Error {
  constructor(
    readonly rule: string,
    readonly elapsedMs: number,
    readonly matches: Match[],
    budgetMs: number,
  ) {
    super(`matching took ${Math.round(elapsedMs)} ms (budget ${budgetMs} ms), last rule "${rule}"`);
    this.name = 'MatchBudgetExceeded';
  }
}

/** Throws MatchBudgetExceeded once more than `budgetMs` has passed since `startedAt` (performance.now()). */
export function checkMatchBudget(startedAt: number, budgetMs: number, rule: string, matches: Match[]): void {
  const elapsed = performance.now() - startedAt;
  if (elapsed > budgetMs) throw new MatchBudgetExceeded(rule, elapsed, matches, budgetMs);
}

/** Runs `match`, and turns a used-up budget into the matches found before it plus the reason. */
export function matchWithinBudget(match: () => Match[]): { matches: Match[]; overBudget?: MatchBudgetExceeded } {
  try {
    return { matches: match() };
  } catch (err) {
    if (err instanceof MatchBudgetExceeded) return { matches: err.matches, overBudget: err };
    throw err;
  }
}
