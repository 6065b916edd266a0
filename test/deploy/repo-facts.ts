// What the code says the deployment may refer to: CLI commands and options, HTTP routes, ports, the
// shutdown deadline, environment keys. Read from the sources, so a renamed flag or port fails the
// deploy tests instead of a user's rollout.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../src/cli/commands.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');

function walk(dir: string): string[] {
  return readdirSync(join(REPO, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    return statSync(join(REPO, path)).isDirectory() ? walk(path) : [path];
  });
}

export function filesUnder(dir: string, pattern: RegExp): string[] {
  return walk(dir).filter((f) => pattern.test(f));
}

/** Each subcommand with the options it accepts (its own, --help, and the global --version). */
export function cliCommands(): Map<string, Set<string>> {
  return new Map(COMMANDS.map((c) => [c.name, new Set(['--help', '--version', ...Object.keys(c.options).map((o) => `--${o}`)])]));
}

/** GET routes a Fastify app file declares. */
export function routesOf(path: string): Set<string> {
  return new Set([...read(path).matchAll(/app\.(?:get|post)\(\s*'([^']+)'/g)].map((m) => m[1] ?? ''));
}

/** The agent's routes: the `case '/x':` arms of its request router (plain node:http, no Fastify). */
export function agentRoutes(): Set<string> {
  return new Set([...read('src/server/agent-server.ts').matchAll(/case\s+'(\/[^']*)':/g)].map((m) => m[1] ?? ''));
}

/** The brain's routes; its contract (docs/architecture.md, "Interfaces others rely on") until src/brain/brain-app.ts exists. */
export function brainRoutes(): Set<string> {
  try {
    return routesOf('src/brain/brain-app.ts');
  } catch {
    return new Set(['/diagnose', '/healthz', '/metrics']);
  }
}

function numberConstant(path: string, name: string): number {
  const raw = new RegExp(`const ${name}\\s*=\\s*([\\d_]+)`).exec(read(path))?.[1];
  if (!raw) throw new Error(`${path}: no constant ${name}`);
  return Number(raw.replace(/_/g, ''));
}

export const shutdownDeadlineMs = (): number => numberConstant('src/cli/run-command.ts', 'SHUTDOWN_DEADLINE_MS');
export const defaultBrainPort = (): number => numberConstant('src/cli/brain-command.ts', 'DEFAULT_BRAIN_PORT');

/** The agent's default port, from the schema's description of server.port ("Default 9464"). */
export function defaultAgentPort(): number {
  const schema = JSON.parse(read('schema/sentinel.schema.json')) as { properties: { server: { properties: { port: { description: string } } } } };
  const port = /Default (\d+)/.exec(schema.properties.server.properties.port.description)?.[1];
  if (!port) throw new Error('schema: server.port has no "Default N" in its description');
  return Number(port);
}

/** Environment variables the code reads (process.env.X, env.X) plus those the HELP text names. */
export function knownEnvKeys(): Set<string> {
  const keys = new Set<string>();
  for (const file of filesUnder('src', /\.ts$/)) {
    for (const m of read(file).matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]*)/g)) if (m[1]) keys.add(m[1]);
  }
  const envLine = /Environment:([^\n]*)/.exec(read('src/cli/main.ts'))?.[1] ?? '';
  for (const m of envLine.matchAll(/\b([A-Z][A-Z0-9_]{2,})\b/g)) if (m[1]) keys.add(m[1]);
  return keys;
}
