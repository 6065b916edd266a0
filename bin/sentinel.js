#!/usr/bin/env node
// Thin launcher: `npm run build` (the `prepare` script of `npm ci`) compiles the CLI and bundles it
// into dist/bundle/ (rolldown.config.js): one module for the commands every start needs, a chunk per
// part loaded lazily (the brain's server, the Gemini SDK, Redis, ...). Node's on-disk compile cache
// (in the OS temp dir; NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off)
// spares every start after the first the compilation of that code (docs/benchmarks.md, "Start-up
// and idle cost"). It must be on before the bundle loads, hence the dynamic import.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/bundle/sentinel.js');
