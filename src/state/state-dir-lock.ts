// One agent per state_dir: two agents tailing the same files into the same offsets and outbox would
// post every alert twice and overwrite each other's checkpoints. The lock is a file created with
// O_EXCL holding the owner's pid and host; a lock whose process is gone (a crash, SIGKILL, a container
// restart that reuses pid 1) is stale and taken over, so a crash never needs a manual clean-up.
import { hostname } from 'node:os';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SentinelError } from '../errors.js';

export const LOCK_FILE = 'agent.lock';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export interface StateDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours; idempotent. */
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? { pid: owner.pid, host: owner.host, since: String(owner.since ?? '') } : null;
  } catch {
    return null;
  }
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SentinelError('SENTINEL_ERR_STATE_DIR', `cannot create ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

export function acquireStateDirLock(stateDir: string): StateDirLock {
  try {
    mkdirSync(stateDir, { recursive: true });
  } catch (error) {
    throw new SentinelError('SENTINEL_ERR_STATE_DIR', `cannot create state_dir ${stateDir}: ${(error as Error).message}`, { cause: error });
  }
  const path = join(stateDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3 && !tryCreate(path, me); attempt++) {
    const owner = readOwner(path);
    // Another host's pid says nothing here (a shared volume): trust the lock. Same host, same pid as
    // ours: a restarted container whose previous life held it.
    const held = owner !== null && (owner.host !== me.host || (owner.pid !== me.pid && isAlive(owner.pid)));
    if (held) {
      throw new SentinelError(
        'SENTINEL_ERR_STATE_LOCKED',
        `state_dir ${stateDir} is in use by another agent (pid ${owner.pid} on ${owner.host} since ${owner.since}); give each agent its own state_dir`,
      );
    }
    // Stale or unreadable: move it aside atomically, so that two agents starting together cannot both
    // take it over; the loser's O_EXCL create then fails and it reads the winner's live lock.
    try {
      renameSync(path, `${path}.stale-${process.pid}`);
      unlinkSync(`${path}.stale-${process.pid}`);
    } catch {
      // Someone else moved it first; try again.
    }
  }
  if (readOwner(path)?.pid !== me.pid) throw new SentinelError('SENTINEL_ERR_STATE_LOCKED', `could not take the lock ${path}`);
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      if (readOwner(path)?.pid === me.pid) {
        try {
          unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      }
    },
  };
}
