// @ts-check
// The CLI as one bundled ES module (plus one chunk per lazily loaded part), built by `npm run build`
// after tsc: bin/sentinel.js runs dist/bundle/sentinel.js. Resolving and linking ~450 separate
// modules was most of the agent's start-up (docs/benchmarks.md, "Start-up and idle cost"; ADR 0006).
// Every dependency is bundled, so the runtime image needs no node_modules.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: { sentinel: 'dist/src/cli/main.js' },
  platform: 'node',
  // Bundled CommonJS dependencies (write-file-atomic names its temp files after __filename) read
  // the CommonJS module globals, which an ES module lacks; rolldown leaves them in place
  // (rolldown/rolldown#9719). They get the chunk's own, which is what those uses need.
  transform: { define: { __filename: 'import.meta.filename', __dirname: 'import.meta.dirname' } },
  output: {
    dir: 'dist/bundle',
    format: 'esm',
    // Chunks beside the entry, not in a subfolder: version.ts finds package.json two levels up.
    chunkFileNames: '[name]-[hash].js',
    cleanDir: true,
    // The per-module region comments name each source file, enough to read a stack trace.
    sourcemap: false,
  },
  // bufferutil and utf-8-validate: optional native speed-ups `ws` (in @google/genai) tries and
  // does without; they are not installed.
  external: ['bufferutil', 'utf-8-validate'],
});
