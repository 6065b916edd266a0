// What a bad config file throws, apart from the loader itself: `sentinel run` reads its config
// through a copy of the loader that is dropped after each read (src/cli/released-config-loader.ts),
// and the agent must still know this error's class without loading yaml and the schema for it.
import { SentinelError } from '../errors.js';

export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  message: string;
  /** The key the problem is about, e.g. `notify.slack[1].severities[0]`; absent for YAML syntax and unreadable files. */
  path?: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

export class ConfigError extends SentinelError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super('SENTINEL_ERR_CONFIG_INVALID', problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
