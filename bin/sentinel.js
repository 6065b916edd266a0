#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (the `prepare` script).
// Node's on-disk compile cache (in the OS temp dir; NODE_COMPILE_CACHE moves it,
// NODE_DISABLE_COMPILE_CACHE=1 turns it off) spares every start after the first the compilation of
// the ~450 modules an agent loads (docs/benchmarks.md, "Start-up and idle cost"). It must be on
// before they load, hence the dynamic import.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/src/cli/main.js');
