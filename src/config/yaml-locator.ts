// Maps a path in the parsed value (['rules', 2, 'match', 'regex']) back to the line and column of
// its YAML node, so every config problem can be printed as FILE:LINE:COL.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type ConfigPath = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  column: number;
}

export interface Locator {
  /** Where the value at `path` is; with `key`, where its key is (for unknown / duplicate keys). Falls back to the nearest ancestor. */
  at(path: ConfigPath, key?: boolean): Position;
  /** The YAML node at `path`, if any. */
  node(path: ConfigPath): Node | null;
}

export function createLocator(doc: Document, lineCounter: LineCounter): Locator {
  const position = (offset: number | undefined): Position => {
    if (offset === undefined) return { line: 1, column: 1 };
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const walk = (path: ConfigPath, key: boolean): { node: Node | null; offset: number | undefined } => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0];
    for (let i = 0; i < path.length; i++) {
      if (isAlias(node)) node = node.resolve(doc);
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) return { node: null, offset };
        const keyNode = pair.key as Node | null;
        if (last && key) return { node: keyNode, offset: keyNode?.range?.[0] ?? offset };
        const value = pair.value as Node | null;
        // `key:` with no value: point at the key.
        offset = value?.range?.[0] ?? keyNode?.range?.[0] ?? offset;
        node = value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) return { node: null, offset };
        offset = item.range?.[0] ?? offset;
        node = item;
      } else {
        return { node: null, offset };
      }
    }
    return { node: (node as Node | null) ?? null, offset };
  };

  return {
    at: (path, key = false) => position(walk(path, key).offset),
    node: (path) => walk(path, false).node,
  };
}

/** `rules[2].match.regex` */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? '(top level)' : out;
}
