// The JSON Schema lives in schema/sentinel.schema.json (published for editors); the validator reads
// the same file. It is found relative to this module, from src/config (tsx, vitest) as well as from
// dist/src/config (the build), so the package and the Docker image must ship schema/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCHEMA_RELATIVE_PATH = join('schema', 'sentinel.schema.json');

let cached: Record<string, unknown> | undefined;

export function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, SCHEMA_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`${SCHEMA_RELATIVE_PATH} not found above ${fileURLToPath(import.meta.url)}`);
}

export function loadSchema(): Record<string, unknown> {
  cached ??= JSON.parse(readFileSync(schemaPath(), 'utf8')) as Record<string, unknown>;
  return cached;
}
