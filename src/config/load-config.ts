// The config edge: sentinel.yaml in, a checked, complete, frozen SentinelConfig out — or every
// problem at once, each as FILE:LINE:COL: message. Pure and synchronous apart from reading the
// file, so the agent can call it again on every change of the file (hot reload) and keep the old
// config when this throws.
//
// Order: YAML syntax → ${VAR} interpolation → JSON Schema (constant defaults filled) → semantic
// checks → computed defaults → freeze.
// Later steps still run when earlier ones found problems (on what could be parsed), so one run
// reports everything; only a YAML syntax error stops the rest, since positions would be guesses.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { SentinelError } from '../errors.js';
import type { SentinelConfig } from './config-types.js';
import { checkSemantics } from './check-semantics.js';
import { fillDefaults, type SchemaFilledConfig } from './fill-defaults.js';
import { interpolateEnv } from './interpolate-env.js';
import { validateSchema } from './validate-schema.js';
import { createLocator, formatPath, type ConfigPath } from './yaml-locator.js';
import { ConfigError, type ConfigProblem } from './config-error.js';

export { ConfigError, formatProblem, type ConfigProblem } from './config-error.js';

export interface ConfigResult {
  /** Undefined when there are problems. */
  config: SentinelConfig | undefined;
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
}

function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return a.line - b.line || a.column - b.column;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Every step, collecting problems and warnings; never throws for a bad config. */
export function evaluateConfigText(text: string, file: string, env: NodeJS.ProcessEnv = {}): ConfigResult {
  const lineCounter = new LineCounter();
  // merge: `<<: *defaults` is how people share keys between rules in YAML.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, merge: true });
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];

  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
      // The yaml package appends a code excerpt after the first line; the position says where.
      const message = (err.message.split('\n')[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '');
      problems.push({ file, line: pos.line, column: pos.col, message: `YAML syntax: ${message}` });
    }
    return { config: undefined, problems: problems.sort(byPosition), warnings };
  }

  const locator = createLocator(doc, lineCounter);
  const report = (path: ConfigPath, message: string, severity: 'error' | 'warning', atKey = false): void => {
    const { line, column } = locator.at(path, atKey);
    (severity === 'error' ? problems : warnings).push({ file, line, column, message, path: formatPath(path) });
  };

  let raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const interpolated = interpolateEnv(raw, env, locator);
  raw = interpolated.value;
  for (const issue of interpolated.issues) report(issue.path, issue.message, issue.severity);

  // Fills the constant defaults into raw: the semantic checks see the values the stages will.
  for (const issue of validateSchema(raw)) report(issue.path, issue.message, 'error', issue.atKey);
  for (const issue of checkSemantics(raw)) report(issue.path, issue.message, issue.severity, issue.atKey ?? false);

  problems.sort(byPosition);
  warnings.sort(byPosition);
  if (problems.length > 0) return { config: undefined, problems, warnings };
  return { config: deepFreeze(fillDefaults(raw as SchemaFilledConfig, file, env)), problems, warnings };
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new SentinelError('SENTINEL_ERR_CONFIG_NOT_FOUND', `${file}: cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}

/** Loads, checks and completes a config file. Throws ConfigError listing every problem. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = {}): SentinelConfig {
  return loadConfigText(readConfigFile(file), file, env);
}

export function loadConfigText(text: string, file: string, env: NodeJS.ProcessEnv = {}): SentinelConfig {
  const result = evaluateConfigText(text, file, env);
  if (!result.config) throw new ConfigError(result.problems);
  return result.config;
}

/** For `sentinel check`: problems (errors) and warnings, never throwing for a bad or missing file. */
export function checkConfig(file: string, env: NodeJS.ProcessEnv = {}): { problems: ConfigProblem[]; warnings: ConfigProblem[] } {
  let text: string;
  try {
    text = readConfigFile(file);
  } catch (err) {
    return { problems: [{ file, line: 1, column: 1, message: (err as Error).message.replace(`${file}: `, '') }], warnings: [] };
  }
  const { problems, warnings } = evaluateConfigText(text, file, env);
  return { problems, warnings };
}

/** Loads a config and also returns its warnings (rules that defeat the pre-filter, unset optional secrets). */
export function loadConfigWithWarnings(file: string, env: NodeJS.ProcessEnv = {}): { config: SentinelConfig; warnings: ConfigProblem[] } {
  const result = evaluateConfigText(readConfigFile(file), file, env);
  if (!result.config) throw new ConfigError(result.problems);
  return { config: result.config, warnings: result.warnings };
}

/**
 * The embedded defaults: what `sentinel run` uses with no config file. Tails ./logs/*.log (where
 * the demo pipeline writes), built-in packs on, console alerts (and Slack when SLACK_WEBHOOK_URL is
 * set), embedded brain (Gemini when GOOGLE_API_KEY / GEMINI_API_KEY is set).
 */
export function defaultConfig(env: NodeJS.ProcessEnv = {}): SentinelConfig {
  const raw = {};
  const issues = validateSchema(raw);
  // The definition's defaults must pass its own schema; a failure here is a bug in the definition.
  if (issues.length > 0) throw new Error(`the configuration defaults do not pass the schema: ${issues.map((i) => i.message).join('; ')}`);
  return deepFreeze(fillDefaults(raw as SchemaFilledConfig, '<embedded>', env));
}
