// THE definition of sentinel.yaml: every key, its type, its constraints, its default and what it
// means, in one place. From it come the TypeScript types (config-types.ts), the JSON Schema that
// validates the file and fills the defaults (published-schema.ts, also written to
// schema/sentinel.schema.json for editors by `npm run schema`) and the README's configuration
// reference. Checks a schema cannot express (duplicate ids, regexes, references) are in
// check-semantics.ts; defaults computed from other keys or the environment in fill-defaults.ts.
//
// The types describe the *complete* config the stages see: a key with a `default` (or a
// `derived` default) is always set there, while the file may leave it out. To add a key: add it
// here with its description and default, run `npm run schema`, and read it from the typed config.
// Descriptions are written for the user (they show on hover and in the README); "Default N." is
// appended from the `default` itself, so a number is written once.
import { Type, type Static } from '@sinclair/typebox';
import { defaultInWords, described, map, oneOrList, oneOrListAsList, ref, section, strictObject, stringEnum } from './schema-builders.js';

const { Optional } = Type;

export const Name = Type.String({ $id: 'name', pattern: '^[A-Za-z0-9_.-]+$' });

export const SeveritySchema = stringEnum(['critical', 'error', 'warning', 'info'], { $id: 'severity', description: 'critical | error | warning | info' });

export const Level = stringEnum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'unknown'], { $id: 'level' });

export const FieldValue = Type.Unsafe<string | number | boolean>({ $id: 'fieldValue', type: ['string', 'number', 'boolean'] });

/** The built-in rule packs by name (detect/packs/index.ts; a test keeps the two lists equal). */
export const PACK_NAMES_IN_CONFIG = ['generic', 'python', 'node', 'jvm', 'go', 'postgresql', 'dagster', 'airflow', 'dbt', 'cloud', 'kubernetes'] as const;

/** A match expression; every key given must hold (an implicit `all`). */
export const Match = Type.Recursive(
  (This) =>
    strictObject(
      {
        regex: Optional(Type.String({ minLength: 1, description: 'JavaScript regex on the message (the whole record for plain text), and on the error (type: message + stack) when the record carries one.' })),
        raw_regex: Optional(Type.String({ minLength: 1, description: 'JavaScript regex on the raw record, JSON included.' })),
        ignore_case: Optional(Type.Boolean({ description: 'Case-insensitive regex / raw_regex / field_regex.' })),
        level: Optional(oneOrList(ref(Level), { minItems: 1, description: "The record's normalised level is any of these." })),
        fields: Optional(map(oneOrList(ref(FieldValue), { minItems: 1 }), { minProperties: 1, description: 'Field equality (a list: any of); dotted paths reach nested keys (error.type).' })),
        field_regex: Optional(map(Type.String({ minLength: 1 }), { minProperties: 1, description: 'Regex on field values.' })),
        in_list: Optional(map(ref(Name), { minProperties: 1, description: "The field's value is in a named list: { FIELD: LIST }." })),
        macro: Optional(ref(Name, { description: 'A named macro from `macros`.' })),
        has_error: Optional(Type.Boolean({ description: 'The record carries an error object or a parsed stack trace (true), or none (false).' })),
        all: Optional(Type.Array(This, { minItems: 1, description: 'Every one of these holds.' })),
        any: Optional(Type.Array(This, { minItems: 1, description: 'At least one of these holds.' })),
        not: Optional(described(This, 'This does not hold.')),
      },
      { minProperties: 1 },
    ),
  { $id: 'match', description: 'Every key given must hold (an implicit `all`).' },
);

/**
 * Success records: a run or step that finished well resolves the open incidents of its
 * pipeline/step. Event names as the demo, Dagster and common structured loggers write them, and
 * Airflow's task-runner lines. Never an error record, whatever its text says.
 */
const DEFAULT_SUCCESS_MATCH: Static<typeof Match> = {
  all: [
    { not: { level: ['error', 'fatal'] } },
    {
      any: [
        {
          fields: {
            event: ['run_succeeded', 'run_success', 'pipeline_succeeded', 'job_succeeded', 'step_succeeded', 'step_success', 'task_succeeded', 'RUN_SUCCESS', 'STEP_SUCCESS'],
          },
        },
        { fields: { dagster_event_type: ['RUN_SUCCESS', 'STEP_SUCCESS', 'PIPELINE_SUCCESS'] } },
        { regex: String.raw`\b(?:RUN_SUCCESS|STEP_SUCCESS|PIPELINE_SUCCESS)\b|Task exited with return code 0\b|Marking task as SUCCESS` },
      ],
    },
  ],
};

