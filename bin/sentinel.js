#!/usr/bin/env node
// Thin launcher: `npm run build` (the `prepare` script of `npm ci`) compiles the CLI and bundles it
// into dist/bundle/ (rolldown.config.js): one module for the commands every start needs, a chunk per
// part loaded lazily (the brain's server, the Gemini SDK, Redis, ...). Node's on-disk compile cache
// (in the OS temp dir; NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off)
// spares every start after the first the compilation of that code (docs/benchmarks.md, "Start-up
// and idle cost"). It must be on before the bundle loads, hence the dynamic import.
import module from 'node:module';

// `sentinel run` holds V8's optimizing compilers until the agent has work (src/cli/startup-jit.ts
// gives them back; ADR 0018), from as early as it can: resolving and loading modules makes Node's
// path helpers hot enough for Maglev, whose code then stays paged in for the life of an idle agent
// (~2 MB of RSS). An operator's own JIT flag is left alone: keep this pattern equal to
// OPERATOR_JIT_FLAGS there (test/cli/idle-memory.test.ts checks).
const OPERATOR_JIT_FLAGS = /--(no-)?(maglev|turbofan|opt|jitless|lite-mode|sparkplug)\b|--max-opt\b/;
const HOLD_FLAGS = ['--no-turbofan', '--no-maglev'];
/**
 * For the start below, until these lines hold the compilers: no function passes the optimizing
 * compilers' filters (V8's default filter, `*`, is set back here: test/cli/idle-memory.test.ts checks
 * it). Not `--no-maglev --no-turbofan` on the command line: V8 then sets up no Maglev at all, and
 * turned on later it cost a catch-up ~0.2–0.3 CPU s; nor a raised invocation count, which stays in
 * the budgets of Node's own functions made during bootstrap (~0.1–0.2 CPU s; docs/benchmarks.md,
 * "Eleventh round").
 */
const BOOT_FLAGS = ['--maglev-filter=-*', '--turbo-filter=-*'];
const DEFAULT_FILTERS = ['--maglev-filter=*', '--turbo-filter=*'];
/** Set by the start below for the one after it: the flags in front of execArgv are ours, not the operator's. */
const HELD_BY_LAUNCHER = 'SENTINEL_LAUNCHER_HELD_JIT';
const holdJit = process.argv[2] === 'run' && ['x64', 'arm64'].includes(process.arch);
let bootFlagsGiven = false;
if (process.env[HELD_BY_LAUNCHER] === '1') {
  delete process.env[HELD_BY_LAUNCHER];
  bootFlagsGiven = BOOT_FLAGS.every((flag, i) => process.execArgv[i] === flag);
  if (bootFlagsGiven) process.execArgv.splice(0, BOOT_FLAGS.length);
}
const operatorJit = OPERATOR_JIT_FLAGS.test([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '));

// glibc's malloc keeps memory freed at the top of its heap up to a trim threshold that it raises by
// itself, to twice the largest block it ever returned to the system: start-up frees a few large
// buffers (a module's source as read, the compile cache's file), after which an idle agent kept ~2
// MB of freed memory for life (docs/benchmarks.md, "Eleventh round"). A threshold given in
// GLIBC_TUNABLES stays where it is set (at glibc's default, 128 KiB), but glibc reads it only when a
// process starts: `sentinel run` starts once more, in place (same pid, same arguments and
// descriptors), with it set, unless the operator's GLIBC_TUNABLES already sets one (ADR 0021). Musl
// ignores it. That start keeps Maglev back from its command line, before Node resolves this file's
// path (a long install path was enough to wake it), and tells the next run of these lines so.
const TRIM_TUNABLE = 'glibc.malloc.trim_threshold';
if (process.argv[2] === 'run' && process.platform === 'linux' && typeof process.execve === 'function' && !(process.env.GLIBC_TUNABLES ?? '').includes(TRIM_TUNABLE)) {
  const env = { ...process.env, GLIBC_TUNABLES: [process.env.GLIBC_TUNABLES, `${TRIM_TUNABLE}=131072`].filter(Boolean).join(':') };
  const hold = holdJit && !operatorJit ? BOOT_FLAGS : [];
  if (hold.length > 0) env[HELD_BY_LAUNCHER] = '1';
  try {
    process.execve(process.execPath, [process.execPath, ...hold, ...process.execArgv, ...process.argv.slice(1)], env);
  } catch {
    // Not allowed here (a seccomp profile, a binary gone since start): run on as started.
  }
}

if (holdJit && !operatorJit) {
  const v8 = process.getBuiltinModule('node:v8');
  for (const flag of HOLD_FLAGS) v8.setFlagsFromString(flag);
  if (bootFlagsGiven) for (const flag of DEFAULT_FILTERS) v8.setFlagsFromString(flag);
}
module.enableCompileCache?.();
await import('../dist/bundle/sentinel.js');
