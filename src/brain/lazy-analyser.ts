// The built-in analyser (its knowledge base and learned category model: ~0.5 MB of bundled code and
// ~2 MB of heap, 25–50 ms of CPU to load) is needed at an agent's first failure, yet an agent may
// idle for days without one. It loads on first use instead of with the agent: the first diagnosis
// waits that once, and every later one calls it synchronously (docs/benchmarks.md, "Eighth round").
import type { analyse } from './analyser/analyse.js';

export type Analyse = typeof analyse;

let loaded: Analyse | undefined;
let loading: Promise<Analyse> | undefined;

/** The analyser, loading it on the first call; every later call resolves with the same function. */
export function loadAnalyser(): Promise<Analyse> {
  return (loading ??= import('./analyser/analyse.js').then((m) => (loaded = m.analyse)));
}

/** The analyser if it is loaded already, else undefined (then loadAnalyser() brings it). */
export function loadedAnalyser(): Analyse | undefined {
  return loaded;
}
