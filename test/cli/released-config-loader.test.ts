// `sentinel run` reads its config through a CommonJS copy of the loader that it lets go of after each
// read (ADR 0029): the copy must be collectable afterwards, and its errors must reach the agent as the
// bundle's own classes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { asOwnError, resolveConfigWith, withReleasedConfigLoader } from '../../src/cli/released-config-loader.js';
import { ConfigError } from '../../src/config/config-error.js';
import { SentinelError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/sentinel-process.js';

const BUNDLE = join(REPO_ROOT, 'dist/bundle');

/** The bundle's chunk holding the released loader, and the names it exports our functions as. */
function releasedLoaderChunk(): { file: string; exportOf: (name: string) => string } {
  const chunk = readdirSync(BUNDLE).find((name) => name.startsWith('released-config-loader-') && name.endsWith('.js'));
  if (!chunk) throw new Error('dist/bundle has no released-config-loader chunk: run npm run build');
  const file = join(BUNDLE, chunk);
  const text = readFileSync(file, 'utf8');
  return {
    file,
    exportOf: (name) => {
      const alias = new RegExp(`\\b${name} as (\\w+)`).exec(text)?.[1] ?? (new RegExp(`export \\{[^}]*\\b${name}\\b`).test(text) ? name : undefined);
      if (!alias) throw new Error(`${chunk} does not export ${name}`);
      return alias;
    },
  };
}

/** Runs an ES module script in a fresh `node --expose-gc` and returns what it printed as JSON. */
function runScript(script: string, cwd: string): unknown {
  const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`script failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? 'null');
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const workspace = (): { dir: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-loader-'));
  dirs.push(dir);
  return { dir };
};

describe('the config loader released after each read (bundle)', () => {

  it('reads a config, drops the loader from require.cache, and the loader is collected', () => {
    const ws = workspace();
    const config = join(ws.dir, 'agent.yaml');
    writeFileSync(config, `sources:\n  - name: app\n    paths: ["${ws.dir}/app.log"]\nstate_dir: ${ws.dir}/state\n`);
    const { file, exportOf } = releasedLoaderChunk();
    const result = runScript(
      `
      import { createRequire } from 'node:module';
      const chunk = await import(${JSON.stringify(file)});
      const withLoader = chunk[${JSON.stringify(exportOf('withReleasedConfigLoader'))}];
      let collected = false;
      const registry = new FinalizationRegistry(() => { collected = true; });
      const loaded = await withLoader((loader) => {
        registry.register(loader, 'loader');
        return loader.loadConfig(${JSON.stringify(config)}, {});
      });
      const cached = Object.keys(createRequire(import.meta.url).cache).filter((key) => key.endsWith('config-loader.cjs'));
      for (let i = 0; i < 5 && !collected; i++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      console.log(JSON.stringify({ sources: loaded.sources.map((s) => s.name), frozen: Object.isFrozen(loaded), cached, collected }));
      `,
      ws.dir,
    );
    expect(result).toEqual({ sources: ['app'], frozen: true, cached: [], collected: true });
  });

  it("turns the copy's ConfigError and SentinelError into the bundle's own", () => {
    const ws = workspace();
    const bad = join(ws.dir, 'bad.yaml');
    writeFileSync(bad, 'sources:\n  - name: app\n    paths: 42\nnot_a_key: true\n');
    const { file, exportOf } = releasedLoaderChunk();
    const errorsChunk = readdirSync(BUNDLE).find((name) => /^errors-.*\.js$/.test(name) && /\bSentinelError = class\b|class SentinelError\b/.test(readFileSync(join(BUNDLE, name), 'utf8')));
    if (!errorsChunk) throw new Error('dist/bundle has no errors chunk');
    const sentinelErrorAlias = /\bSentinelError as (\w+)/.exec(readFileSync(join(BUNDLE, errorsChunk), 'utf8'))?.[1] ?? 'SentinelError';
    const result = runScript(
      `
      const chunk = await import(${JSON.stringify(file)});
      const { [${JSON.stringify(sentinelErrorAlias)}]: SentinelError } = await import(${JSON.stringify(join(BUNDLE, errorsChunk))});
      const withLoader = chunk[${JSON.stringify(exportOf('withReleasedConfigLoader'))}];
      const caught = async (path) => withLoader((loader) => loader.loadConfig(path, {})).then(() => null, (error) => error);
      const invalid = await caught(${JSON.stringify(bad)});
      const missing = await caught(${JSON.stringify(join(ws.dir, 'nope.yaml'))});
      console.log(JSON.stringify({
        invalid: { ours: invalid instanceof SentinelError, name: invalid.name, code: invalid.code, problems: invalid.problems.length, lines: invalid.problems.map((p) => p.line) },
        missing: { ours: missing instanceof SentinelError, code: missing.code, says: missing.message.includes('nope.yaml') },
      }));
      `,
      ws.dir,
    );
    expect(result).toMatchObject({
      invalid: { ours: true, name: 'ConfigError', code: 'SENTINEL_ERR_CONFIG_INVALID', lines: [3, 4] },
      missing: { ours: true, code: 'SENTINEL_ERR_CONFIG_NOT_FOUND', says: true },
    });
  });
});

describe('the config loader run unbundled', () => {
  it('imports the ES module when no CommonJS copy lies beside it', async () => {
    const ws = workspace();
    const file = join(ws.dir, 'agent.yaml');
    writeFileSync(file, `sources:\n  - name: unbundled\n    paths: ["${ws.dir}/app.log"]\nstate_dir: ${ws.dir}/state\n`);
    const config = await withReleasedConfigLoader((loader) => resolveConfigWith(loader, file));
    expect(config.file).toBe(file);
    expect(config.sources.map((s) => s.name)).toEqual(['unbundled']);
    await expect(withReleasedConfigLoader((loader) => loader.loadConfig(join(ws.dir, 'nope.yaml')))).rejects.toMatchObject({ code: 'SENTINEL_ERR_CONFIG_NOT_FOUND' });
  });
});

describe('asOwnError', () => {
  class ForeignSentinelError extends Error {
    constructor(
      readonly code: string,
      message: string,
      readonly problems?: unknown[],
    ) {
      super(message);
    }
  }

  it('gives a foreign config error with problems the class ConfigError, problems kept', () => {
    const problems = [{ file: 'a.yaml', line: 2, column: 3, message: 'bad' }];
    const own = asOwnError(new ForeignSentinelError('SENTINEL_ERR_CONFIG_INVALID', 'a.yaml:2:3: bad', problems));
    expect(own).toBeInstanceOf(ConfigError);
    expect((own as ConfigError).problems).toEqual(problems);
    expect((own as ConfigError).message).toBe('a.yaml:2:3: bad');
  });

  it('gives another catalogued code the class SentinelError, message kept', () => {
    const own = asOwnError(new ForeignSentinelError('SENTINEL_ERR_CONFIG_NOT_FOUND', 'x.yaml: cannot read'));
    expect(own).toBeInstanceOf(SentinelError);
    expect(own).not.toBeInstanceOf(ConfigError);
    expect((own as SentinelError).code).toBe('SENTINEL_ERR_CONFIG_NOT_FOUND');
  });

  it('leaves alone our own errors, errors without a catalogued code, and non-errors', () => {
    const ours = new SentinelError('SENTINEL_ERR_INTERNAL', 'x');
    const plain = new TypeError('boom');
    const uncatalogued = new ForeignSentinelError('EACCES', 'denied');
    const invalidWithoutProblems = new ForeignSentinelError('SENTINEL_ERR_CONFIG_INVALID', 'no list');
    expect(asOwnError(ours)).toBe(ours);
    expect(asOwnError(plain)).toBe(plain);
    expect(asOwnError(uncatalogued)).toBe(uncatalogued);
    expect(asOwnError('text')).toBe('text');
    expect(asOwnError(invalidWithoutProblems)).toBeInstanceOf(SentinelError);
    expect(asOwnError(invalidWithoutProblems)).not.toBeInstanceOf(ConfigError);
  });
});