export const Multiline = section('How lines join into one record (stack traces).', {
  start_pattern: Optional(defaultInWords(Type.String({ minLength: 1, description: 'A record starts at a line matching this regex; other lines join the record before.' }), 'built-in heuristics')),
  timeout_ms: Type.Integer({ minimum: 1, default: 200, description: 'A pending multi-line record is handed on when no line has joined it for this long (it is also the longest a plain-text error line waits before detection).' }),
  max_lines: Type.Integer({ minimum: 1, default: 500, description: 'Lines in one record at most.' }),
  max_bytes: Type.Integer({ minimum: 64, default: 1_048_576, description: 'Bytes in one record at most.' }),
});

export const Source = strictObject(
  {
    name: defaultInWords(ref(Name, { description: 'A label for metrics and alerts.' }), '`source-N`'),
    paths: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Globs of files to follow.' }),
    exclude: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Globs of files to leave alone (e.g. rotated *.gz).' }),
    start_at: stringEnum(['beginning', 'end'], { default: 'end', description: 'Where to start in a file never seen before; files that appear while running are read from 0.' }),
    format: stringEnum(['auto', 'json', 'logfmt', 'text'], { default: 'auto', description: 'How lines are parsed.' }),
    max_line_bytes: Type.Integer({ minimum: 64, default: 262_144, description: 'Longer lines are cut and counted.' }),
    multiline: Multiline,
    poll: Type.Boolean({ default: false, description: 'Stat-polling discovery, for network filesystems where inotify is blind.' }),
    poll_interval_ms: Type.Integer({ minimum: 10, default: 1000, description: 'How often polling discovery looks.' }),
    max_files: Type.Integer({
      minimum: 1,
      default: 10_000,
      description: 'Files followed at most; matching files beyond it are left alone (newest first are followed) with one warning (SENTINEL_ERR_TOO_MANY_FILES).',
    }),
  },
  { $id: 'source' },
);

export const Threshold = strictObject(
  {
    count: Type.Integer({ minimum: 1, description: 'Matches needed.' }),
    window_secs: Type.Number({ exclusiveMinimum: 0, description: 'Within this many seconds.' }),
    group_by: Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Count per these fields instead of per fingerprint.' })),
  },
  { description: 'Open the incident only after `count` matches within `window_secs`.' },
);

export const Rule = strictObject(
  {
    id: ref(Name, { description: 'Unique rule id (labels metrics and alerts).' }),
    description: Optional(Type.String({ description: 'What the rule catches, for people (alerts, `sentinel check`).' })),
    enabled: Type.Boolean({ default: true, description: '`false` switches the rule off (it is still checked).' }),
    match: ref(Match, { description: 'What the rule matches.' }),
    unless: Optional(ref(Match, { description: 'Known noise: a record matching this does not fire the rule.' })),
    severity: ref(SeveritySchema, { default: 'error', description: 'How bad a match is: shown in the alert, and routes it (`notify.slack[].severities`).' }),
    labels: map(Type.String(), { default: {}, description: 'Copied to the match and the alert (routing).' }),
    fingerprint: Optional(
      defaultInWords(
        Type.String({ minLength: 1, description: 'Template over fields that folds repeats into one incident: {{pipeline}}:{{step}}:{{error.type}}. Also {{message}}, {{rule}}, {{level}}.' }),
        'rule + normalised message + error type',
      ),
    ),
    threshold: Optional(Threshold),
    cooldown_secs: Optional(defaultInWords(Type.Number({ minimum: 0, description: 'Re-alert interval for repeats of this rule.' }), '`incidents.cooldown_secs`')),
    runbook: Optional(Type.String({ description: 'Link or text passed to the brain and the alert.' })),
    hint: Optional(Type.String({ description: 'What you know about this failure; passed to the brain and the alert.' })),
  },
  { $id: 'rule' },
);

export const Storm = section('New incidents arriving faster than the destination takes alerts are batched into one digest alert.', {
  window_secs: Type.Number({ exclusiveMinimum: 0, default: 5, description: 'How long an incident held back by a storm waits, at most, for its digest.' }),
  max_individual_alerts: Type.Integer({ minimum: 1, default: 3, description: 'Incidents that may be alerted one by one back to back before the rate applies (the burst).' }),
  // Optional in the type, as before: the storm batcher runs without them too (incident tests build
  // such configs); a loaded config always has both.
  max_window_secs: Optional(Type.Number({ exclusiveMinimum: 0, default: 300, description: 'While a storm lasts, each window doubles up to this, so a long outage is a few digests, not hundreds.' })),
  rate_per_sec: Optional(Type.Number({ exclusiveMinimum: 0, default: 1, description: "New incidents per second alerted one by one (after the burst); faster than this is a storm. The default is Slack's webhook rate." })),
});

