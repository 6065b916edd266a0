// Turning argv into one command with checked options, the way promtool and Vector do it: every
// command declares its options and how many arguments it takes; an unknown option, a missing or
// extra argument, or a value outside an option's choices is a usage error (exit 2), never ignored.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help as `--name VALUE`. */
  value?: string;
  choices?: readonly string[];
  default?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  /** Everything after `sentinel <name>` in the usage line. */
  synopsis: string;
  summary: string;
  /** Extra help text after the options. */
  details?: string;
  options: Record<string, OptionSpec>;
  arguments: { min: number; max: number };
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface ParsedCommand {
  spec: CommandSpec;
  values: OptionValues;
  args: string[];
  help: boolean;
}

/** A wrong command line: printed with the usage, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly spec?: CommandSpec,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'Show this help' };

export function parseCommandLine(spec: CommandSpec, argv: string[]): ParsedCommand {
  const options = { ...spec.options, help: HELP_OPTION };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}) }]),
      ),
    });
  } catch (error) {
    // Node's own wording, first sentence only ("Unknown option '--port'."), without its advice on '--'.
    const message = error instanceof Error ? (error.message.split(/(?<=\.) /)[0] ?? error.message) : String(error);
    throw new UsageError(message, spec);
  }
  const values = parsed.values as OptionValues;
  const help = values.help === true;
  if (!help) {
    for (const [name, option] of Object.entries(spec.options)) {
      const value = values[name];
      if (option.choices && typeof value === 'string' && !option.choices.includes(value)) {
        throw new UsageError(`--${name} must be one of ${option.choices.join(', ')} (got "${value}")`, spec);
      }
    }
    const count = parsed.positionals.length;
    if (count < spec.arguments.min) throw new UsageError(`missing argument: ${spec.synopsis}`, spec);
    if (count > spec.arguments.max) {
      throw new UsageError(`unexpected argument${count - spec.arguments.max > 1 ? 's' : ''}: ${parsed.positionals.slice(spec.arguments.max).join(' ')}`, spec);
    }
  }
  return { spec, values, args: parsed.positionals, help };
}

export function usageLine(spec: CommandSpec): string {
  return `Usage: sentinel ${spec.name} ${spec.synopsis}`.trimEnd();
}

export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    const choices = o.choices ? ` (${o.choices.join(' | ')}${o.default ? `; default ${o.default}` : ''})` : o.default ? ` (default ${o.default})` : '';
    return `  ${flag.padEnd(28)} ${o.description}${choices}`;
  });
  return [`${spec.summary}`, '', usageLine(spec), '', 'Options:', ...rows, ...(spec.details ? ['', spec.details] : [])].join('\n');
}
