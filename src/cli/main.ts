// The thin process entry: reads argv, the environment and .env, prints, listens, exits. Everything
// it runs is built by factories that do none of those things.
// First, before any other module compiles a regex: bounded regex execution.
import './linear-regex-fallback.js';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError } from '../config/load-config.js';
import { createLogger } from '../log.js';
import { SentinelError } from '../errors.js';
import { runAgentCommand } from './run-command.js';
import { runBrainCommand } from './brain-command.js';
import { runCheckCommand } from './check-command.js';
import { runDiagnoseCommand } from './diagnose-command.js';
import { runRuleTestsCommand } from './test-rules-command.js';
import { runNotifyTestCommand } from './notify-test-command.js';

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
  loadDotenv({ quiet: true });
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
  const logger = createLogger();
  switch (command) {
    case 'run':
      return runAgentCommand(values.config, logger);
    case 'brain':
      return runBrainCommand(values.config, values.port, logger);
    case 'check':
      return runCheckCommand(values.config ?? args[0] ?? 'sentinel.yaml');
    case 'test-rules':
      return runRuleTestsCommand(args[0]);
    case 'diagnose':
      return runDiagnoseCommand(args[0], values.config, values.format === 'text' ? 'text' : 'json');
    case 'notify-test':
      return runNotifyTestCommand(values.config, logger);
    default:
      console.error(`sentinel: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(`${problem.file}:${problem.line}:${problem.column}: ${problem.message}`);
    console.error(`sentinel: ${error.code}: ${error.message}`);
  } else if (error instanceof SentinelError) {
    console.error(`sentinel: ${error.code}: ${error.message}`);
  } else {
    console.error(`sentinel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  process.exitCode = 1;
}