export const LinesAfter = section(
  "Before a new incident is diagnosed, the lines its file prints next are awaited (the rest of a failure's report: a \"Task failed\" summary, a driver stacktrace), within these bounds; not at all when the record explains itself (the built-in analyser names its category and location with confidence ≥ 0.8 from the record alone: a whole traceback, a JSON record with its stack). See docs/adr/0008-wait-for-the-lines-after-a-failure.md.",
  {
    max_lines: Type.Integer({ minimum: 0, maximum: 500, default: 40, description: 'At most this many lines after the failing record; 0 turns the wait off always (alerts at once).' }),
    quiet_ms: Type.Integer({ minimum: 0, default: 1000, description: 'The wait ends once the file has printed nothing for this long.' }),
    max_wait_ms: Type.Integer({ minimum: 0, maximum: 60_000, default: 1500, description: 'The wait never lasts longer than this, however busy the file; the alert is late by at most this.' }),
  },
);

export const Incidents = section('How matches fold into incidents.', {
  resolve_after_secs: Type.Number({ exclusiveMinimum: 0, default: 1800, description: 'An open incident with no new match for this long resolves.' }),
  cooldown_secs: Type.Number({ minimum: 0, default: 3600, description: 'Default re-alert interval for repeats of an open incident.' }),
  success_match: Optional(defaultInWords(
    ref(Match, { default: DEFAULT_SUCCESS_MATCH, description: 'Records that resolve the open incidents of their pipeline/step.' }),
    "run/step success events (`run_succeeded`, `RUN_SUCCESS`, `STEP_SUCCESS`, Airflow's `Task exited with return code 0`, …), never an error record",
  )),
  storm: Storm,
  lines_after: LinesAfter,
  max_tracked: Type.Integer({ minimum: 1, default: 10_000, description: 'Cap on tracked fingerprints; the oldest resolved are evicted first.' }),
});

export const RedactPattern = strictObject({
  name: Type.String({ minLength: 1, description: 'Names the pattern in the replacement.' }),
  regex: Type.String({ minLength: 1, description: 'JavaScript regular expression; the whole match is replaced.' }),
  replacement: Optional(defaultInWords(Type.String({ description: 'What replaces a match.' }), '`[REDACTED:name]`')),
});

export const SlackDestination = strictObject(
  {
    name: defaultInWords(ref(Name, { description: 'Destination name (metrics, logs).' }), '`slack`, `slack-2`, …'),
    webhook_url: Optional(Type.String({ description: 'Incoming Webhook URL. Use ${SLACK_WEBHOOK_URL}: unset means no such destination.' })),
    bot_token: Optional(Type.String({ description: 'Bot token for the Web API (threads, updates). Use ${VAR}.' })),
    channel: Optional(Type.String({ description: 'Channel id for bot-token mode.' })),
    api_url: Optional(Type.String({ pattern: '^https?://', description: 'Web API base URL, for tests and proxies.' })),
    severities: Optional(defaultInWords(Type.Array(ref(SeveritySchema), { minItems: 1, description: 'Only alerts of these severities.' }), 'all')),
    labels: Optional(defaultInWords(map(Type.String(), { description: 'Only alerts whose rule labels include these.' }), 'any labels')),
    rate_per_sec: Type.Number({ exclusiveMinimum: 0, default: 1, description: "Messages per second (Slack's rule: about one)." }),
  },
  { $id: 'slack' },
);

export const WebhookDestination = strictObject(
  {
    name: ref(Name, { description: 'Destination name (outbox folder, metrics, logs); unique across notify.' }),
    url: Type.String({ pattern: '^https?://[^\\s]+$', description: 'Where to POST. Use ${VAR} when it holds a token; it is never logged.' }),
    secret: Optional(Type.String({ minLength: 1, description: 'HMAC-SHA256 key: requests carry X-Sentinel-Timestamp and X-Sentinel-Signature. Use ${VAR}; never logged.' })),
    severities: Optional(defaultInWords(Type.Array(ref(SeveritySchema), { minItems: 1, description: 'Only alerts of these severities.' }), 'all')),
    labels: Optional(defaultInWords(map(Type.String(), { description: 'Only alerts whose rule labels include these.' }), 'any labels')),
    rate_per_sec: Type.Number({ exclusiveMinimum: 0, default: 10, description: 'Requests per second.' }),
  },
  { $id: 'webhook' },
);

