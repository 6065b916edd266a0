// Starts the real `sentinel` CLI (bin/sentinel.js → dist/) as a child process and collects its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SENTINEL_BIN = fileURLToPath(new URL('../../bin/sentinel.js', import.meta.url));
export const PIPELINE_SCRIPT = fileURLToPath(new URL('../../dist/pipeline/aio-pipeline.js', import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): void;
}

export function startProcess(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): RunningProcess {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? REPO_ROOT,
    // A clean environment: no key or webhook from the developer's shell leaks into a test.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SENTINEL_LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput: (pattern, timeoutMs = 10_000) =>
      waitFor(`output matching ${pattern}`, () => (out + err).match(pattern) ?? undefined, { timeoutMs }, () => (out + err).slice(-2000)),
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

export function startSentinel(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): RunningProcess {
  return startProcess([SENTINEL_BIN, ...args], options);
}

export function runPipeline(logFile: string, scenario = 'division-by-zero', extra: string[] = []): RunningProcess {
  // Source maps on, as a TypeScript pipeline would run: stack frames name the .ts files.
  return startProcess(['--enable-source-maps', PIPELINE_SCRIPT, '--log-file', logFile, '--scenario', scenario, ...extra]);
}
