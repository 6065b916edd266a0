// The error catalogue: every error Sentinel raises on purpose has a code listed here once, and a
// row in the README's troubleshooting table (a test keeps the two in step).

export const ERROR_CODES = {
  SENTINEL_ERR_CONFIG_INVALID: 'The configuration file is not valid.',
  SENTINEL_ERR_CONFIG_NOT_FOUND: 'The configuration file does not exist or cannot be read.',
  SENTINEL_ERR_RULE_TEST_FAILED: 'A rule test did not produce the expected incidents.',
  SENTINEL_ERR_RULE_TEST_INVALID: 'A rule-test file (or a rule file it names) cannot be run: YAML, an unknown key, a missing field.',
  SENTINEL_ERR_BRAIN_UNAVAILABLE: 'The remote brain did not answer; the built-in analyser answered instead.',
  SENTINEL_ERR_GEMINI_FAILED: 'The Gemini call failed or returned invalid output; the built-in analyser answered instead.',
  SENTINEL_ERR_LLM_FAILED: 'A call to an LLM engine other than Gemini (OpenAI-compatible) failed or returned invalid output; the built-in analyser answered instead.',
  SENTINEL_ERR_SLACK_PERMANENT: 'Slack refused the alert permanently (bad URL, archived channel, revoked token).',
  SENTINEL_ERR_SLACK_TRANSIENT: 'Slack was unreachable or rate limited; the alert stays in the outbox and is retried.',
  SENTINEL_ERR_DELIVERY_PERMANENT: 'A destination other than Slack (a webhook, Alertmanager) refused the alert permanently (4xx, a redirect, a bad URL).',
  SENTINEL_ERR_DELIVERY_TRANSIENT: 'A destination other than Slack was unreachable, failing (5xx) or rate limited; the alert stays in the outbox and is retried.',
  SENTINEL_ERR_STATE_DIR: 'The state directory cannot be created or written.',
  SENTINEL_ERR_STATE_CORRUPT: 'A state file (checkpoints, incidents, outbox entry, Slack threads) is damaged; it is kept for inspection and what can be salvaged is used.',
  SENTINEL_ERR_SOURCE_READ: 'A log file could not be read.',
  SENTINEL_ERR_TOO_MANY_FILES: 'More files match a source than its max_files allows; the extra ones are not followed.',
  SENTINEL_ERR_USAGE: 'The command line is wrong: an unknown option or command, a missing or extra argument, a bad value.',
  SENTINEL_ERR_FILE_NOT_FOUND: 'A file or glob named on the command line matches nothing readable.',
  SENTINEL_ERR_STATE_LOCKED: 'Another agent is running on the same state directory.',
  SENTINEL_ERR_PORT_IN_USE: 'The agent or brain port is already taken by another process.',
  SENTINEL_ERR_SILENCE_NOT_FOUND: 'No silence has the id given to `sentinel silence --remove`.',
  SENTINEL_ERR_FLEET_UNAVAILABLE: 'The fleet\'s Redis (fleet.redis_url) is unreachable or slow; agents alert on their own and brains use local state until it answers.',
  SENTINEL_ERR_INTERNAL: 'An unexpected error; SENTINEL_DEBUG=1 prints its stack trace.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class SentinelError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SentinelError';
    this.code = code;
  }
}
