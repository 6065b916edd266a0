// What keeps an idle agent small (docs/benchmarks.md, "Sixth round"): V8's optimizing compilers held
// until the agent is ready, and one memory-reducing collection when it goes quiet after a busy spell.
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BYTECODE_OLD_AGE, growthWorthCollecting, MIN_HEAP_GROWTH_BYTES, reduceMemoryWhenIdle } from '../../src/cli/idle-memory.js';
import { OPERATOR_JIT_FLAGS, optimizingCompilerDefaults } from '../../src/cli/startup-jit.js';
import { createWorkspace } from '../helpers/agent-workspace.js';
import { REPO_ROOT, SENTINEL_BIN, startProcess, startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';

const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** Lets `ms` of checks pass (the monitor's timer runs meanwhile). */
const checksPass = async (what: string, ms: number): Promise<void> => {
  const since = performance.now();
  await waitFor(what, () => performance.now() - since > ms);
};

describe('optimizing compilers held during start-up', () => {
  it('restores exactly what this Node.js binary has by default', () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    const defaultOf = (flag: string): boolean => {
      const match = new RegExp(`^\\s+--${flag} \\(.*\\n\\s+type: bool\\s+default: --(no-)?${flag}$`, 'm').exec(options);
      if (!match) throw new Error(`--${flag} not in node --v8-options`);
      return match[1] === undefined;
    };
    expect(optimizingCompilerDefaults()).toEqual({ maglev: defaultOf('maglev'), turbofan: defaultOf('turbofan') });
  });

  // V8 reads these flags when a function gets hot, so turning them at run time works; were V8 ever to
  // freeze its flags after start, this says so.
  it('keeps a hot function unoptimized while held and optimizes it once released', () => {
    const script = `
      const { holdOptimizingCompilers, releaseOptimizingCompilers } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/cli/startup-jit.js'))});
      holdOptimizingCompilers();
      function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }
      // V8's optimization status bits: 16 = optimized by Maglev or TurboFan (src/runtime/runtime.h).
      const optimized = () => (%GetOptimizationStatus(hot) & 16) !== 0;
      for (let i = 0; i < 20000; i++) hot(100);
      const whileHeld = optimized();
      releaseOptimizingCompilers();
      for (let i = 0; i < 200000 && !optimized(); i++) hot(100);
      console.log(JSON.stringify({ whileHeld, released: optimized() }));`;
    const result = spawnSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ whileHeld: false, released: true });
  });

  // bin/sentinel.js holds them before the bundle loads (a module loaded first already wakes Maglev),
  // with its own copy of the pattern: the two must agree on what an operator's choice is.
  it('is held by the launcher for the same operator flags as here', () => {
    const launcher = readFileSync(join(REPO_ROOT, 'bin', 'sentinel.js'), 'utf8');
    expect(/^const OPERATOR_JIT_FLAGS = (\/.+\/);$/m.exec(launcher)?.[1]).toBe(String(OPERATOR_JIT_FLAGS));
  });

  // The launcher's second start filters every function out of the optimizing compilers until its
  // run-time hold takes over, then sets V8's default filters back.
  it('gives the optimizing compilers back the filters this Node.js binary has by default', () => {
    const launcher = readFileSync(join(REPO_ROOT, 'bin', 'sentinel.js'), 'utf8');
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    const defaultOf = (flag: string): string | undefined => new RegExp(`^\\s+--${flag} \\(.*\\n\\s+type: string\\s+default: --${flag}="(.*)"$`, 'm').exec(options)?.[1];
    const restored = /^const DEFAULT_FILTERS = \[(.*)\];$/m.exec(launcher)?.[1];
    expect(restored).toBe(`'--maglev-filter=${defaultOf('maglev-filter')}', '--turbo-filter=${defaultOf('turbo-filter')}'`);
  });

  it('leaves the compilers alone when the operator chose a JIT flag', () => {
    const script = `
      const { holdOptimizingCompilers } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/cli/startup-jit.js'))});
      holdOptimizingCompilers();
      function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }
      for (let i = 0; i < 200000 && !(%GetOptimizationStatus(hot) & 16); i++) hot(100);
      console.log((%GetOptimizationStatus(hot) & 16) !== 0);`;
    const result = spawnSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', '--turbofan', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stdout.trim()).toBe('true');
  });
});

