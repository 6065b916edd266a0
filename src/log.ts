// One logger factory. Log lines put fields first and a short sentence after:
// log.info({ rule, incidentId }, 'Incident opened.')
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; name?: string; to?: 'stdout' | 'stderr' } = {}): Logger {
  const settings = { name: options.name ?? 'sentinel', level: options.level ?? process.env.SENTINEL_LOG_LEVEL ?? 'info' };
  // stderr when stdout carries the command's output (`run --dry-run` prints its alerts there).
  return options.to === 'stderr' ? pino(settings, pino.destination(2)) : pino(settings);
}

/** A logger that writes nothing: the default for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
