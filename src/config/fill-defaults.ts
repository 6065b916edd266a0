// From a schema-valid value to the complete SentinelConfig: every default filled, so no stage guesses.
import type {
  AlertmanagerConfig,
  BrainConfig,
  IncidentsConfig,
  MatchExpr,
  NotifyConfig,
  RuleConfig,
  SentinelConfig,
  SlackDestinationConfig,
  WebhookDestinationConfig,
  SourceConfig,
} from './config-types.js';
import { DEFAULT_SOURCE_PATHS, DEFAULT_SUCCESS_MATCH, DEFAULTS } from './defaults.js';
import type { Severity } from '../types.js';

// The raw file, as the schema guarantees it (every key optional).
interface RawSource {
  name?: string;
  paths: string[];
  exclude?: string[];
  start_at?: SourceConfig['start_at'];
  format?: SourceConfig['format'];
  max_line_bytes?: number;
  multiline?: Partial<SourceConfig['multiline']>;
  poll?: boolean;
  poll_interval_ms?: number;
}
type RawRule = Omit<RuleConfig, 'enabled' | 'severity' | 'labels'> & { enabled?: boolean; severity?: Severity; labels?: Record<string, string> };
type RawSlack = Partial<SlackDestinationConfig>;
type RawWebhook = Omit<WebhookDestinationConfig, 'rate_per_sec'> & { rate_per_sec?: number };
export interface RawConfig {
  sources?: RawSource[];
  rules?: RawRule[];
  macros?: Record<string, MatchExpr>;
  lists?: Record<string, (string | number | boolean)[]>;
  packs?: Record<string, boolean>;
  incidents?: Partial<Omit<IncidentsConfig, 'storm' | 'lines_after'>> & { storm?: Partial<IncidentsConfig['storm']>; lines_after?: Partial<IncidentsConfig['lines_after']> };
  redact?: { patterns?: SentinelConfig['redact']['patterns'] };
  state_dir?: string;
  server?: Partial<SentinelConfig['server']>;
  notify?: {
    console?: boolean;
    slack?: RawSlack | RawSlack[];
    webhooks?: RawWebhook[];
    alertmanager?: Pick<AlertmanagerConfig, 'urls'> & Partial<AlertmanagerConfig>;
    max_retry_delay_ms?: number;
  };
  brain?: Partial<Omit<BrainConfig, 'gemini' | 'openai'>> & { gemini?: Partial<BrainConfig['gemini']>; openai?: Partial<BrainConfig['openai']> };
}

function source(raw: RawSource, index: number): SourceConfig {
  const d = DEFAULTS.source;
  const out: SourceConfig = {
    name: raw.name ?? `source-${index + 1}`,
    paths: [...raw.paths],
    exclude: [...(raw.exclude ?? [])],
    start_at: raw.start_at ?? d.start_at,
    format: raw.format ?? d.format,
    max_line_bytes: raw.max_line_bytes ?? d.max_line_bytes,
    multiline: {
      timeout_ms: raw.multiline?.timeout_ms ?? d.multiline.timeout_ms,
      max_lines: raw.multiline?.max_lines ?? d.multiline.max_lines,
      max_bytes: raw.multiline?.max_bytes ?? d.multiline.max_bytes,
    },
    poll: raw.poll ?? d.poll,
    poll_interval_ms: raw.poll_interval_ms ?? d.poll_interval_ms,
  };
  if (raw.multiline?.start_pattern !== undefined) out.multiline.start_pattern = raw.multiline.start_pattern;
  return out;
}

function rule(raw: RawRule): RuleConfig {
  return {
    ...raw,
    enabled: raw.enabled ?? DEFAULTS.rule.enabled,
    severity: raw.severity ?? DEFAULTS.rule.severity,
    labels: { ...(raw.labels ?? {}) },
  };
}

