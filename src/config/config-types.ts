// The checked configuration. Keys keep the snake_case of sentinel.yaml, so a key in the file and
// in the code is one name to grep for. `loadConfig` fills every default, so stages never guess.
import type { Severity } from '../types.js';

export interface MultilineConfig {
  /** A record starts at a line matching this; other lines join the record before them. Default: built-in heuristics. */
  start_pattern?: string;
  /** A pending record is flushed when no line has joined it for this long. */
  timeout_ms: number;
  max_lines: number;
  max_bytes: number;
}

export interface SourceConfig {
  name: string;
  paths: string[];
  exclude: string[];
  /** For files never seen before. */
  start_at: 'beginning' | 'end';
  format: 'auto' | 'json' | 'logfmt' | 'text';
  max_line_bytes: number;
  multiline: MultilineConfig;
  /** Stat-polling discovery, for network filesystems where inotify is blind. */
  poll: boolean;
  poll_interval_ms: number;
}

/** A match expression; every key given must hold (an implicit `all`). */
export interface MatchExpr {
  /** On the message (or the whole line for plain text). */
  regex?: string;
  /** On the raw record, JSON included. */
  raw_regex?: string;
  /** Case-insensitive regex flag for `regex` / `raw_regex`. */
  ignore_case?: boolean;
  /** Matches when the level is any of these. */
  level?: string | string[];
  /** Field equality: `{ step: transform_data }`; dotted paths reach nested keys (`error.type`). */
  fields?: Record<string, string | number | boolean | string[]>;
  /** Field regexes. */
  field_regex?: Record<string, string>;
  /** Value is in a named list: `{ field: list_name }`. */
  in_list?: Record<string, string>;
  /** A named macro from `macros`. */
  macro?: string;
  /** The record carries an error object (JSON `error`, a parsed stack trace). */
  has_error?: boolean;
  all?: MatchExpr[];
  any?: MatchExpr[];
  not?: MatchExpr;
}

export interface ThresholdConfig {
  count: number;
  window_secs: number;
  group_by?: string[];
}

export interface RuleConfig {
  id: string;
  description?: string;
  enabled: boolean;
  match: MatchExpr;
  unless?: MatchExpr;
  severity: Severity;
  labels: Record<string, string>;
  /** Template over fields: `{{pipeline}}:{{step}}:{{error.type}}`. Default: rule + normalised message. */
  fingerprint?: string;
  threshold?: ThresholdConfig;
  cooldown_secs?: number;
  runbook?: string;
  hint?: string;
}

export interface IncidentsConfig {
  /** An open incident with no new match for this long resolves. */
  resolve_after_secs: number;
  /** Default re-alert interval for repeats of an open incident. */
  cooldown_secs: number;
  /** Records that close the open incidents of their pipeline/step (e.g. run_succeeded). */
  success_match?: MatchExpr;
  /**
   * A storm is a rate: new incidents are alerted one by one while they arrive no faster than
   * `rate_per_sec` (bursts of up to `max_individual_alerts`); beyond that they wait at most
   * `window_secs` for one digest; while a storm lasts each window doubles, up to `max_window_secs`.
   */
  storm: { window_secs: number; max_individual_alerts: number; max_window_secs?: number; rate_per_sec?: number };
  /**
   * Before a new incident is diagnosed, the lines its file prints next are awaited (the rest of a
   * failure's report: a "Task failed" summary, a driver stacktrace): at most `max_lines`, until the
   * file has been quiet for `quiet_ms`, and never longer than `max_wait_ms`. `max_lines: 0`: no wait.
   */
  lines_after: { max_lines: number; quiet_ms: number; max_wait_ms: number };
  max_tracked: number;
}

export interface SlackDestinationConfig {
  name: string;
  webhook_url?: string;
  /** Bot-token mode (chat.postMessage, threads): token and channel. */
  bot_token?: string;
  channel?: string;
  /** Web API base URL; for tests and proxies. */
  api_url?: string;
  /** Routing: the destination takes alerts whose severity is in this list (all when absent)… */
  severities?: Severity[];
  /** …and whose rule labels include these. */
  labels?: Record<string, string>;
  /** Messages per second allowed (Slack's rule: about one). */
  rate_per_sec: number;
}

/** A generic webhook: each alert POSTed as JSON (README "Generic webhooks"). */
export interface WebhookDestinationConfig {
  name: string;
  url: string;
  /** Signs each request (HMAC-SHA256 over the timestamp and the raw body) when set. */
  secret?: string;
  severities?: Severity[];
  labels?: Record<string, string>;
  /** Requests per second allowed. */
  rate_per_sec: number;
}

/** Alertmanager's API v2, every peer of an HA cluster (README "Alertmanager"). */
export interface AlertmanagerConfig {
  /** Outbox folder and metric label. */
  name: string;
  /** Base URLs of every peer (`http://alertmanager-0:9093`); each gets every alert. */
  urls: string[];
  /** Open incidents are re-sent this often; each send keeps them firing for four intervals. */
  resend_interval_secs: number;
  severities?: Severity[];
  labels?: Record<string, string>;
}

export interface NotifyConfig {
  /** Print each alert to stdout (Slack-like rendering). Default: on when no other destination is set. */
  console: boolean;
  slack: SlackDestinationConfig[];
  webhooks: WebhookDestinationConfig[];
  alertmanager?: AlertmanagerConfig;
  /** Back-off cap for retries of transient failures. */
  max_retry_delay_ms: number;
}

export interface GeminiConfig {
  api_key?: string;
  model: string;
  base_url?: string;
  timeout_ms: number;
  daily_call_budget: number;
  max_input_tokens: number;
}

/** Any server speaking OpenAI's chat completions (Ollama, vLLM, LM Studio, llama.cpp, LiteLLM). */
export interface OpenAiConfig {
  /** Up to the version prefix, e.g. http://ollama:11434/v1; on when it and `model` are set. */
  base_url?: string;
  api_key?: string;
  model?: string;
  timeout_ms: number;
  daily_call_budget: number;
  max_input_tokens: number;
}

export interface BrainConfig {
  /** `embedded`, or the URL of a shared brain service. */
  url: string;
  /** Hard budget for one diagnosis, whatever the engine; after it the built-in answer is used. */
  timeout_ms: number;
  auth_token?: string;
  gemini: GeminiConfig;
  openai: OpenAiConfig;
  /** Size at which state_dir/llm-audit.jsonl rotates (one generation kept); 0 turns the audit off. */
  audit_max_bytes: number;
}

export interface RedactPattern {
  name: string;
  regex: string;
  replacement?: string;
}

export interface SentinelConfig {
  /** The file it was loaded from (for messages), or '<embedded>'. */
  file: string;
  sources: SourceConfig[];
  rules: RuleConfig[];
  macros: Record<string, MatchExpr>;
  lists: Record<string, string[]>;
  /** Built-in rule packs by name; absent means on. */
  packs: Record<string, boolean>;
  incidents: IncidentsConfig;
  redact: { patterns: RedactPattern[] };
  state_dir: string;
  server: { port: number; host: string };
  notify: NotifyConfig;
  brain: BrainConfig;
}
