// One definition of the configuration (src/config/config-definition.ts): the published JSON Schema,
// the README's reference table and the config loadConfig returns must all agree with it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, END_MARKER, withConfigReference } from '../../scripts/config-reference.js';
import { configValidatorSource, GENERATED_VALIDATOR_FILE } from '../../scripts/config-validator-source.js';
import { defaultConfig, loadConfigText } from '../../src/config/load-config.js';
import { OPTIONAL_SECRET_KEYS } from '../../src/config/config-definition.js';
import { completeConfigSchema, publishedSchema, publishedSchemaText } from '../../src/config/published-schema.js';
import { PACK_NAMES } from '../../src/detect/packs/index.js';
import { SCHEMA_OPTIONS } from '../../src/config/validate-schema.js';

const REPO = join(import.meta.dirname, '..', '..');
const read = (file: string): string => readFileSync(join(REPO, file), 'utf8');

interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
  propertyNames?: { enum?: string[] };
  $ref?: string;
  [key: string]: unknown;
}

/** Every `properties` entry anywhere in the schema, with a readable path. */
function everyProperty(node: unknown, path: string, out: { path: string; key: string; node: SchemaNode }[] = []): typeof out {
  if (node === null || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    node.forEach((item, i) => everyProperty(item, `${path}[${i}]`, out));
    return out;
  }
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'default' || key === 'enum') continue;
    if (key === 'properties' && value !== null && typeof value === 'object') {
      for (const [name, prop] of Object.entries(value as Record<string, SchemaNode>)) {
        out.push({ path: `${path}.${name}`, key: name, node: prop });
        everyProperty(prop, `${path}.${name}`, out);
      }
    } else everyProperty(value, `${path}.${key}`, out);
  }
  return out;
}

describe('the config definition', () => {
  it('is a valid schema under its draft meta-schema (loadConfig skips that check at start-up)', () => {
    const ajv = new Ajv({ ...SCHEMA_OPTIONS });
    expect(ajv.validateSchema(publishedSchema())).toBe(true);
    expect(ajv.errors ?? null).toBeNull();
  });

  it('is what schema/sentinel.schema.json holds (run `npm run schema` after changing a key)', () => {
    expect(read('schema/sentinel.schema.json')).toBe(publishedSchemaText());
  });

  it('is what the compiled validator checks (run `npm run schema` after changing a key)', () => {
    expect(read(GENERATED_VALIDATOR_FILE)).toBe(configValidatorSource());
  });

  it("is what README.md's configuration reference says (run `npm run schema` after changing a key)", () => {
    const readme = read('README.md');
    expect(readme).toContain(BEGIN_MARKER);
    expect(readme).toContain(END_MARKER);
    expect(readme).toBe(withConfigReference(readme));
  });

  it('leaves no key out of the README reference: every key of the schema has a row', () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf(BEGIN_MARKER), readme.indexOf(END_MARKER));
    const keysInTable = new Set([...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => (m[1] ?? '').split('.').pop()?.replace('[]', '')));
    const keysInSchema = new Set(everyProperty(publishedSchema(), '').map((p) => p.key));
    expect([...keysInSchema].filter((key) => !keysInTable.has(key))).toEqual([]);
    expect(keysInSchema.size).toBeGreaterThan(60);
  });

  it('describes every key (editor hover and the README)', () => {
    const undescribed = everyProperty(publishedSchema(), '').filter((p) => !p.node.description);
    expect(undescribed.map((p) => p.path)).toEqual([]);
  });

  it('states each constant default in the description editors show', () => {
    const props = everyProperty(publishedSchema(), '').filter((p) => ['number', 'string', 'boolean'].includes(typeof p.node.default));
    expect(props.length).toBeGreaterThan(25);
    for (const p of props) expect(p.node.description, p.path).toContain(`Default ${String(p.node.default)}.`);
  });

  it("README names exactly the keys whose unset ${VAR} leaves them out (OPTIONAL_SECRET_KEYS)", () => {
    const sentence = /except for optional secrets \(([^)]*)\)/.exec(read('README.md').replace(/\s+/g, ' '))?.[1] ?? '';
    expect(new Set([...sentence.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]))).toEqual(OPTIONAL_SECRET_KEYS);
  });

  it('knows exactly the built-in packs', () => {
    const packs = (publishedSchema().properties as Record<string, SchemaNode>).packs;
    expect(packs?.propertyNames?.enum).toEqual([...PACK_NAMES]);
  });

  it('types the config loadConfig returns: every key the types say is set, is set, and nothing else', () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(completeConfigSchema());
    const configs = {
      embedded: defaultConfig({}),
      'embedded, with the environment': defaultConfig({ SLACK_WEBHOOK_URL: 'https://hooks.slack.test/x', GOOGLE_API_KEY: 'k' }),
      'sentinel.yaml': loadConfigText(read('sentinel.yaml'), 'sentinel.yaml', { SLACK_WEBHOOK_URL: 'https://hooks.slack.test/x' }),
      'every section': loadConfigText(
        [
          'sources: [{ paths: [/a/*.log] }, { name: b, paths: [/b.log], multiline: { start_pattern: "^\\\\d" } }]',
          'rules: [{ id: r, match: { regex: boom happened }, threshold: { count: 2, window_secs: 5 } }]',
          'lists: { hosts: [a, 1, true] }',
          'notify: { slack: [{ webhook_url: "https://hooks.slack.test/1" }, { bot_token: t, channel: C1, severities: [critical] }] }',
          'brain: { openai: { base_url: "http://127.0.0.1:1/v1", model: m } }',
          'redact: { patterns: [{ name: x, regex: "tok_[a-z]+" }] }',
        ].join('\n'),
        'every.yaml',
        {},
      ),
    };
    for (const [name, config] of Object.entries(configs)) {
      const { file: _file, ...rest } = config;
      validate(structuredClone(rest));
      expect(validate.errors ?? [], name).toEqual([]);
    }
    expect(configs['every section'].sources.map((s) => s.name)).toEqual(['source-1', 'b']);
    expect(configs['every section'].notify.slack.map((s) => s.name)).toEqual(['slack', 'slack-2']);
    expect(configs['every section'].lists).toEqual({ hosts: ['a', '1', 'true'] });
  });

  it('fills defaults as fresh values: two configs never share a default object', () => {
    const a = loadConfigText('rules: [{ id: a, match: { regex: boom happened } }]', 'a.yaml');
    const b = loadConfigText('rules: [{ id: b, match: { regex: boom happened } }]', 'b.yaml');
    expect(a.sources[0]).toEqual(b.sources[0]);
    expect(a.sources[0]).not.toBe(b.sources[0]);
    expect(a.incidents.success_match).not.toBe(b.incidents.success_match);
    expect(a.rules[0]?.labels).not.toBe(b.rules[0]?.labels);
  });
});
