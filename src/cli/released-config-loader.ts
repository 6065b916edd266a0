// `sentinel run` reads its config at start and again on each edit of the file, and needs nothing of
// the loader in between: yaml, TypeBox's definition and the generated validator are ~0.6 MB of
// source and ~1.8 MB of an idle agent's RSS (docs/benchmarks.md, "Fifteenth round"). An ES module
// is never unloaded, so the build also writes the loader as one CommonJS file beside the bundle
// (dist/bundle/config-loader.cjs, rolldown.config.js): it is required for each read and dropped
// from require's cache at once, and the next collection frees it (ADR 0029). Run unbundled (tsc's
// output, vitest) there is no such file, and the ES module is imported as before.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { SentinelConfig } from '../config/config-types.js';
import { ConfigError, type ConfigProblem } from '../config/config-error.js';
import { ERROR_CODES, SentinelError, type ErrorCode } from '../errors.js';

/** The parts of src/config/load-config.ts an agent uses. */
export interface ConfigLoader {
  loadConfig(file: string, env?: NodeJS.ProcessEnv): SentinelConfig;
  defaultConfig(env?: NodeJS.ProcessEnv): SentinelConfig;
}

/** The config `sentinel run` and the other commands run on: the named file, else ./sentinel.yaml, else the embedded defaults. */
export function resolveConfigWith(loader: ConfigLoader, file: string | undefined): SentinelConfig {
  if (file) return loader.loadConfig(file, process.env);
  if (existsSync('sentinel.yaml')) return loader.loadConfig('sentinel.yaml', process.env);
  return loader.defaultConfig(process.env);
}

const RELEASABLE_LOADER = fileURLToPath(new URL('./config-loader.cjs', import.meta.url));

/**
 * Runs `use` with the config loader and lets go of the loader afterwards when it can. Errors the
 * loader throws reach the caller as this bundle's own ConfigError or SentinelError (the CommonJS
 * copy has classes of its own, and callers test with instanceof).
 */
export async function withReleasedConfigLoader<T>(use: (loader: ConfigLoader) => T): Promise<T> {
  if (!existsSync(RELEASABLE_LOADER)) return use(await import('../config/load-config.js'));
  // A require of its own, so nothing outlives this call: createRequire's parent module keeps every
  // module it loaded in its `children`.
  const require = createRequire(RELEASABLE_LOADER);
  try {
    return use(require(RELEASABLE_LOADER) as ConfigLoader);
  } catch (error) {
    throw asOwnError(error);
  } finally {
    delete require.cache[RELEASABLE_LOADER];
  }
}

/** The CommonJS copy's ConfigError or SentinelError as one of this bundle's classes; anything else as it is. */
export function asOwnError(error: unknown): unknown {
  if (error instanceof SentinelError || !(error instanceof Error)) return error;
  const { code, problems } = error as Error & { code?: unknown; problems?: unknown };
  if (typeof code !== 'string' || !(code in ERROR_CODES)) return error;
  if (code === 'SENTINEL_ERR_CONFIG_INVALID' && Array.isArray(problems)) return new ConfigError(problems as ConfigProblem[]);
  return new SentinelError(code as ErrorCode, error.message, { cause: error.cause });
}
