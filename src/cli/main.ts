// The thin process entry: reads argv, the environment and .env, prints, listens, exits. Everything
// it runs is built by factories that do none of those things. No stack trace reaches the user: every
// error is one line with its SENTINEL_ERR_* code (SENTINEL_DEBUG=1 adds the stack of unexpected ones).
import type { ConfigError } from '../config/load-config.js';
import { SentinelError } from '../errors.js';
import { VERSION } from '../version.js';
import { commandHelp, parseCommandLine, UsageError, usageLine } from './command-line.js';
import { COMMANDS } from './commands.js';
import { loadDotenvFile } from './dotenv-file.js';

const HELP = `Pipeline Sentinel: tails pipeline logs, diagnoses failures, alerts Slack.

Usage: sentinel <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

Options:
  -h, --help       Show this help; \`sentinel <command> --help\` shows a command's own
  -V, --version    Show the version

Environment: SLACK_WEBHOOK_URL, GOOGLE_API_KEY (or GEMINI_API_KEY), SENTINEL_LOG_LEVEL; read from a .env file too.`;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    console.log(topic ? commandHelp(topic) : HELP);
    return first === undefined ? 2 : 0;
  }
  if (first === '-V' || first === '-v' || first === '--version') {
    console.log(VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) throw new UsageError(first.startsWith('-') ? `unknown option "${first}" before the command` : `unknown command "${first}"`);
  const parsed = parseCommandLine(command, rest);
  if (parsed.help) {
    console.log(commandHelp(command));
    return 0;
  }
  loadDotenvFile('.env');
  try {
    return await command.run(parsed);
  } catch (error) {
    // A command may find its arguments wrong only once it reads them; the usage shown is its own.
    if (error instanceof UsageError && !error.spec) throw new UsageError(error.message, command);
    throw error;
  }
}

function isConfigError(error: unknown): error is ConfigError {
  return error instanceof SentinelError && error.code === 'SENTINEL_ERR_CONFIG_INVALID' && 'problems' in error;
}

/** Prints one error for a person and returns the exit code: 2 for a wrong command line, else 1. */
function report(error: unknown): number {
  if (error instanceof UsageError) {
    const where = error.spec ? `sentinel ${error.spec.name}` : 'sentinel';
    console.error(`${where}: SENTINEL_ERR_USAGE: ${error.message}`);
    console.error(error.spec ? `${usageLine(error.spec)}\nRun 'sentinel ${error.spec.name} --help' for its options.` : `Run 'sentinel --help' for the commands.`);
    return 2;
  }
  if (isConfigError(error)) {
    for (const problem of error.problems) console.error(`${problem.file}:${problem.line}:${problem.column}: ${problem.message}`);
    console.error(`sentinel: ${error.code}: ${error.problems.length} problem(s) in the configuration`);
  } else if (error instanceof SentinelError) {
    console.error(`sentinel: ${error.code}: ${error.message}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`sentinel: SENTINEL_ERR_INTERNAL: ${message}${process.env.SENTINEL_DEBUG ? '' : ' (SENTINEL_DEBUG=1 prints the stack trace)'}`);
    if (process.env.SENTINEL_DEBUG && error instanceof Error) console.error(error.stack);
  }
  return 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.exitCode = report(error);
}
