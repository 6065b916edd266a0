// Start-up runs once: loading the config, compiling every pack's patterns and building the screens'
// tables call a few parsers tens of thousands of times, enough for V8 to hand them to its optimizing
// compilers (Maglev, TurboFan). That work never runs again, but the compilers' machine code, the
// pages of the `node` binary holding the compilers themselves and the memory their threads allocated
// stay resident for the life of the process: ~13 MB of an idle agent's RSS for code that ran once
// (docs/benchmarks.md, "Sixth round"; ADR 0018). `sentinel run` holds those compilers from its first
// line and gives them back with the agent's first real work (a backlog at start, a busy spell later:
// idle-memory.ts): a catch-up is optimized as before, an idle agent's few polls a second never are,
// and a function made hot by start-up is not compiled by the first poll that calls it again.
import v8 from 'node:v8';

/**
 * Flags that mean the operator chose how V8 compiles: then start-up leaves the compilers alone.
 * bin/sentinel.js holds them before this module loads, with a copy of this pattern.
 */
export const OPERATOR_JIT_FLAGS = /--(no-)?(maglev|turbofan|opt|jitless|lite-mode|sparkplug)\b|--max-opt\b/;

/**
 * What `node --v8-options` gives as the default on each supported Node.js line (checked by
 * test/cli/startup-jit.test.ts against the running binary): Maglev ships on from Node.js 24, off in 22.
 */
export function optimizingCompilerDefaults(nodeVersion: string = process.versions.node): { maglev: boolean; turbofan: boolean } {
  return { maglev: Number(nodeVersion.split('.')[0]) >= 24, turbofan: true };
}

let release: (() => void) | undefined;

/**
 * Turns V8's optimizing compilers off until releaseOptimizingCompilers(). A no-op when the operator
 * set a JIT flag, or on a platform other than x64 and arm64, whose defaults are not the ones above.
 */
export function holdOptimizingCompilers(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): void {
  const given = [...execArgv, env.NODE_OPTIONS ?? ''].join(' ');
  if (release || OPERATOR_JIT_FLAGS.test(given) || !['x64', 'arm64'].includes(process.arch)) return;
  v8.setFlagsFromString('--no-turbofan');
  v8.setFlagsFromString('--no-maglev');
  release = () => {
    const defaults = optimizingCompilerDefaults();
    v8.setFlagsFromString(defaults.turbofan ? '--turbofan' : '--no-turbofan');
    v8.setFlagsFromString(defaults.maglev ? '--maglev' : '--no-maglev');
  };
}

/** Gives the optimizing compilers back (their runtime defaults); a no-op unless held. */
export function releaseOptimizingCompilers(): void {
  release?.();
  release = undefined;
}
