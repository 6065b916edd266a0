// The JSON Schema of sentinel.yaml, derived from the definition (config-definition.ts): the one the
// validator uses (with Ajv's useDefaults, so validation also fills the constant defaults) and the
// one `npm run schema` writes to schema/sentinel.schema.json for editors. A test keeps that file
// equal to this function's output.
//
// The derivation: keys with a default leave `required` (the definition types the complete config;
// the file may omit them); shared definitions move under `definitions` and are referred to as
// `#/definitions/<id>`; a description gains "Default X." from the default itself.
import { Config, SHARED_DEFINITIONS } from './config-definition.js';
import { DEFAULT_IN_WORDS, type Annotated } from './schema-builders.js';

export type JsonSchema = Record<string, unknown>;

export const SCHEMA_ID = 'https://github.com/pipeline-sentinel/pipeline-sentinel/schema/sentinel.schema.json';

/** Keywords whose values are data, not schemas: copied as they are. */
const DATA_KEYWORDS = new Set(['default', 'enum', 'const', 'examples', 'required']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A default as a person reads it: `end`, 9464, none; undefined for a structure (said in prose instead). */
export function defaultText(schema: Annotated): string | undefined {
  const words = schema[DEFAULT_IN_WORDS];
  if (words !== undefined) return words;
  const value = (schema as { default?: unknown }).default;
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.length === 0) return 'none';
  if (isObject(value) && Object.keys(value).length === 0) return 'none';
  if (typeof value === 'string') return `\`${value}\``;
  if (typeof value === 'number' || typeof value === 'boolean') return `\`${String(value)}\``;
  return undefined;
}

function omittable(schema: unknown): boolean {
  return isObject(schema) && ('default' in schema || (schema as Annotated)[DEFAULT_IN_WORDS] !== undefined);
}

function publishNode(node: unknown, definitionIds: Set<string>, forFile: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => publishNode(item, definitionIds, forFile));
  if (!isObject(node)) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$id') continue; // a definition's name is its key under `definitions`
    if (key === '$ref' && typeof value === 'string' && definitionIds.has(value)) out.$ref = `#/definitions/${value}`;
    else if (DATA_KEYWORDS.has(key)) out[key] = structuredClone(value);
    else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, prop]) => [name, publishNode(prop, definitionIds, forFile)]));
    } else out[key] = publishNode(value, definitionIds, forFile);
  }
  if (forFile && isObject(node.properties) && Array.isArray(node.required)) {
    const properties = node.properties;
    const required = (node.required as string[]).filter((name) => !omittable(properties[name]));
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  const text = defaultText(node as Annotated);
  if (typeof out.description === 'string' && text !== undefined && text !== 'none') {
    // "Default 9464." for a constant, "Default: on when no Slack destination is set." in words.
    const words = (node as Annotated)[DEFAULT_IN_WORDS] !== undefined;
    out.description = `${out.description} Default${words ? ':' : ''} ${text.replace(/`/g, '')}.`;
  }
  return inReadingOrder(out);
}

/** What a reader of the file looks for first: the reference or description, then the type; the default last. */
function inReadingOrder(schema: JsonSchema): JsonSchema {
  const { $ref, description, type, default: fallback, ...rest } = schema;
  const ordered: JsonSchema = {};
  if ($ref !== undefined) ordered.$ref = $ref;
  if (description !== undefined) ordered.description = description;
  if (type !== undefined) ordered.type = type;
  Object.assign(ordered, rest);
  if (fallback !== undefined) ordered.default = fallback;
  return ordered;
}

let cached: JsonSchema | undefined;

/** The published JSON Schema (a fresh copy each call: Ajv and callers may annotate it). */
export function publishedSchema(): JsonSchema {
  cached ??= build();
  return structuredClone(cached);
}

/**
 * The schema of the *complete* config (every key the types say is set is required): what
 * loadConfig must return. Tests hold filled configs against it, so fill-defaults.ts cannot forget
 * a key the definition types as always set.
 */
export function completeConfigSchema(): JsonSchema {
  return build(false);
}

function build(forFile = true): JsonSchema {
  const ids = new Set(SHARED_DEFINITIONS.map((d) => d.$id as string));
  const root = publishNode(Config, ids, forFile) as JsonSchema;
  const definitions = Object.fromEntries(SHARED_DEFINITIONS.map((d) => [d.$id as string, publishNode(d, ids, forFile)]));
  const { title, description, ...rest } = root;
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: SCHEMA_ID, title, description, ...rest, definitions };
}

/** The text `npm run schema` writes to schema/sentinel.schema.json. */
export function publishedSchemaText(): string {
  return `${JSON.stringify(publishedSchema(), null, 2)}\n`;
}
