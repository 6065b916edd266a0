// The console as a destination: a readable rendering of every alert on stdout (`notify.console`,
// on by default when nothing else is configured). Immediate: printed as the alert is sent, with no
// outbox, since a write to our own stdout has nothing to wait for and nothing to retry.
import type { NotifyConfig } from '../../config/config-types.js';
import type { Destination, DestinationContext } from '../destination.js';
import { renderConsole } from '../slack-message.js';

export function createConsoleDestination(ctx: DestinationContext): Destination<string> {
  return {
    name: 'console',
    label: 'Console',
    describe: 'printed on stdout',
    ratePerSec: Infinity,
    immediate: true,
    wants: () => true,
    render: (alert) => [{ key: alert.key, payload: renderConsole(alert, ctx.redactor) }],
    post(record) {
      try {
        ctx.consoleOut.write(record.message);
        return Promise.resolve({ outcome: 'ok', detail: 'printed' });
      } catch (err) {
        return Promise.resolve({ outcome: 'permanent', reason: 'write_failed', detail: String(err) });
      }
    },
    isPayload: (payload): payload is string => typeof payload === 'string',
    salvage: (notice) => `${notice.text}\n`,
  };
}

export function consoleDestinations(config: NotifyConfig, ctx: DestinationContext): Destination[] {
  return config.console ? [createConsoleDestination(ctx) as Destination] : [];
}
