// The published JSON Schema: what editors show on hover must agree with what loadConfig does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { SCHEMA_OPTIONS } from '../../src/config/validate-schema.js';
import { PACK_NAMES } from '../../src/detect/packs/index.js';

interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
  definitions?: Record<string, SchemaNode>;
  propertyNames?: { enum?: string[] };
  $ref?: string;
}
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'sentinel.schema.json'), 'utf8')) as SchemaNode;
const at = (pointer: string): SchemaNode =>
  pointer.split('/').reduce<SchemaNode>((node, seg) => (node as Record<string, SchemaNode>)[seg] as SchemaNode, schema);

describe('sentinel.schema.json', () => {
  it('is a valid schema under its draft meta-schema (loadConfig skips that check at start-up)', () => {
    const ajv = new Ajv({ ...SCHEMA_OPTIONS });
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(ajv.errors ?? null).toBeNull();
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('describes every top-level key and every rule / source / match key (editor hover)', () => {
    const missing: string[] = [];
    const check = (name: string, node: SchemaNode | undefined): void => {
      for (const [key, prop] of Object.entries(node?.properties ?? {})) {
        if (!prop.description && !prop.$ref) missing.push(`${name}.${key}`);
      }
    };
    check('(top)', schema);
    for (const def of ['source', 'rule', 'match', 'slack']) check(def, schema.definitions?.[def]);
    check('brain', at('properties/brain'));
    check('incidents', at('properties/incidents'));
    expect(missing).toEqual([]);
  });

  it.each<[string, number | string]>([
    ['definitions/source/properties/max_line_bytes', DEFAULTS.source.max_line_bytes],
    ['definitions/source/properties/poll_interval_ms', DEFAULTS.source.poll_interval_ms],
    ['definitions/source/properties/max_files', DEFAULTS.source.max_files],
    ['definitions/source/properties/multiline/properties/timeout_ms', DEFAULTS.source.multiline.timeout_ms],
    ['definitions/source/properties/multiline/properties/max_lines', DEFAULTS.source.multiline.max_lines],
    ['definitions/source/properties/multiline/properties/max_bytes', DEFAULTS.source.multiline.max_bytes],
    ['definitions/rule/properties/severity', DEFAULTS.rule.severity],
    ['properties/state_dir', DEFAULTS.state_dir],
    ['properties/server/properties/port', DEFAULTS.server.port],
    ['properties/server/properties/host', DEFAULTS.server.host],
    ['properties/incidents/properties/resolve_after_secs', DEFAULTS.incidents.resolve_after_secs],
    ['properties/incidents/properties/cooldown_secs', DEFAULTS.incidents.cooldown_secs],
    ['properties/incidents/properties/storm/properties/window_secs', DEFAULTS.incidents.storm.window_secs],
    ['properties/incidents/properties/storm/properties/max_individual_alerts', DEFAULTS.incidents.storm.max_individual_alerts],
    ['properties/incidents/properties/lines_after/properties/max_lines', DEFAULTS.incidents.lines_after.max_lines],
    ['properties/incidents/properties/lines_after/properties/quiet_ms', DEFAULTS.incidents.lines_after.quiet_ms],
    ['properties/incidents/properties/lines_after/properties/max_wait_ms', DEFAULTS.incidents.lines_after.max_wait_ms],
    ['properties/incidents/properties/max_tracked', DEFAULTS.incidents.max_tracked],
    ['properties/notify/properties/max_retry_delay_ms', DEFAULTS.notify.max_retry_delay_ms],
    ['definitions/slack/properties/rate_per_sec', DEFAULTS.slack.rate_per_sec],
    ['properties/brain/properties/timeout_ms', DEFAULTS.brain.timeout_ms],
    ['properties/brain/properties/gemini/properties/model', DEFAULTS.brain.gemini.model],
    ['properties/brain/properties/gemini/properties/timeout_ms', DEFAULTS.brain.gemini.timeout_ms],
    ['properties/brain/properties/gemini/properties/daily_call_budget', DEFAULTS.brain.gemini.daily_call_budget],
    ['properties/brain/properties/gemini/properties/max_input_tokens', DEFAULTS.brain.gemini.max_input_tokens],
    ['properties/brain/properties/openai/properties/timeout_ms', DEFAULTS.brain.openai.timeout_ms],
    ['properties/brain/properties/openai/properties/daily_call_budget', DEFAULTS.brain.openai.daily_call_budget],
    ['properties/brain/properties/openai/properties/max_input_tokens', DEFAULTS.brain.openai.max_input_tokens],
    ['properties/brain/properties/audit_max_bytes', DEFAULTS.brain.audit_max_bytes],
  ])('%s says "Default %s"', (pointer, value) => {
    expect(at(pointer).description).toContain(`Default ${value}.`);
  });

  it('knows exactly the built-in packs', () => {
    expect(at('properties/packs').propertyNames?.enum).toEqual([...PACK_NAMES]);
  });
});
