// In the live agent a record may spend at most MATCH_BUDGET_MS in the rules. A JavaScript regex
// cannot be stopped mid-run, so the budget is checked between rules: once a record has used it up,
// the rules left see only its first HEAD_CHARS (the detector's match), the matches travel with the
// error so the caller still alerts on them, and the record is counted and logged. What bounds a single regex run
// is V8's linear-time fallback (cli/linear-regex-fallback.ts) and the static check at config load.
import type { LogEvent, Match } from '../types.js';

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

/** What the rules left after the budget see: the first HEAD_CHARS of each text. */
export const HEAD_CHARS = 4096;

export function headOf(event: LogEvent): LogEvent {
  const head: LogEvent = { ...event, raw: event.raw.slice(0, HEAD_CHARS), message: event.message.slice(0, HEAD_CHARS) };
  if (event.error) {
    head.error = { ...event.error, message: event.error.message.slice(0, HEAD_CHARS) };
    if (event.error.rawStack !== undefined) head.error.rawStack = event.error.rawStack.slice(0, HEAD_CHARS);
  }
  return head;
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
