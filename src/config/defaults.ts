// Every default in one place: what a key means when sentinel.yaml leaves it out. The schema's
// descriptions repeat these numbers for editor hover; a test keeps the two in step.
import type { MatchExpr } from './config-types.js';

export const DEFAULTS = {
  source: {
    start_at: 'end',
    format: 'auto',
    max_line_bytes: 262_144,
    multiline: { timeout_ms: 200, max_lines: 500, max_bytes: 1_048_576 },
    poll: false,
    poll_interval_ms: 1000,
  },
  rule: { severity: 'error', enabled: true },
  state_dir: '.sentinel-state',
  server: { port: 9464, host: '0.0.0.0' },
  incidents: {
    resolve_after_secs: 1800,
    cooldown_secs: 3600,
    // Short first window: a distinct failure held for a digest still reaches Slack within seconds.
    // Slack's webhook takes about one message a second: faster than that, new incidents are a storm.
    storm: { window_secs: 5, max_individual_alerts: 3, max_window_secs: 300, rate_per_sec: 1 },
    // A failing program prints the rest of its report within milliseconds; the alert waits at most
    // 1.5 s for it (docs/adr/0008-wait-for-the-lines-after-a-failure.md).
    lines_after: { max_lines: 40, quiet_ms: 1000, max_wait_ms: 1500 },
    max_tracked: 10_000,
  },
  notify: { max_retry_delay_ms: 60_000 },
  slack: { rate_per_sec: 1 },
  webhook: { rate_per_sec: 10 },
  alertmanager: { name: 'alertmanager', resend_interval_secs: 60 },
  brain: {
    url: 'embedded',
    timeout_ms: 8000,
    gemini: { model: 'gemini-flash-lite-latest', timeout_ms: 7000, daily_call_budget: 500, max_input_tokens: 6000 },
    openai: { timeout_ms: 7000, daily_call_budget: 500, max_input_tokens: 6000 },
    audit_max_bytes: 10_485_760,
  },
} as const;

/** What `sentinel run` tails with no config file: the demo pipeline writes logs/aio_pipeline.log. */
export const DEFAULT_SOURCE_PATHS = ['./logs/*.log'];

/**
 * Success records: a run or step that finished well resolves the open incidents of its
 * pipeline/step. Event names as the demo, Dagster and common structured loggers write them, and
 * Airflow's task-runner lines. Never an error record, whatever its text says.
 */
export const DEFAULT_SUCCESS_MATCH: MatchExpr = {
  all: [
    { not: { level: ['error', 'fatal'] } },
    {
      any: [
        {
          fields: {
            event: [
              'run_succeeded',
              'run_success',
              'pipeline_succeeded',
              'job_succeeded',
              'step_succeeded',
              'step_success',
              'task_succeeded',
              'RUN_SUCCESS',
              'STEP_SUCCESS',
            ],
          },
        },
        { fields: { dagster_event_type: ['RUN_SUCCESS', 'STEP_SUCCESS', 'PIPELINE_SUCCESS'] } },
        { regex: String.raw`\b(?:RUN_SUCCESS|STEP_SUCCESS|PIPELINE_SUCCESS)\b|Task exited with return code 0\b|Marking task as SUCCESS` },
      ],
    },
  ],
};

/**
 * Keys whose `${VAR}` may stay unset: the key is then absent (no Slack destination, no Gemini key,
 * no token). Anywhere else an unset variable without `:-default` is a config error.
 */
export const OPTIONAL_SECRET_KEYS = new Set(['webhook_url', 'bot_token', 'api_key', 'auth_token', 'base_url', 'api_url']);
