// An agent spends most of its life idle between appends, and at idle V8 keeps the heap the last busy
// spell grew: the young generation start-up or a catch-up enlarged to 16–32 MB stays committed, as
// V8 only shrinks it during a collection, and an idle agent allocates too little to collect. When
// the event loop goes quiet after a busy spell, one memory-reducing collection gives that back:
// ~6–8 MB of an idle agent's RSS (~55 MB with 10,000 files followed) for one collection of
// ~40–180 ms (docs/benchmarks.md, "Sixth round").
// The same watch tells the agent when it first has real work, for what start-up held back
// (startup-jit.ts).
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often the event loop's utilization is sampled. */
export const IDLE_CHECK_MS = 2_000;
/** Below this share of the last interval spent working, the agent is idle. */
const IDLE_UTILIZATION = 0.02;
/** At or above it, the agent was busy: the next idle interval earns one collection. */
const BUSY_UTILIZATION = 0.1;
/**
 * At most one collection a minute: an agent following 10,000 files rescans them every 30 s, a busy
 * interval each time, and a collection after each (65–180 ms) would be most of its idle CPU.
 */
export const MIN_COLLECTION_GAP_MS = 60_000;
/**
 * A busy spell earns a collection only if it left V8's old generation larger by this much than the
 * last collection did (start-up always earns one): the collection's cost grows with the heap, so
 * must what it gives back. With 10,000 files followed, the quick rescans and the code compiled again
 * after a collection grew it by ~1.8 MB (of ~34 MB), and a second collection a minute later (80–270
 * ms) took that back only to see it grow again; a catch-up grows it by many megabytes
 * (docs/benchmarks.md, "Fifteenth round").
 */
export const MIN_HEAP_GROWTH_BYTES = 1 << 20;
export const MIN_HEAP_GROWTH_SHARE = 0.1;
export const growthWorthCollecting = (sizeAfterLastCollection: number): number => Math.max(MIN_HEAP_GROWTH_BYTES, sizeAfterLastCollection * MIN_HEAP_GROWTH_SHARE);

type FullCollection = () => void;

/**
 * V8's default age (major collections a function sits unused) before its bytecode is dropped, on
 * every supported Node.js line (test/cli/idle-memory.test.ts checks it against the running binary).
 */
export const DEFAULT_BYTECODE_OLD_AGE = 6;
/** An operator who tuned bytecode flushing keeps their choice. */
const OPERATOR_FLUSH_FLAGS = /--(no-)?(bytecode[-_]old[-_]age|flush[-_]bytecode|stress[-_]flush[-_]code)\b/;

/**
 * Runs `collect` with bytecode flushing at its most eager: what start-up compiled and an idle agent
 * does not run (the config loader, pack compilation, the bundle's module bodies) is dropped now, not
 * six collections from now, which an idle agent takes hours to reach. Dropped bytecode is compiled
 * again from source on its next call. Restored at once, so a busy agent's collections keep V8's age.
 */
export function withEagerBytecodeFlush(collect: FullCollection, env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): FullCollection {
  if (OPERATOR_FLUSH_FLAGS.test([...execArgv, env.NODE_OPTIONS ?? ''].join(' '))) return collect;
  return () => {
    v8.setFlagsFromString('--bytecode-old-age=1');
    try {
      collect();
    } finally {
      v8.setFlagsFromString(`--bytecode-old-age=${DEFAULT_BYTECODE_OLD_AGE}`);
    }
  };
}

/**
 * V8's collector with its `last-resort` flavour (what V8 runs before giving up on memory: it also
 * shrinks the young generation). Node exposes it only behind --expose-gc, which an `npx sentinel`
 * cannot pass; a context created after the flag is set gets the function (as Jest's --logHeapUsage
 * does it). The flag is turned off again so that no later context sees it.
 */
