// From a schema-valid value to the complete SentinelConfig. Validation (validate-schema.ts) has
// already filled every constant default of the definition; what is left here are the defaults
// that depend on other keys or the environment, each marked `defaultInWords` in
// config-definition.ts, and the two shapes the file may write more loosely than the stages read.
import { hostname } from 'node:os';
import { SlackDestination } from './config-definition.js';
import type { SentinelConfig, SlackDestinationConfig, SourceConfig } from './config-types.js';

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/** The file after schema validation with defaults: constant defaults set, computed ones not yet. */
export type SchemaFilledConfig = Omit<SentinelConfig, 'file' | 'sources' | 'lists' | 'notify' | 'fleet'> & {
  fleet: Optional<SentinelConfig['fleet'], 'member'>;
  sources: Optional<SourceConfig, 'name'>[];
  lists: Record<string, (string | number | boolean)[]>;
  notify: Omit<SentinelConfig['notify'], 'console' | 'slack'> & {
    console?: boolean;
    slack?: Optional<SlackDestinationConfig, 'name'> | Optional<SlackDestinationConfig, 'name'>[];
  };
};

function notify(raw: SchemaFilledConfig['notify'], env: NodeJS.ProcessEnv): SentinelConfig['notify'] {
  const list = raw.slack === undefined ? [] : Array.isArray(raw.slack) ? raw.slack : [raw.slack];
  const slack: SlackDestinationConfig[] = [];
  list.forEach((d, i) => {
    // A destination whose webhook / token variable is unset is off (see interpolate-env.ts).
    if (d.webhook_url === undefined && d.bot_token === undefined) return;
    slack.push({ ...d, name: d.name ?? (i === 0 ? 'slack' : `slack-${i + 1}`) });
  });
  // With nothing in the file, SLACK_WEBHOOK_URL alone is enough (DESIGN.md: read from the environment).
  if (raw.slack === undefined && env.SLACK_WEBHOOK_URL) {
    slack.push({ name: 'slack', webhook_url: env.SLACK_WEBHOOK_URL, rate_per_sec: SlackDestination.properties.rate_per_sec.default as number });
  }
  // The console is the fallback: on when no other destination is set.
  return { ...raw, console: raw.console ?? (slack.length === 0 && raw.webhooks.length === 0 && raw.alertmanager === undefined), slack };
}

export function fillDefaults(raw: SchemaFilledConfig, file: string, env: NodeJS.ProcessEnv): SentinelConfig {
  const gemini = { ...raw.brain.gemini };
  const apiKey = gemini.api_key ?? (env.GOOGLE_API_KEY || env.GEMINI_API_KEY || undefined);
  if (apiKey !== undefined) gemini.api_key = apiKey;
  return {
    ...raw,
    file,
    sources: raw.sources.map((s, i) => ({ ...s, name: s.name ?? `source-${i + 1}` })),
    lists: Object.fromEntries(Object.entries(raw.lists).map(([k, v]) => [k, v.map(String)])),
    notify: notify(raw.notify, env),
    brain: { ...raw.brain, gemini },
    fleet: { ...raw.fleet, member: raw.fleet.member ?? hostname() },
  };
}
