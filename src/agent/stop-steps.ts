// Shutdown as a list of steps, each with its own deadline. A step that fails or overruns is logged
// and left behind; the steps after it run anyway, so a full disk or a dead Slack can never keep
// the HTTP server open or the process alive (SIGTERM must end the agent within seconds).
import type { Logger } from '../log.js';

export interface StopStep {
  name: string;
  /** Longest this step may take, in ms; it gets less when the overall deadline is nearer. */
  maxMs: number;
  /** It still gets this long when earlier steps used up the overall deadline. */
  floorMs: number;
  run: (budgetMs: number) => Promise<unknown>;
}

export async function runStopSteps(steps: StopStep[], deadlineMs: number, logger: Logger, now: () => number = Date.now): Promise<void> {
  const deadline = now() + deadlineMs;
  for (const step of steps) {
    const budget = Math.max(step.floorMs, Math.min(step.maxMs, deadline - now()));
    let timer: NodeJS.Timeout | undefined;
    const overran = new Promise<'overran'>((resolve) => {
      timer = setTimeout(() => resolve('overran'), budget);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(() => step.run(budget)), overran]);
      if (outcome === 'overran') logger.warn({ step: step.name, budgetMs: budget }, 'Shutdown step overran its deadline; going on without it.');
    } catch (err) {
      logger.error({ step: step.name, err }, 'Shutdown step failed; going on with the next.');
    } finally {
      clearTimeout(timer);
    }
  }
}
