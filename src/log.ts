// One logger factory. Log lines put fields first and a short sentence after:
// log.info({ rule, incidentId }, 'Incident opened.')
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({ name: options.name ?? 'sentinel', level: options.level ?? process.env.SENTINEL_LOG_LEVEL ?? 'info' });
}

/** A logger that writes nothing: the default for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
