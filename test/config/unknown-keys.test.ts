// `sentinel check` names the exact key path of an unknown key wherever it sits, in every section the
// definition has now or gains later: the cases are generated from the published schema itself.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { evaluateConfigText } from '../../src/config/load-config.js';
import { publishedSchema } from '../../src/config/published-schema.js';
import { formatPath } from '../../src/config/yaml-locator.js';

interface Node {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  then?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
}

const schema = publishedSchema() as unknown as Node & { definitions: Record<string, Node> };
const resolve = (node: Node): Node => (node.$ref ? (schema.definitions[node.$ref.replace('#/definitions/', '')] ?? node) : node);

/** Every place a mapping with fixed keys can sit, as a path into the value (list items as index 0). */
function mappingPaths(node: Node, path: (string | number)[], seen: Set<string>, out: (string | number)[][]): void {
  if (node.$ref) {
    if (seen.has(node.$ref)) return; // the match expression refers to itself
    seen = new Set([...seen, node.$ref]);
  }
  const target = resolve(node);
  if (target.properties) {
    out.push(path);
    for (const [key, child] of Object.entries(target.properties)) mappingPaths(child, [...path, key], seen, out);
  }
  if (target.items) mappingPaths(target.items, [...path, 0], seen, out);
  if (target.then?.items) mappingPaths(target.then.items, [...path, 0], seen, out);
  if (typeof target.additionalProperties === 'object') mappingPaths(target.additionalProperties, [...path, 'some_name'], seen, out);
}

function valueAt(path: (string | number)[], leaf: unknown): unknown {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path;
  return typeof head === 'number' ? [valueAt(rest, leaf)] : { [head as string]: valueAt(rest, leaf) };
}

const places: (string | number)[][] = [];
mappingPaths(schema, [], new Set(), places);

describe('unknown keys', () => {
  it('finds the mappings of every section (sanity: the walk reaches nested and list sections)', () => {
    const names = places.map((p) => formatPath(p));
    expect(names).toEqual(expect.arrayContaining(['(top level)', 'sources[0].multiline', 'rules[0].threshold', 'incidents.storm', 'notify.slack[0]', 'brain.openai', 'rules[0].match', 'macros.some_name']));
  });

  it.each(places.map((p) => [formatPath(p), p] as const))('under %s: reported with its exact key path and position', (_name, place) => {
    const text = stringify(valueAt(place, { zz_unknown: 1 }));
    const { problems } = evaluateConfigText(text, 'sentinel.yaml', {});
    const at = [...place, 'zz_unknown'];
    const problem = problems.find((p) => p.message.includes('unknown key "zz_unknown"'));
    expect(problem, `${text}\n${problems.map((p) => p.message).join('\n')}`).toBeDefined();
    expect(problem?.path).toBe(formatPath(at));
    expect(problem?.message.startsWith(`${formatPath(at)}: `)).toBe(true);
    const line = text.split('\n').findIndex((l) => l.includes('zz_unknown')) + 1;
    expect(problem?.line).toBe(line);
  });

  it('no section uses anyOf / oneOf (their errors name every branch; use oneOrList or stringEnum)', () => {
    const text = JSON.stringify(schema);
    expect(text).not.toMatch(/"(anyOf|oneOf)"/);
  });

  it('every mapping with fixed keys is closed (an unknown key is an error, never ignored)', () => {
    const open: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.properties && n.additionalProperties !== false) open.push(where);
      for (const [k, v] of Object.entries(n)) if (k !== 'default' && k !== 'enum') walk(v, `${where}/${k}`);
    };
    walk(schema, '#');
    expect(open).toEqual([]);
  });
});
