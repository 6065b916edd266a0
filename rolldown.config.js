// @ts-check
// The CLI as one bundled ES module (plus one chunk per lazily loaded part), built by `npm run build`
// after tsc: bin/sentinel.js runs dist/bundle/sentinel.js. Resolving and linking ~450 separate
// modules was most of the agent's start-up (docs/benchmarks.md, "Start-up and idle cost"; ADR 0006).
// Every dependency is bundled, so the runtime image needs no node_modules.
import { createRequire, isBuiltin } from 'node:module';
import { defineConfig } from 'rolldown';

/**
 * Accessor exports of Node's built-ins the bundled code imports by name. Every other accessor is left
 * unread: some load a whole subsystem on first read (node:http's `WebSocket` loads undici, Node's
 * fetch stack; node:crypto's `webcrypto` the Web Crypto API), some print a deprecation warning
 * (node:fs's `F_OK`). A name missing here fails the build with MISSING_EXPORT.
 */
const ACCESSORS_IMPORTED = ['promises'];

/**
 * Serves Node's built-in modules to the bundle through require() instead of an ES import. Node's ES
 * facade of a built-in reads every export at link time, accessors included: ~100 ms of CPU and
 * megabytes of heap at every start (nodejs/node#59686). require() returns the module object and
 * reads nothing; the bundle's named imports are its plain values and ACCESSORS_IMPORTED. node:module
 * stays an import: it provides createRequire.
 * @returns {import('rolldown').Plugin}
 */
function builtinsThroughRequire() {
  const PREFIX = '\0require-builtin:';
  const require = createRequire(import.meta.url);
  return {
    name: 'builtins-through-require',
    // ES imports only: a bundled require() call already gets the module object itself, as it must
    // (CommonJS code reads accessors such as `fs.ReadStream` off it).
    resolveId: (id, _importer, { kind }) =>
      kind === 'import-statement' && isBuiltin(id) && !/^(node:)?module$/.test(id) ? `${PREFIX}${id.replace(/^node:/, '')}` : null,
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const name = `node:${id.slice(PREFIX.length)}`;
      const names = Object.entries(Object.getOwnPropertyDescriptors(require(name)))
        .filter(([key, descriptor]) => 'value' in descriptor || ACCESSORS_IMPORTED.includes(key))
        .map(([key]) => key)
        .filter((key) => /^[A-Za-z_$][\w$]*$/.test(key) && key !== 'default');
      return [
        `import { createRequire } from 'node:module';`,
        `const builtin = createRequire(import.meta.url)(${JSON.stringify(name)});`,
        'export default builtin;',
        `export const { ${names.join(', ')} } = builtin;`,
      ].join('\n');
    },
  };
}

/**
 * prom-client's index loads every part it has: the Pushgateway client (node:https, node:tls,
 * node:zlib), the cluster aggregator, summaries, and @opentelemetry/api (51 modules) for exemplars,
 * which the CPU counter of its default metrics requires at load even when exemplars are off. The
 * bundle takes the parts src/metrics/metrics.ts imports from their own files instead (a name
 * imported from 'prom-client' and missing here fails the build with MISSING_EXPORT), and gives
 * that CPU counter an @opentelemetry/api that says so if exemplars were ever turned on.
 * @returns {import('rolldown').Plugin}
 */
function promClientParts() {
  const PARTS = '\0prom-client-parts';
  const NO_OTEL = '\0prom-client-no-otel';
  return {
    name: 'prom-client-parts',
    resolveId(id, importer) {
      if (id === 'prom-client' && importer?.includes('/dist/src/')) return PARTS;
      if (id === '@opentelemetry/api' && importer?.includes('/prom-client/lib/')) return NO_OTEL;
      return null;
    },
    load(id) {
      if (id === PARTS) {
        const parts = { Registry: 'registry', Counter: 'counter', Gauge: 'gauge', Histogram: 'histogram', collectDefaultMetrics: 'defaultMetrics' };
        return Object.entries(parts)
          .map(([name, file]) => `export { default as ${name} } from 'prom-client/lib/${file}.js';`)
          .join('\n');
      }
      if (id === NO_OTEL) {
        return [
          "const off = () => { throw new Error('prom-client exemplars need @opentelemetry/api, which the bundle leaves out'); };",
          'export const trace = { getSpan: off };',
          'export const context = { active: off };',
        ].join('\n');
      }
      return null;
    },
  };
}

/**
 * sonic-boom and thread-stream (pino's writers) require node:assert for one check each (a number
 * for a file descriptor, a mode); loading Node's assert module for that cost an idle agent ~0.2 MB
 * (docs/benchmarks.md, "Thirteenth round"). They get a function that checks the same and throws
 * the same kind of error (`code: 'ERR_ASSERTION'`). Any other importer of assert gets Node's.
 * @returns {import('rolldown').Plugin}
 */
function plainAssertForPinoWriters() {
  const ID = '\0plain-assert';
  return {
    name: 'plain-assert-for-pino-writers',
    resolveId: (id, importer) => (/^(node:)?assert$/.test(id) && /[\\/]node_modules[\\/](sonic-boom|thread-stream)[\\/]/.test(importer ?? '') ? ID : null),
    load: (id) =>
      id === ID
        ? [
            'module.exports = function assert(value, message) {',
            '  if (value) return;',
            "  const error = new Error(message === undefined ? 'The expression evaluated to a falsy value' : String(message));",
            "  error.code = 'ERR_ASSERTION';",
            '  throw error;',
            '};',
          ].join('\n')
        : null,
  };
}

export default defineConfig([{
  input: { sentinel: 'dist/src/cli/main.js' },
  platform: 'node',
  plugins: [builtinsThroughRequire(), promClientParts(), plainAssertForPinoWriters()],
  // Bundled CommonJS dependencies (pino's transport loader resolves paths from __dirname) read
  // the CommonJS module globals, which an ES module lacks; rolldown leaves them in place
  // (rolldown/rolldown#9719). They get the chunk's own, which is what those uses need.
  transform: { define: { __filename: 'import.meta.filename', __dirname: 'import.meta.dirname' } },
  output: {
    dir: 'dist/bundle',
    format: 'esm',
    // Chunks beside the entry, not in a subfolder: version.ts finds package.json two levels up.
    chunkFileNames: '[name]-[hash].js',
    cleanDir: true,
    // The per-module comments name each source file, enough to read a stack trace.
    sourcemap: false,
    // V8 keeps each module's source text in the heap for as long as the process runs; one non-ASCII
    // character (an ellipsis in a message) makes it a two-byte string, twice the memory. Escaped,
    // every chunk stays one byte per character.
    charset: 'ascii',
    // JSDoc is for editors, not for the process that holds the text; licence comments stay.
    comments: { legal: true, annotation: true, jsdoc: false },
  },
  // bufferutil and utf-8-validate: optional native speed-ups `ws` (in @google/genai) tries and
  // does without; they are not installed.
  external: ['bufferutil', 'utf-8-validate'],
}, {
  // The config loader once more, as one CommonJS file: `sentinel run` requires it for each read of
  // its config and drops it from require's cache after, so an idle agent does not hold yaml, the
  // schema and the generated validator (~1.8 MB of RSS; src/cli/released-config-loader.ts, ADR
  // 0029). An ES module is never unloaded. Node's built-ins stay plain require() calls here.
  input: 'dist/src/config/load-config.js',
  platform: 'node',
  output: {
    file: 'dist/bundle/config-loader.cjs',
    format: 'cjs',
    sourcemap: false,
    charset: 'ascii',
    comments: { legal: true, annotation: true, jsdoc: false },
  },
}]);