function notify(raw: RawConfig['notify'], env: NodeJS.ProcessEnv): NotifyConfig {
  const list = raw?.slack === undefined ? [] : Array.isArray(raw.slack) ? raw.slack : [raw.slack];
  const slack: SlackDestinationConfig[] = [];
  list.forEach((d, i) => {
    // A destination whose webhook / token variable is unset is off (see interpolate-env.ts).
    if (d.webhook_url === undefined && d.bot_token === undefined) return;
    slack.push({ ...d, name: d.name ?? (i === 0 ? 'slack' : `slack-${i + 1}`), rate_per_sec: d.rate_per_sec ?? DEFAULTS.slack.rate_per_sec });
  });
  // With nothing in the file, SLACK_WEBHOOK_URL alone is enough (DESIGN.md: read from the environment).
  if (raw?.slack === undefined && env.SLACK_WEBHOOK_URL) {
    slack.push({ name: 'slack', webhook_url: env.SLACK_WEBHOOK_URL, rate_per_sec: DEFAULTS.slack.rate_per_sec });
  }
  const webhooks = (raw?.webhooks ?? []).map((d) => ({ ...d, rate_per_sec: d.rate_per_sec ?? DEFAULTS.webhook.rate_per_sec }));
  const am = raw?.alertmanager;
  const alertmanager: AlertmanagerConfig | undefined = am
    ? { ...am, name: am.name ?? DEFAULTS.alertmanager.name, urls: [...am.urls], resend_interval_secs: am.resend_interval_secs ?? DEFAULTS.alertmanager.resend_interval_secs }
    : undefined;
  return {
    console: raw?.console ?? (slack.length === 0 && webhooks.length === 0 && !alertmanager),
    slack,
    webhooks,
    ...(alertmanager ? { alertmanager } : {}),
    max_retry_delay_ms: raw?.max_retry_delay_ms ?? DEFAULTS.notify.max_retry_delay_ms,
  };
}

function brain(raw: RawConfig['brain'], env: NodeJS.ProcessEnv): BrainConfig {
  const d = DEFAULTS.brain;
  const g = raw?.gemini ?? {};
  const o = raw?.openai ?? {};
  const out: BrainConfig = {
    url: raw?.url ?? d.url,
    timeout_ms: raw?.timeout_ms ?? d.timeout_ms,
    gemini: {
      model: g.model ?? d.gemini.model,
      timeout_ms: g.timeout_ms ?? d.gemini.timeout_ms,
      daily_call_budget: g.daily_call_budget ?? d.gemini.daily_call_budget,
      max_input_tokens: g.max_input_tokens ?? d.gemini.max_input_tokens,
    },
    openai: {
      timeout_ms: o.timeout_ms ?? d.openai.timeout_ms,
      daily_call_budget: o.daily_call_budget ?? d.openai.daily_call_budget,
      max_input_tokens: o.max_input_tokens ?? d.openai.max_input_tokens,
    },
    audit_max_bytes: raw?.audit_max_bytes ?? d.audit_max_bytes,
  };
  if (raw?.auth_token !== undefined) out.auth_token = raw.auth_token;
  const apiKey = g.api_key ?? (env.GOOGLE_API_KEY || env.GEMINI_API_KEY || undefined);
  if (apiKey !== undefined) out.gemini.api_key = apiKey;
  if (g.base_url !== undefined) out.gemini.base_url = g.base_url;
  // Set or absent as written: an unset ${VAR} removed the key, which leaves the engine off.
  for (const key of ['base_url', 'api_key', 'model'] as const) if (o[key] !== undefined) out.openai[key] = o[key];
  return out;
}

export function fillDefaults(raw: RawConfig, file: string, env: NodeJS.ProcessEnv): SentinelConfig {
  const inc = raw.incidents ?? {};
  const d = DEFAULTS.incidents;
  return {
    file,
    sources: (raw.sources ?? [{ name: 'logs', paths: DEFAULT_SOURCE_PATHS }]).map(source),
    rules: (raw.rules ?? []).map(rule),
    macros: { ...(raw.macros ?? {}) },
    lists: Object.fromEntries(Object.entries(raw.lists ?? {}).map(([k, v]) => [k, v.map(String)])),
    packs: { ...(raw.packs ?? {}) },
    incidents: {
      resolve_after_secs: inc.resolve_after_secs ?? d.resolve_after_secs,
      cooldown_secs: inc.cooldown_secs ?? d.cooldown_secs,
      success_match: inc.success_match ?? structuredClone(DEFAULT_SUCCESS_MATCH),
      storm: {
        window_secs: inc.storm?.window_secs ?? d.storm.window_secs,
        max_individual_alerts: inc.storm?.max_individual_alerts ?? d.storm.max_individual_alerts,
        max_window_secs: inc.storm?.max_window_secs ?? d.storm.max_window_secs,
        rate_per_sec: inc.storm?.rate_per_sec ?? d.storm.rate_per_sec,
      },
      lines_after: {
        max_lines: inc.lines_after?.max_lines ?? d.lines_after.max_lines,
        quiet_ms: inc.lines_after?.quiet_ms ?? d.lines_after.quiet_ms,
        max_wait_ms: inc.lines_after?.max_wait_ms ?? d.lines_after.max_wait_ms,
      },
      max_tracked: inc.max_tracked ?? d.max_tracked,
    },
    redact: { patterns: [...(raw.redact?.patterns ?? [])] },
    state_dir: raw.state_dir ?? DEFAULTS.state_dir,
    server: { port: raw.server?.port ?? DEFAULTS.server.port, host: raw.server?.host ?? DEFAULTS.server.host },
    notify: notify(raw.notify, env),
    brain: brain(raw.brain, env),
  };
}
