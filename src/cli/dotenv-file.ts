// `.env` support through the runtime's own parser (process.loadEnvFile, Node >= 20.12), which keeps
// variables already set in the environment: the environment wins over the file, as with dotenv.
import { existsSync } from 'node:fs';

/** Loads KEY=value lines from `path` into process.env when the file exists; a missing file is fine. */
export function loadDotenvFile(path: string): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
