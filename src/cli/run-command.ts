// `sentinel run`: the agent as a long-running process. SIGTERM/SIGINT stop it gracefully (exit 0);
// a second signal exits at once. The config file is watched: valid edits reload the rules.
import { ConfigError, formatProblem } from '../config/config-error.js';
import { buildAgent, type Agent } from '../agent/agent.js';
import { stampOf, watchConfigFile, type FileStamp } from './config-file-watch.js';
import type { Logger } from '../log.js';
import { acquireStateDirLock } from '../state/state-dir-lock.js';
import { portError } from './port-error.js';
import { resolveConfigWith, withReleasedConfigLoader } from './released-config-loader.js';
import { reduceMemoryWhenIdle } from './idle-memory.js';
import { applyRunModes, copyStateForDryRun, ONCE_DRAIN_MS, removeDryRunState, waitUntilCaughtUp, type RunModes } from './run-modes.js';
import { releaseOptimizingCompilers } from './startup-jit.js';

/**
 * Well below `docker stop`'s 10 s: each stop step may add a short floor beyond it, so SIGTERM ends
 * the process within 5 s whatever fails (a full disk, Slack down).
 */
export const SHUTDOWN_DEADLINE_MS = 3_500;
const EXIT_GRACE_MS = 300;

function reloadOnEdit(agent: Agent, file: string, readAs: FileStamp, logger: Logger): () => void {
  // Reloads one at a time, in the order of the edits: the loader is read afresh for each.
  let reloading = Promise.resolve();
  const reload = async (): Promise<void> => {
    try {
      agent.reloadRules(await withReleasedConfigLoader((loader) => loader.loadConfig(file, process.env)));
      agent.metrics.configReloads.labels({ outcome: 'success' }).inc();
    } catch (error) {
      agent.metrics.configReloads.labels({ outcome: 'failure' }).inc();
      const problems = error instanceof ConfigError ? error.problems.map(formatProblem) : [String(error)];
      logger.error({ problems }, 'Config reload failed; the previous rules stay in force.');
    }
  };
  return watchConfigFile(file, readAs, () => {
    reloading = reloading.then(reload);
  });
}

export async function runAgentCommand(configFile: string | undefined, logger: Logger, modes: RunModes = { once: false, dryRun: false }): Promise<number> {
  // Stamped before reading, so an edit that races the read is reloaded once more rather than missed.
  const readAs = stampOf(configFile ?? 'sentinel.yaml');
  // Through a loader dropped after the read: an idle agent does not keep yaml and the schema (ADR 0029).
  const loaded = await withReleasedConfigLoader((loader) => resolveConfigWith(loader, configFile));
  const dryRunState = modes.dryRun ? await copyStateForDryRun(loaded.state_dir) : undefined;
  const config = applyRunModes(loaded, modes, dryRunState);
  // Before anything reads a checkpoint: a second agent on the same state_dir exits 1 here.
  const lock = acquireStateDirLock(config.state_dir);
  process.once('exit', () => lock.release());
  if (dryRunState) logger.info({ stateDir: loaded.state_dir, copy: dryRunState }, 'Dry run: alerts are printed, never posted; state_dir is read, never written.');
  const agent = buildAgent(config, { logger });

  // Signals are handled from before start(): a SIGTERM that lands while files are being opened
  // still gets a graceful stop (after start() has finished), never Node's default instant death.
  let starting: Promise<unknown> = Promise.resolve();
  let stopWatching = (): void => undefined;
  let signals = 0;
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        logger.warn({ signal }, 'Second signal: exiting at once.');
        process.exit(1);
      }
      logger.info({ signal }, 'Stopping: flushing checkpoints, diagnoses and the outbox.');
      stopWatching();
      starting
        .catch(() => undefined)
        .then(() => agent.stop(SHUTDOWN_DEADLINE_MS))
        .then(
          () => resolve(0),
          (error: unknown) => {
            logger.error({ err: error }, 'Shutdown failed.');
            resolve(1);
          },
        );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  starting = agent.start();
  let port: number;
  try {
    ({ port } = (await starting) as { port: number });
  } catch (error) {
    // Half-started (sources open, port taken): stop what did start, so the process exits 1 with one
    // clear line instead of tailing on without its HTTP face.
    await agent.stop(SHUTDOWN_DEADLINE_MS).catch(() => undefined);
    lock.release();
    if (dryRunState) await removeDryRunState(dryRunState);
    throw portError(error, config.server.port, 'server.port');
  }
  // V8's optimizers are held since `sentinel run` began (commands.ts): they come back with the first
  // real work (a backlog now, a busy spell later, every --once run), not for an idle agent's polls.
  if (modes.once) releaseOptimizingCompilers();
  // A long-running agent gives back what busy spells grew whenever it goes quiet; --once exits instead.
  const stopReducing = modes.once
    ? () => undefined
    : reduceMemoryWhenIdle({
        behind: () => !agent.caughtUp(),
        onFirstBusy: releaseOptimizingCompilers,
        onCollected: (ms) => logger.debug({ ms: Math.round(ms) }, 'Idle: heap reduced.'),
        // nodejs_eventloop_lag_*: no delay to sample while the loop is quiet (< 2% busy).
        onQuiet: () => agent.metrics.eventLoopSampling?.pause(),
        onBusy: () => agent.metrics.eventLoopSampling?.resume(),
      });
  logger.info({ port, config: config.file }, 'Listening for /metrics, /healthz and /readyz.');
  if (!modes.once && config.file !== '<embedded>' && signals === 0) stopWatching = reloadOnEdit(agent, config.file, readAs, logger);
  // --once stops by itself once all there was is handled; a signal meanwhile stops it the usual way.
  const caughtUp = modes.once ? waitUntilCaughtUp(() => agent.caughtUp()).then(() => null) : new Promise<null>(() => undefined);
  let code = await Promise.race([caughtUp, stopped]);
  if (code === null) {
    logger.info({}, 'Read to the end: draining the outbox, then exiting.');
    code = await agent.stop(ONCE_DRAIN_MS).then(
      () => 0,
      (error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed.');
        return 1;
      },
    );
  }
  stopReducing();
  lock.release();
  if (dryRunState) await removeDryRunState(dryRunState);
  // State is written and the server closed; a Slack request that hangs (its own timeout is 10 s)
  // must not keep the process alive past the shutdown deadline. Unref'd: a clean exit comes first.
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  return code;
}
