// V8 doubles its young generation (where new objects are made) each time enough objects have
// survived a minor collection since the last doubling, up to 2 × 16 MB. The agent's start-up (config,
// packs, tables) survives a lot once, and a catch-up allocates fast: by the first second of a
// backlog the young generation had grown to 2 × 8 MB, ~14 MB of the peak RSS for memory that holds
// short-lived records (docs/benchmarks.md, "Eighth round"). Everything the agent keeps is made once
// at start-up or lives in bounded rings, and what a catch-up allocates dies within a batch, so a
// young generation that stays at its first size costs a few more minor collections (each of a few
// hundred KB of survivors) and no promotion storm: on the catch-up benchmark ~10 MB less peak RSS for
// about the same CPU.
//
// Only at run time: V8 takes --semi-space-growth-factor from the command line at heap set-up and
// then sizes the young generation without looking at it again (node --semi-space-growth-factor=1
// changes nothing, measured), while the flag set here is read at each doubling.
import v8 from 'node:v8';

/** An operator who sized the young generation on the command line keeps their choice. */
const OPERATOR_YOUNG_GENERATION_FLAGS = /--(max|min)[-_]semi[-_]space[-_]size\b|--semi[-_]space[-_]growth[-_]factor\b/;

/** Keeps V8's young generation at the size it has now, unless the operator set its size. */
export function keepYoungGenerationSmall(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): boolean {
  if (OPERATOR_YOUNG_GENERATION_FLAGS.test([...execArgv, env.NODE_OPTIONS ?? ''].join(' '))) return false;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
