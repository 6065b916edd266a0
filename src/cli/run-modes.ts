// `run --once` and `run --dry-run`: the same agent, with a different beginning and end.
// --once reads what is there (files never seen from their beginning, the others from their
// checkpoints), alerts, drains the outbox and exits 0. --dry-run prints each alert instead of
// posting it and works on a copy of state_dir, so it neither moves the real checkpoints nor
// touches the real outbox, and runs beside a live agent.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { SentinelConfig } from '../config/config-types.js';

export interface RunModes {
  once: boolean;
  dryRun: boolean;
}

/** How long `--once` waits for Slack to take what it queued before leaving the rest in the outbox. */
export const ONCE_DRAIN_MS = 30_000;
const CAUGHT_UP_POLL_MS = 100;

/** The state a dry run may read: where reading resumes, what is open, what is silenced; never the outbox or the lock. */
const DRY_RUN_STATE = /^(checkpoints-.*\.json|incidents\.json|silences)$/;

/** A private copy of the state a dry run starts from (empty when state_dir does not exist yet). */
export async function copyStateForDryRun(stateDir: string): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'sentinel-dry-run-'));
  await cp(stateDir, copy, {
    recursive: true,
    filter: (source) => source === stateDir || DRY_RUN_STATE.test(basename(source)) || basename(join(source, '..')) === 'silences',
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  return copy;
}

export function removeDryRunState(copy: string): Promise<void> {
  return rm(copy, { recursive: true, force: true });
}

export function applyRunModes(config: SentinelConfig, modes: RunModes, dryRunStateDir: string | undefined): SentinelConfig {
  if (!modes.once && !modes.dryRun) return config;
  return {
    ...config,
    // A one-off or trial run must not fight the live agent for its port, nor be scraped as it.
    server: { port: 0, host: '127.0.0.1' },
    ...(modes.once ? { sources: config.sources.map((source) => ({ ...source, start_at: 'beginning' as const })) } : {}),
    ...(modes.dryRun && dryRunStateDir ? { state_dir: dryRunStateDir, notify: { ...config.notify, console: true, slack: [] } } : {}),
  };
}

/** Resolves once `caughtUp()` has held for two polls in a row (a batch between two reads cannot slip through). */
export function waitUntilCaughtUp(caughtUp: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    let streak = 0;
    const timer = setInterval(() => {
      streak = caughtUp() ? streak + 1 : 0;
      if (streak < 2) return;
      clearInterval(timer);
      resolve();
    }, CAUGHT_UP_POLL_MS);
    // The agent's own handles keep the process up while it runs; this poll must not once it stopped.
    timer.unref();
  });
}
