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

const logger = async (): Promise<Logger> => (await import('../log.js')).createLogger();
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
    synopsis: '[--config FILE]',
    summary: 'Run the agent: tail the configured logs, alert on failures, serve /metrics /healthz /readyz.',
    details: 'SIGTERM or SIGINT stops it gracefully (exit 0); a second signal exits at once.',
    options: { config: CONFIG },
    arguments: { min: 0, max: 0 },
    run: async ({ values }) => (await import('./run-command.js')).runAgentCommand(text(values.config), await logger()),
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
