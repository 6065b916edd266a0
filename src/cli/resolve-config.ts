import { existsSync } from 'node:fs';
import { defaultConfig, loadConfig } from '../config/load-config.js';
import type { SentinelConfig } from '../config/config-types.js';

/** The config a command runs on: the named file, else ./sentinel.yaml, else the embedded defaults. */
export function resolveConfig(file: string | undefined): SentinelConfig {
  if (file) return loadConfig(file, process.env);
  if (existsSync('sentinel.yaml')) return loadConfig('sentinel.yaml', process.env);
  return defaultConfig(process.env);
}