describe('one memory-reducing collection when the agent goes quiet', () => {
  it('collects on the first quiet interval after a busy one, and not again until the next busy spell', async () => {
    let collections = 0;
    let heap = 50 << 20;
    const stop = reduceMemoryWhenIdle({ checkMs: 100, minGapMs: 0, collect: () => collections++, heapSize: () => heap });
    try {
      // Start-up counts as busy: the first quiet interval collects once.
      await waitFor('the first collection', () => collections === 1, { timeoutMs: 5_000 });
      // Quiet intervals after it do not collect again (several checks pass meanwhile), even with the heap grown.
      heap += growthWorthCollecting(heap);
      await checksPass('several quiet checks', 500);
      expect(collections).toBe(1);
      // A busy spell (the whole of a check interval spent working) that grew the heap, then quiet: once more.
      spin(250);
      await waitFor('the collection after a busy spell', () => collections === 2, { timeoutMs: 5_000 });
    } finally {
      stop();
    }
  });

  it('lets a busy spell that left the heap about as it was go without a collection, and collects once it has grown', async () => {
    let collections = 0;
    let heap = 40 << 20;
    const stop = reduceMemoryWhenIdle({ checkMs: 100, minGapMs: 0, collect: () => collections++, heapSize: () => heap });
    try {
      await waitFor('the first collection', () => collections === 1, { timeoutMs: 5_000 });
      // Busy (a rescan's moment of work), the heap grown by less than a tenth: not worth a collection's cost.
      const worth = growthWorthCollecting(heap);
      expect(worth).toBe(4 << 20);
      heap += worth - 1;
      spin(250);
      await checksPass('several quiet checks after the busy spell', 600);
      expect(collections).toBe(1);
      // The heap grows on past it (the same busy spell's doing): the next quiet check collects.
      heap += 1;
      await waitFor('the collection once the heap has grown', () => collections === 2, { timeoutMs: 5_000 });
    } finally {
      stop();
    }
  });

  it('asks a small heap for at least a megabyte of growth, a large one for a tenth of it', () => {
    expect(growthWorthCollecting(-Infinity)).toBe(MIN_HEAP_GROWTH_BYTES);
    expect(growthWorthCollecting(2 << 20)).toBe(MIN_HEAP_GROWTH_BYTES);
    expect(growthWorthCollecting(100 << 20)).toBe(10 << 20);
  });

  /** Collections counted `ms` after the first one, with `between` run right after it. */
  async function collectionsAfterFirst(options: { minGapMs: number; slow?: number }, between: () => void, ms: number): Promise<number> {
    let collections = 0;
    // A heap that each collection empties and that is large at every other look: only the busy spells and the gap decide.
    let justCollected = false;
    const heapSize = (): number => (justCollected ? ((justCollected = false), 0) : 1 << 30);
    const stop = reduceMemoryWhenIdle({
      checkMs: 100,
      minGapMs: options.minGapMs,
      collect: () => (collections++, (justCollected = true), spin(options.slow ?? 0)),
      heapSize,
    });
    try {
      await waitFor('the first collection', () => collections === 1, { timeoutMs: 5_000 });
      between();
      await checksPass('several checks after it', ms);
      return collections;
    } finally {
      stop();
    }
  }

  it('collects at most once per minGapMs, however many busy spells come between', async () => {
    expect(await collectionsAfterFirst({ minGapMs: 60_000 }, () => spin(250), 600)).toBe(1);
  });

  it('does not count its own collection as work (a slow one would earn the next)', async () => {
    // A collection longer than the check interval, as on a heap following 10,000 files.
    expect(await collectionsAfterFirst({ minGapMs: 0, slow: 300 }, () => undefined, 800)).toBe(1);
  });

  it('calls onFirstBusy once: at once when work is waiting, else on the first busy interval', async () => {
    let releases = 0;
    const stopBehind = reduceMemoryWhenIdle({ checkMs: 100, collect: () => undefined, behind: () => true, onFirstBusy: () => releases++ });
    expect(releases).toBe(1);
    stopBehind();

    // The loop's utilization as the agent would see it: the test runner's own loop is never quiet
    // enough to stand for an idle agent (a spurious busy interval under load made this flaky).
    const loop = scriptedUtilization();
    let later = 0;
    const stop = reduceMemoryWhenIdle({ checkMs: 100, collect: () => undefined, behind: () => false, onFirstBusy: () => later++, eventLoopUtilization: loop.read });
    try {
      await checksPass('several quiet checks', 400);
      expect(later).toBe(0);
      loop.busy = true;
      await waitFor('the busy interval to be seen', () => later === 1, { timeoutMs: 5_000 });
      await checksPass('more busy checks', 300);
      expect(later).toBe(1);
    } finally {
      stop();
    }
  });

  it('tells onQuiet of each quiet interval and onBusy of each working one (the delay sampler stops and starts by them)', async () => {
    const loop = scriptedUtilization();
    const told: string[] = [];
    const stop = reduceMemoryWhenIdle({
      checkMs: 100,
      collect: () => undefined,
      behind: () => false,
      eventLoopUtilization: loop.read,
      onQuiet: () => told.push('quiet'),
      onBusy: () => told.push('busy'),
    });
    try {
      await waitFor('a quiet interval', () => told.includes('quiet'), { timeoutMs: 5_000 });
      expect(told).not.toContain('busy');
      loop.busy = true;
      await waitFor('a working interval', () => told.at(-1) === 'busy', { timeoutMs: 5_000 });
      loop.busy = false;
      await waitFor('quiet again', () => told.at(-1) === 'quiet', { timeoutMs: 5_000 });
    } finally {
      stop();
    }
  });

  it("runs V8's own collector when none is given", async () => {
    const took: number[] = [];
    const stop = reduceMemoryWhenIdle({ checkMs: 100, onCollected: (ms) => took.push(ms) });
    try {
      await waitFor('a real collection', () => took.length === 1, { timeoutMs: 5_000 });
      expect(took[0]).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });
});

describe('bytecode flushed by the idle collection', () => {
  it("restores V8's default age of this Node.js binary", () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    expect(/^\s+--bytecode-old-age \(.*\n\s+type: int\s+default: --bytecode-old-age=(\d+)$/m.exec(options)?.[1]).toBe(String(DEFAULT_BYTECODE_OLD_AGE));
  });

  // V8 reads the age at each collection, so setting it at run time works; were V8 ever to freeze its
  // flags after start, the eager collection would drop no more than a plain one and this says so.
  // Each kind of collection runs in a process of its own and every trace line of that process counts:
  // V8 prints its trace through C stdio, buffered apart from console.log, so markers printed between
  // the two collections of one process land anywhere among V8's lines.
  it('drops the bytecode of what start-up ran once, which a plain collection keeps', () => {
    const flushedBy = (kind: 'plain' | 'eager'): number => {
      const script = `
        const { withEagerBytecodeFlush } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/cli/idle-memory.js'))});
        const collect = () => globalThis.gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
        (${JSON.stringify(kind)} === 'eager' ? withEagerBytecodeFlush(collect) : collect)();`;
      const result = spawnSync(process.execPath, ['--expose-gc', '--trace-flush-code', '--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      return result.stdout.split('discarding compiled metadata').length - 1;
    };
    const eager = flushedBy('eager');
    expect(eager).toBeGreaterThan(100);
    expect(flushedBy('plain')).toBeLessThan(eager / 10);
  });
});

describe('the agent', () => {
  const running: RunningProcess[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const p of running.splice(0)) p.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('reduces its heap once idle after start-up', async () => {
    const ws = createWorkspace();
    dirs.push(ws.dir);
    writeFileSync(ws.logFile, '{"level":"info","msg":"started"}\n');
    const agent = startSentinel(['run', '--config', ws.configFile], { env: { SENTINEL_LOG_LEVEL: 'debug', SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/hook' } });
    running.push(agent);
    await agent.waitForOutput(/Sentinel agent started/, 30_000);
    // A busy machine may keep the loop above the idle mark for a while: generous, but it must come.
    const [line] = await agent.waitForOutput(/"ms":\d+,"msg":"Idle: heap reduced\."/, 30_000);
    expect(line).toContain('Idle: heap reduced.');
  });

  // The launcher's second start holds the compilers on its command line (before Node resolves the
  // launcher's own path) and takes those flags back out of execArgv: the agent must still see no
  // operator's choice in them and give the compilers back with its first work.
  it('optimizes again once it has work, though its start held the compilers on the command line', async () => {
    const ws = createWorkspace();
    dirs.push(ws.dir);
    writeFileSync(ws.logFile, '{"level":"info","msg":"started"}\n');
    const agent = startProcess(['--trace-opt', SENTINEL_BIN, 'run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/hook' } });
    running.push(agent);
    await agent.waitForOutput(/Sentinel agent started/, 30_000);
    const startedAt = agent.stdout().indexOf('Sentinel agent started');
    const line = '{"level":"info","msg":"step ok","rows":12345,"pipeline":"etl"}\n';
    const optimizedSince = (): boolean => /compiling method .*\(target (MAGLEV|TURBOFAN)\)/.test(agent.stdout().slice(startedAt));
    // Work enough to count as busy (>= 10% of the idle check's 2 s): since the buffer search runs in
    // WebAssembly, 20,000 lines every 500 ms is a few ms of work, which is rightly not a busy spell.
    await waitFor('an optimizing compile after the agent had work', () => {
      if (!optimizedSince()) appendFileSync(ws.logFile, line.repeat(200_000));
      return optimizedSince();
    }, { timeoutMs: 30_000, intervalMs: 500 });
  });

  // glibc reads GLIBC_TUNABLES once, at exec: the launcher starts `sentinel run` again in place with
  // malloc's trim threshold fixed (bin/sentinel.js). /proc/PID/environ is the environment of the
  // image now running under the pid the test spawned (glibc cuts it at the first ':' as it parses a
  // list of tunables, hence single tunables here).
  it.each([
    ['no GLIBC_TUNABLES', undefined, 'glibc.malloc.trim_threshold=131072'],
    ["an operator's own trim threshold", 'glibc.malloc.trim_threshold=1048576', 'glibc.malloc.trim_threshold=1048576'],
  ])('runs with a fixed malloc trim threshold, in the process it was started as (%s)', async (_, given, fixed) => {
    let expected: string | undefined = fixed;
    // Without process.execve (Node.js before 22.15) the launcher runs on as it was started.
    if (typeof (process as { execve?: unknown }).execve !== 'function') expected = given;
    const ws = createWorkspace();
    dirs.push(ws.dir);
    writeFileSync(ws.logFile, '{"level":"info","msg":"started"}\n');
    const agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/hook', ...(given ? { GLIBC_TUNABLES: given } : {}) } });
    running.push(agent);
    await agent.waitForOutput(/Sentinel agent started/, 30_000);
    const environ = readFileSync(`/proc/${agent.child.pid}/environ`, 'utf8').split('\0');
    expect(environ.filter((e) => e.startsWith('GLIBC_TUNABLES='))).toEqual(expected ? [`GLIBC_TUNABLES=${expected}`] : []);
  });
});

/**
 * A stand-in for performance.eventLoopUtilization: wall time passes as it does, counted as idle, or
 * as active while `busy` is set.
 */
function scriptedUtilization(): { busy: boolean; read: typeof performance.eventLoopUtilization } {
  let idle = 0;
  let active = 0;
  let at = performance.now();
  const state = {
    busy: false,
    read: ((a?: { idle: number; active: number }, b?: { idle: number; active: number }) => {
      const now = performance.now();
      if (state.busy) active += now - at;
      else idle += now - at;
      at = now;
      if (a && b) {
        const d = { idle: a.idle - b.idle, active: a.active - b.active };
        return { ...d, utilization: d.active / Math.max(d.idle + d.active, 1e-9) };
      }
      return { idle, active, utilization: active / Math.max(idle + active, 1e-9) };
    }) as typeof performance.eventLoopUtilization,
  };
  return state;
}