export const AlertmanagerDestination = strictObject(
  {
  name: ref(Name, { default: 'alertmanager', description: 'Outbox folder and metric label.' }),
  urls: Type.Array(Type.String({ pattern: '^https?://[^\\s]+$' }), { minItems: 1, description: 'Base URL of every peer (http://alertmanager-0:9093); each gets every alert.' }),
  resend_interval_secs: Type.Integer({ minimum: 1, default: 60, description: 'Re-send open incidents this often; each send keeps them firing for four intervals.' }),
  severities: Optional(defaultInWords(Type.Array(ref(SeveritySchema), { minItems: 1, description: 'Only alerts of these severities.' }), 'all')),
  labels: Optional(defaultInWords(map(Type.String(), { description: 'Only alerts whose rule labels include these.' }), 'any labels')),
  },
  { description: 'Alertmanager API v2: every alert to every peer of the cluster, open incidents re-sent, endsAt on resolution.' },
);

export const Notify = section('Where alerts go.', {
  console: defaultInWords(Type.Boolean({ description: 'Print each alert to stdout (Slack-like rendering).' }), 'on when no other destination is set'),
  slack: defaultInWords(oneOrListAsList(ref(SlackDestination), { description: 'One Slack destination, or a list of them with routing.' }), 'one from `SLACK_WEBHOOK_URL` when set, else none'),
  webhooks: Type.Array(ref(WebhookDestination), { default: [], description: 'Generic webhooks: each alert POSTed as JSON (incident, diagnosis, labels, fingerprint, status), signed when `secret` is set.' }),
  alertmanager: Optional(AlertmanagerDestination),
  max_retry_delay_ms: Type.Integer({ minimum: 1, default: 60_000, description: 'Back-off cap for retries of transient failures.' }),
});

export const Gemini = section('Gemini engine; used when an API key is set (here, or GOOGLE_API_KEY / GEMINI_API_KEY).', {
  api_key: Optional(defaultInWords(Type.String({ description: 'Use ${GOOGLE_API_KEY}; never write the key itself here.' }), '`GOOGLE_API_KEY` or `GEMINI_API_KEY`')),
  model: Type.String({ minLength: 1, default: 'gemini-flash-lite-latest', description: 'The Gemini model.' }),
  base_url: Optional(Type.String({ pattern: '^https?://', description: 'API base URL, for proxies and tests. GOOGLE_GEMINI_BASE_URL also works.' })),
  timeout_ms: Type.Integer({ minimum: 1, default: 7000, description: 'Per call.' }),
  daily_call_budget: Type.Integer({ minimum: 0, default: 500, description: 'Gemini calls per UTC day; beyond it the built-in analyser answers.' }),
  max_input_tokens: Type.Integer({ minimum: 100, default: 6000, description: 'Prompt size cap (approximate tokens).' }),
});

export const OpenAi = section(
  'OpenAI-compatible engine (chat completions: Ollama, vLLM, LM Studio, llama.cpp, LiteLLM); on when base_url and model are set, and then preferred over Gemini.',
  {
    base_url: Optional(Type.String({ pattern: '^https?://', description: 'Base URL up to the version prefix, e.g. http://ollama:11434/v1; requests go to {base_url}/chat/completions.' })),
    api_key: Optional(Type.String({ description: 'Bearer key, when the server wants one (LiteLLM, a hosted endpoint). Use ${VAR}; never write the key itself here.' })),
    model: Optional(Type.String({ minLength: 1, description: 'The model name the server knows, e.g. qwen2.5:7b.' })),
    timeout_ms: Type.Integer({ minimum: 1, default: 7000, description: 'Per call.' }),
    daily_call_budget: Type.Integer({ minimum: 0, default: 500, description: 'Calls per UTC day; beyond it the built-in analyser answers.' }),
    max_input_tokens: Type.Integer({ minimum: 100, default: 6000, description: 'Prompt size cap (approximate tokens).' }),
  },
);

