// The thin process entry: reads argv, the environment and .env, prints, listens, exits. Everything
// it runs is built by factories that do none of those things.
//
// Each command's module is imported only when that command runs: `--version` and `--help` load
// nothing but this file, and `check` never loads the Gemini SDK or Fastify (start-up is felt in
// every Job pod; see docs/benchmarks.md).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ConfigError } from '../config/load-config.js';
import { SentinelError } from '../errors.js';
import { loadDotenvFile } from './dotenv-file.js';

const HELP = `Pipeline Sentinel: tails pipeline logs, diagnoses failures, alerts Slack.

Usage: sentinel <command> [options]

Commands:
  run [--config FILE]                 Run the agent (default config: ./sentinel.yaml if present, else the embedded defaults)
  brain [--port N] [--config FILE]    Run the brain alone as an HTTP service (POST /diagnose)
  check [--config FILE]               Validate a config; problems printed as FILE:LINE:COL: message
  test-rules FILE                     Run rule tests (sample lines -> expected incidents)
  diagnose FILE [--config FILE] [--format json|text]
                                      Diagnose a finished log file; one JSON line per incident.
                                      Reads the whole file: each incident also sees the 50 lines
                                      below its record, which a live agent may not have had
  notify-test [--config FILE]         Send a sample alert to each configured destination

Options:
  -c, --config FILE   Configuration file (sentinel.yaml)
  -h, --help          Show this help
  -v, --version       Show the version

Environment: SLACK_WEBHOOK_URL, GOOGLE_API_KEY (or GEMINI_API_KEY), SENTINEL_LOG_LEVEL; read from a .env file too.`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  loadDotenvFile('.env');
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      format: { type: 'string', default: 'json' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (values.version) {
    console.log(version());
    return 0;
  }
  if (values.help || !command) {
    console.log(HELP);
    return command || values.help ? 0 : 2;
  }
  const logger = async () => (await import('../log.js')).createLogger();
  switch (command) {
    case 'run':
      return (await import('./run-command.js')).runAgentCommand(values.config, await logger());
    case 'brain':
      return (await import('./brain-command.js')).runBrainCommand(values.config, values.port, await logger());
    case 'check':
      return (await import('./check-command.js')).runCheckCommand(values.config ?? args[0] ?? 'sentinel.yaml');
    case 'test-rules':
      return (await import('./test-rules-command.js')).runRuleTestsCommand(args[0]);
    case 'diagnose':
      return (await import('./diagnose-command.js')).runDiagnoseCommand(args[0], values.config, values.format === 'text' ? 'text' : 'json');
    case 'notify-test':
      return (await import('./notify-test-command.js')).runNotifyTestCommand(values.config, await logger());
    default:
      console.error(`sentinel: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

function isConfigError(error: unknown): error is ConfigError {
  return error instanceof SentinelError && error.code === 'SENTINEL_ERR_CONFIG_INVALID' && 'problems' in error;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (isConfigError(error)) {
    for (const problem of error.problems) console.error(`${problem.file}:${problem.line}:${problem.column}: ${problem.message}`);
    console.error(`sentinel: ${error.code}: ${error.message}`);
  } else if (error instanceof SentinelError) {
    console.error(`sentinel: ${error.code}: ${error.message}`);
  } else {
    console.error(`sentinel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  process.exitCode = 1;
}