function memoryReducingCollection(): FullCollection | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
    v8.setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? withEagerBytecodeFlush(() => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' })) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * V8's heap without its young generation, as committed: what a busy spell leaves behind. The young
 * generation is left out because the collection's shrinking of it is undone by the next few
 * allocations whatever the agent does (with 10,000 files, 1–3 MB within seconds of the collection).
 */
function oldGenerationSize(): number {
  let bytes = 0;
  for (const space of v8.getHeapSpaceStatistics()) if (!space.space_name.startsWith('new_')) bytes += space.space_size;
  return bytes;
}

export interface IdleMemoryOptions {
  /** True while the agent has work waiting (a file read short of its end): counts as busy whatever the loop did. */
  behind?: () => boolean;
  /** Called once, on the first busy interval (or at once when `behind()` is already true). */
  onFirstBusy?: () => void;
  checkMs?: number;
  minGapMs?: number;
  collect?: FullCollection;
  onCollected?: (ms: number) => void;
  /**
   * Told at each interval the agent worked (at least 2% of it) or had work waiting, and at each it
   * was quiet: what only a working agent needs (the event loop's delay sampler) stops while it is
   * quiet and comes back with work.
   */
  onBusy?: () => void;
  onQuiet?: () => void;
  /** V8's old generation now (committed bytes, the young generation left out); tests give their own. */
  heapSize?: () => number;
  /** Where the loop's utilization is read; tests give their own (a test runner's loop is never idle). */
  eventLoopUtilization?: typeof performance.eventLoopUtilization;
}

/**
 * Samples the event loop's utilization every `checkMs`: runs one memory-reducing collection on the
 * first quiet interval after a busy one that grew the heap (start-up counts as busy; at most one per
 * `minGapMs`), and calls `onFirstBusy` on the first busy one. Returns a stop function; the timer is unref'd and never keeps the process alive.
 */
export function reduceMemoryWhenIdle(options: IdleMemoryOptions = {}): () => void {
  const collect = options.collect ?? memoryReducingCollection();
  let firstBusy = options.onFirstBusy;
  const busyNow = (): void => {
    firstBusy?.();
    firstBusy = undefined;
  };
  if (options.behind?.()) busyNow();
  let busySinceCollection = true;
  const elu = options.eventLoopUtilization ?? performance.eventLoopUtilization.bind(performance);
  let last: EventLoopUtilization = elu();
  let lastCollection = -Infinity;
  const heapSize = options.heapSize ?? oldGenerationSize;
  let heapAfterCollection = -Infinity;
  const checkMs = options.checkMs ?? IDLE_CHECK_MS;
  const minGapMs = options.minGapMs ?? MIN_COLLECTION_GAP_MS;
  const timer = setInterval(() => {
    const now = elu();
    const { utilization, idle, active } = elu(now, last);
    // A tick that comes late right after a long one (a collection) sees a window of a few ms with
    // nothing but itself in it: too short to say anything.
    if (idle + active < checkMs / 2) return;
    last = now;
    const behind = options.behind?.() ?? false;
    if (utilization >= IDLE_UTILIZATION || behind) options.onBusy?.();
    else options.onQuiet?.();
    if (utilization >= BUSY_UTILIZATION || behind) {
      busySinceCollection = true;
      busyNow();
    } else if (
      utilization < IDLE_UTILIZATION &&
      busySinceCollection &&
      collect &&
      performance.now() - lastCollection >= minGapMs &&
      heapSize() - heapAfterCollection >= growthWorthCollecting(heapAfterCollection)
    ) {
      busySinceCollection = false;
      const started = performance.now();
      collect();
      lastCollection = performance.now();
      heapAfterCollection = heapSize();
      options.onCollected?.(lastCollection - started);
      // The collection is no work of the agent's: counted, it made the next interval "busy" and
      // earned another one (with 10,000 files followed, a collection of ~0.5 s every few seconds).
      last = elu();
    }
  }, checkMs);
  timer.unref();
  return () => clearInterval(timer);
}