export const Brain = section('Who diagnoses incidents.', {
  url: Type.String({ pattern: '^(?:embedded|https?://.+)$', default: 'embedded', description: '`embedded`, or the URL of a shared brain service (http://brain:8787).' }),
  timeout_ms: Type.Integer({ minimum: 1, default: 8000, description: 'Hard budget for one diagnosis, whatever the engine; after it the built-in answer is used.' }),
  auth_token: Optional(Type.String({ description: 'Bearer token for a remote brain. Use ${VAR}.' })),
  gemini: Gemini,
  openai: OpenAi,
  audit_max_bytes: Type.Integer({
    minimum: 0,
    default: 10_485_760,
    description: 'Size at which state_dir/llm-audit.jsonl (every prompt sent to an LLM, redacted) rotates to llm-audit.jsonl.1; 0 turns the audit off.',
  }),
});

export const Fleet = section(
  'Many agents and brain replicas sharing state through Redis (src/fleet, README "Running a fleet"): one announcement per failure for the whole fleet; one diagnosis cache, single flight, daily LLM budget and 429 cool-off for the brains. Off when redis_url is absent.',
  {
    redis_url: Optional(
      Type.String({ pattern: '^rediss?://.+', description: 'redis://[user:password@]host:port[/db] (or rediss://). Use ${REDIS_URL}: an unset variable leaves the fleet off.' }),
    ),
    member: defaultInWords(
      Type.String({ minLength: 1, maxLength: 200, description: "This agent's name in fleet alerts (pod or host). Use ${POD_NAME} in Kubernetes." }),
      'the hostname',
    ),
    key_prefix: Type.String({ maxLength: 100, default: 'sentinel:', description: 'Prefix of every Redis key, so several fleets can share one Redis.' }),
    timeout_ms: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 250,
      description: 'Per Redis command; a slower answer counts as Redis being down and the process decides alone.',
    }),
  },
);

export const Server = section('HTTP server for /metrics, /healthz, /readyz.', {
  port: Type.Integer({ minimum: 0, maximum: 65_535, default: 9464, description: 'TCP port; 0 picks a free one.' }),
  host: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Address to listen on.' }),
});

/** What `sentinel run` tails with no config file: the demo pipeline writes logs/aio_pipeline.log. */
const DEFAULT_SOURCES = [{ name: 'logs', paths: ['./logs/*.log'] }];

export const Config = strictObject(
  {
    sources: defaultInWords(Type.Array(ref(Source), { default: DEFAULT_SOURCES, description: 'Log files to follow.' }), 'one source `logs` on `./logs/*.log`'),
    rules: Type.Array(ref(Rule), { default: [], description: 'Your rules. They always apply; built-in packs only judge records no rule of yours matched.' }),
    macros: map(ref(Match), { propertyNames: { $ref: Name.$id }, default: {}, description: 'Named match expressions, reused in rules with `macro: NAME`.' }),
    lists: Type.Unsafe<Record<string, string[]>>(
      map(Type.Array(ref(FieldValue)), { propertyNames: { $ref: Name.$id }, default: {}, description: 'Named lists of values, used in rules with `in_list: { FIELD: LIST }`.' }),
    ),
    packs: defaultInWords(
      map(Type.Boolean(), { propertyNames: { enum: [...PACK_NAMES_IN_CONFIG] }, default: {}, description: `Built-in rule packs, each on unless set to false: ${PACK_NAMES_IN_CONFIG.join(', ')}.` }),
      'all on',
    ),
    incidents: Incidents,
    redact: section('Extra secret patterns masked before any text leaves the box (the built-in ones always apply).', {
      patterns: Type.Array(RedactPattern, { default: [], description: 'Extra `{name, regex, replacement}` secret patterns.' }),
    }),
    state_dir: Type.String({ minLength: 1, default: '.sentinel-state', description: 'Checkpoints, incident state (with the announcement journal), outbox, Slack threads.' }),
    server: Server,
    notify: Notify,
    brain: Brain,
    fleet: Fleet,
  },
  {
    title: 'Pipeline Sentinel configuration (sentinel.yaml)',
    description:
      'Sources to tail, rules to match, where incidents go. Every key is optional; unknown keys are errors. ${VAR} and ${VAR:-default} are replaced from the environment before validation.',
  },
);

/** Definitions shared by `$ref`, in the order the published schema lists them. */
export const SHARED_DEFINITIONS = [Name, SeveritySchema, Level, Source, FieldValue, Match, Rule, SlackDestination, WebhookDestination];

/**
 * Keys whose `${VAR}` may stay unset: the key is then absent (no Slack destination, no Gemini key,
 * no token). Anywhere else an unset variable without `:-default` is a config error.
 */
export const OPTIONAL_SECRET_KEYS = new Set(['webhook_url', 'bot_token', 'api_key', 'auth_token', 'base_url', 'api_url', 'redis_url', 'member']);
