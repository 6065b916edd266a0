// The one list of destination types. Each turns its part of `notify` into destinations; the notifier,
// `sentinel notify-test` and `sentinel outbox retry` work from the list and never name a type.
// Adding a destination: its file in destinations/, one line here, its config block (README
// "Extending Sentinel › A new destination").
import type { NotifyConfig } from '../config/config-types.js';
import { silentLogger } from '../log.js';
import { createMetrics } from '../metrics/metrics.js';
import { createRedactor } from '../redact/redactor.js';
import type { Destination, DestinationContext } from './destination.js';
import { alertmanagerDestinations } from './destinations/alertmanager.js';
import { consoleDestinations } from './destinations/console.js';
import { slackDestinations } from './destinations/slack.js';
import { webhookDestinations } from './destinations/webhook.js';

export type DestinationFactory = (config: NotifyConfig, ctx: DestinationContext) => Destination[];

/** In delivery order of a new alert: the console first (it prints at once), then the queued ones. */
export const DESTINATION_TYPES: ReadonlyArray<{ type: string; build: DestinationFactory }> = [
  { type: 'console', build: consoleDestinations },
  { type: 'slack', build: slackDestinations },
  { type: 'webhooks', build: webhookDestinations },
  { type: 'alertmanager', build: alertmanagerDestinations },
];

/** Every configured destination; names are unique across types (each owns `state_dir/outbox/<name>`). */
export function buildDestinations(config: NotifyConfig, ctx: DestinationContext): Destination[] {
  const out: Destination[] = [];
  const typeOf = new Map<string, string>();
  for (const { type, build } of DESTINATION_TYPES) {
    for (const dest of build(config, ctx)) {
      const first = typeOf.get(dest.name);
      if (first !== undefined) throw new Error(`notify.${type}: destination name "${dest.name}" is already used by notify.${first}`);
      typeOf.set(dest.name, type);
      out.push(dest);
    }
  }
  return out;
}

/** The outbox folders the config has (immediate destinations have none); builds, never starts, them. */
export function outboxDestinationNames(config: NotifyConfig, stateDir: string): string[] {
  const ctx: DestinationContext = {
    stateDir,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: silentLogger(),
    redactor: createRedactor(),
    timeoutMs: 1000,
    consoleOut: process.stdout,
    now: Date.now,
  };
  return buildDestinations(config, ctx)
    .filter((d) => !d.immediate)
    .map((d) => d.name);
}
