// docs/architecture.md is the contract the code is held to: these checks keep its import table the
// one `npm run imports` enforces (.dependency-cruiser.js), and every path it names real.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/architecture.md', root), 'utf8');

function section(title: string): string {
  const start = doc.indexOf(`## ${title}`);
  expect(start, `docs/architecture.md has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

/** Folder → the folders it may import, as the "Allowed imports" table gives them. */
function documentedTable(): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const row of section('Allowed imports').split('\n')) {
    const cells = row.split('|').map((c) => c.trim());
    const folder = /^`([a-z]+)`/.exec(cells[1] ?? '')?.[1];
    if (!folder || cells.length < 4) continue;
    table.set(folder, [...(cells[2] ?? '').matchAll(/`([a-z]+)`/g)].map((m) => m[1] as string).sort());
  }
  return table;
}

describe('docs/architecture.md', () => {
  it('gives the same allowed imports as the rule file npm test checks', async () => {
    const rules = (await import(new URL('.dependency-cruiser.js', root).href)) as { MAY_IMPORT: Record<string, string[]> };
    const enforced = new Map(Object.entries(rules.MAY_IMPORT).map(([folder, allowed]) => [folder, [...allowed].sort()]));
    expect(documentedTable()).toEqual(enforced);
  });

  it('places every folder of src/ in the import table', () => {
    const table = documentedTable();
    const folders = readdirSync(new URL('src/', root)).filter((name) => statSync(new URL(`src/${name}`, root)).isDirectory());
    expect(folders.length).toBeGreaterThan(10);
    for (const folder of folders) expect(table.has(folder), `src/${folder}/ is in the "Allowed imports" table`).toBe(true);
  });

  it('names only files and folders that exist', () => {
    const paths = [...doc.matchAll(/`((?:src|scripts|test|docs)\/[\w./-]*)`/g)].map((m) => m[1] as string);
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) expect(existsSync(new URL(path, root)), path).toBe(true);
  });
});
