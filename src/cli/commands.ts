// Every `sentinel` command: its options, how many arguments it takes, and how it runs. A command's
// module is imported only when that command runs, so `--version`, `--help` and `check` never load the
// Gemini SDK, Fastify or the agent (start-up is paid in every Job pod; docs/benchmarks.md).
import type { Logger } from '../log.js';
import { ENGINE_NAMES, type EngineName } from '../types.js';
import type { CommandSpec, OptionSpec, ParsedCommand } from './command-line.js';
import { UsageError } from './command-line.js';

export interface Command extends CommandSpec {
  run(parsed: ParsedCommand): Promise<number>;
}

const CONFIG: OptionSpec = {
  type: 'string',
  short: 'c',
  value: 'FILE',
  description: 'Configuration file (default: ./sentinel.yaml if present, else the embedded defaults)',
};

const logger = async (to: 'stdout' | 'stderr' = 'stdout'): Promise<Logger> => (await import('../log.js')).createLogger({ to });
const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/** A TCP port as an option value: a whole number 0–65535, else a usage error naming the value. */
export function parsePort(value: string | undefined, spec: CommandSpec): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new UsageError(`--port must be a whole number from 0 to 65535 (got "${value}")`, spec);
  return Number(value);
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'run',
    synopsis: '[--config FILE] [--once] [--dry-run]',
    summary: 'Run the agent: tail the configured logs, alert on failures, serve /metrics /healthz /readyz.',
    details: [
      'SIGTERM or SIGINT stops it gracefully (exit 0); a second signal exits at once.',
      '--once and --dry-run serve their HTTP endpoints on a free loopback port, never server.port.',
    ].join('\n'),
    options: {
      config: CONFIG,
      once: {
        type: 'boolean',
        description: 'Read what is there (new files from the beginning, others from their checkpoints), alert, drain the outbox, exit 0',
      },
      'dry-run': { type: 'boolean', description: 'Print alerts instead of posting them (logs go to stderr); reads a copy of state_dir, never writes it' },
    },
    arguments: { min: 0, max: 0 },
    run: async ({ values }) => {
      // Loading, config and pack compilation run once: V8's optimizers wait until the agent is ready.
      (await import('./startup-jit.js')).holdOptimizingCompilers();
      (await import('./young-generation.js')).keepYoungGenerationSmall();
      const modes = { once: values.once === true, dryRun: values['dry-run'] === true };
      return (await import('./run-command.js')).runAgentCommand(text(values.config), await logger(modes.dryRun ? 'stderr' : 'stdout'), modes);
    },
  },
  {
    name: 'brain',
    synopsis: '[--port N] [--config FILE]',
    summary: 'Run the brain alone as an HTTP service (POST /diagnose), shared by many agents.',
    options: { config: CONFIG, port: { type: 'string', short: 'p', value: 'N', description: 'Port to listen on (default: $PORT, else 8787)' } },
    arguments: { min: 0, max: 0 },
    run: async (parsed) => {
      const port = parsePort(text(parsed.values.port), parsed.spec);
      return (await import('./brain-command.js')).runBrainCommand(text(parsed.values.config), port, await logger());
    },
  },
  {
    name: 'check',
    synopsis: '[FILE | --config FILE] [--format text|json]',
    summary: 'Validate a configuration; each problem printed as FILE:LINE:COL: message; exit 1 on any error.',
    options: {
      config: { ...CONFIG, description: 'Configuration file to check (default: ./sentinel.yaml)' },
      format: { type: 'string', value: 'FORMAT', choices: ['text', 'json'], default: 'text', description: 'Output format' },
    },
    arguments: { min: 0, max: 1 },
    run: async ({ values, args, spec }) => {
      if (args[0] && values.config) throw new UsageError('give the file either as an argument or with --config, not both', spec);
      const file = text(values.config) ?? args[0] ?? 'sentinel.yaml';
      return (await import('./check-command.js')).runCheckCommand(file, values.format === 'json' ? 'json' : 'text');
    },
  },
  {
    name: 'test-rules',
    synopsis: 'FILE',
    summary: 'Run rule tests: sample lines and the incidents they must (or must not) produce.',
    details: 'The test-file format is described in README.md ("Testing your rules").',
    options: {},
    arguments: { min: 1, max: 1 },
    run: async ({ args }) => (await import('./test-rules-command.js')).runRuleTestsCommand(args[0] ?? ''),
  },
  {
    name: 'diagnose',
    synopsis: `FILE... [--config FILE] [--format json|text] [--engine ${['auto', ...ENGINE_NAMES].join('|')}] [--fail-on-incident]`,
    summary: 'Diagnose finished log files once: one JSON line per incident (reads each whole file).',
    details:
      'FILE may be a glob in quotes ("logs/**/*.log"). Each incident is diagnosed with the 50 lines below its record, ' +
      'which a live agent may not have had (it waits at most incidents.lines_after). Exit 0 whether or not incidents are found, unless --fail-on-incident.',
    options: {
      config: CONFIG,
      format: { type: 'string', value: 'FORMAT', choices: ['json', 'text'], default: 'json', description: 'Output format' },
      engine: {
        type: 'string',
        value: 'ENGINE',
        choices: ['auto', ...ENGINE_NAMES],
        default: 'auto',
        description: 'auto: the configured LLM engine, else built-in; builtin: never call an LLM; any other: require that engine',
      },
      'fail-on-incident': { type: 'boolean', description: 'Exit 1 when any incident is found (for CI gates)' },
    },
    arguments: { min: 1, max: Number.POSITIVE_INFINITY },
    run: async ({ values, args }) =>
      (await import('./diagnose-command.js')).runDiagnoseCommand(args, {
        configFile: text(values.config),
        format: values.format === 'text' ? 'text' : 'json',
        engine: (ENGINE_NAMES as readonly unknown[]).includes(values.engine) ? (values.engine as EngineName) : 'auto',
        failOnIncident: values['fail-on-incident'] === true,
      }),
  },
  {
    name: 'silence',
    synopsis: '(--rule ID | --fingerprint FP) --for DURATION [--reason TEXT] | --list [--format text|json] | --remove SILENCE_ID   [--config FILE]',
    summary: 'Hold back alerts for a rule or one incident for a while; list or lift silences.',
    details: [
      'Silences are kept in state_dir/silences/; an agent on that state_dir honours a change within a second.',
      'Silenced incidents are still tracked and counted (sentinel_incidents_suppressed_total{reason="silenced"});',
      'when a silence ends, an incident still failing alerts again at its next update.',
      'DURATION: 90s, 30m, 2h, 1d or 1h30m, at most 30d.',
    ].join('\n'),
    options: {
      rule: { type: 'string', value: 'ID', description: 'Silence every incident of this rule' },
      fingerprint: { type: 'string', value: 'FP', description: 'Silence one incident, by its fingerprint (16 hex characters)' },
      for: { type: 'string', value: 'DURATION', description: 'How long the silence lasts (required with --rule or --fingerprint)' },
      reason: { type: 'string', value: 'TEXT', description: 'Why; shown by --list' },
      list: { type: 'boolean', description: 'List the silences in force and the incidents each holds back' },
      remove: { type: 'string', value: 'SILENCE_ID', description: 'Lift a silence before it ends' },
      format: { type: 'string', value: 'FORMAT', choices: ['text', 'json'], default: 'text', description: 'Output format of --list' },
      config: CONFIG,
    },
    arguments: { min: 0, max: 0 },
    run: async (parsed) => {
      const { runSilenceCommand, silenceRequest } = await import('./silence-command.js');
      return runSilenceCommand(silenceRequest(parsed), text(parsed.values.config));
    },
  },
  {
    name: 'outbox',
    synopsis: 'retry [--config FILE]',
    summary: "Put dead letters (alerts a destination refused for good) back in their destination's queue.",
    details: 'Dead letters are kept in state_dir/outbox/<destination>/dead/. Fix what refused them (a revoked webhook, an archived channel) first.',
    options: { config: CONFIG },
    arguments: { min: 1, max: 1 },
    run: async ({ values, args, spec }) => {
      if (args[0] !== 'retry') throw new UsageError(`unknown outbox action "${args[0] ?? ''}" (the one action is retry)`, spec);
      return (await import('./outbox-command.js')).runOutboxRetryCommand(text(values.config));
    },
  },
  {
    name: 'notify-test',
    synopsis: '[--config FILE]',
    summary: 'Send a sample alert to each configured destination and print what each answered.',
    options: { config: CONFIG },
    arguments: { min: 0, max: 0 },
    run: async ({ values }) => (await import('./notify-test-command.js')).runNotifyTestCommand(text(values.config), await logger()),
  },
  {
    name: 'incidents',
    synopsis: '[--config FILE] [--format text|json]',
    summary: 'List open, held and recently resolved incidents from state_dir, and whether and when each was announced.',
    details: 'Reads state_dir only; safe while the agent runs. JSON: one object per incident.',
    options: {
      config: CONFIG,
      format: { type: 'string', value: 'FORMAT', choices: ['text', 'json'], default: 'text', description: 'Output format' },
    },
    arguments: { min: 0, max: 0 },
    run: async ({ values }) => (await import('./incidents-command.js')).runIncidentsCommand(text(values.config), values.format === 'json' ? 'json' : 'text'),
  },
];
