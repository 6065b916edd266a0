import { defaultConfig, loadConfig } from '../config/load-config.js';
import type { SentinelConfig } from '../config/config-types.js';
import { resolveConfigWith } from './released-config-loader.js';

/** The config a command runs on: the named file, else ./sentinel.yaml, else the embedded defaults. */
export function resolveConfig(file: string | undefined): SentinelConfig {
  return resolveConfigWith({ loadConfig, defaultConfig }, file);
}
