// The one connection a process keeps to the fleet's Redis, and the rule that keeps Redis optional:
// every command has a short timeout, nothing is queued while the connection is down, and a failure
// is an answer ("unknown"), never an exception or a wait. Callers fall back to local state on it.
// One outage is logged once, when it starts, and once more when Redis answers again; every failed
// command is counted in sentinel_fleet_errors_total{op}.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { FleetOp } from '../metrics/metrics.js';

export interface FleetLinkOptions {
  /** redis://[user:password@]host:port[/db] or rediss://… */
  url: string;
  /** Prepended to every key, so several fleets can share one Redis. */
  keyPrefix: string;
  /** This process's name in fleet state (pod or host). */
  member: string;
  metrics: Metrics;
  logger: Logger;
  /** Per-command cap: past it the command counts as failed and the caller goes on alone. Default 250 ms. */
  commandTimeoutMs?: number;
  /** Wait between reconnection attempts while Redis is down. Default 1 s. */
  reconnectMs?: number;
}

export interface FleetLink {
  readonly member: string;
  /** Every key this link writes starts with it. */
  key(...parts: string[]): string;
  /**
   * Runs one operation against Redis. Resolves with its result, or with `undefined` when Redis is
   * unreachable, slow or refused it: the caller then decides alone. Never rejects.
   */
  run<T>(op: FleetOp, command: (redis: Redis) => Promise<T>): Promise<T | undefined>;
  /** True while the last command (or connection attempt) succeeded. */
  readonly up: boolean;
  /** For /readyz: never failing (an agent alone is still useful), but saying what is shared. */
  status(): { ok: true; detail: string };
  /**
   * Loads the client and connects; resolves once connected or after `waitMs`, whichever comes
   * first; never rejects. Until it is called, every `run` answers `undefined`.
   */
  connect(waitMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createFleetLink(options: FleetLinkOptions): FleetLink {
  const { metrics, logger, member } = options;
  const commandTimeout = options.commandTimeoutMs ?? 250;
  const reconnectMs = options.reconnectMs ?? 1000;
  let redis: Redis | undefined;
  let up = false;
  let everUp = false;
  let downSince: number | null = null;
  let lastError = '';
  let errorsThisOutage = 0;
  let closed = false;

  const where = safeAddress(options.url);

  function failed(op: FleetOp, err: unknown): void {
    metrics.fleetErrors.inc({ op });
    lastError = err instanceof Error ? err.message : String(err);
    errorsThisOutage++;
    if (up || downSince === null) {
      up = false;
      downSince = Date.now();
      logger.error(
        { code: 'SENTINEL_ERR_FLEET_UNAVAILABLE', op, redis: where, err: lastError },
        'Fleet state (Redis) unreachable: deciding alone until it answers (alerts may repeat across agents). Logged once per outage.',
      );
    }
  }

  function recovered(): void {
    if (up) return;
    up = true;
    if (downSince !== null) {
      logger.info({ redis: where, downForMs: Date.now() - downSince, failedOps: errorsThisOutage }, 'Fleet state (Redis) reachable again; sharing resumes.');
    } else if (!everUp) logger.info({ redis: where, member }, 'Fleet state (Redis) connected.');
    everUp = true;
    downSince = null;
    errorsThisOutage = 0;
  }

  /** The client, loaded on first use: an agent without a fleet never loads ioredis. */
  async function client(): Promise<Redis> {
    if (redis) return redis;
    const { Redis } = await import('ioredis');
    redis ??= new Redis(options.url, {
      lazyConnect: true,
      // Queued commands would run late, after the caller has already decided alone.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout,
      connectTimeout: Math.max(500, commandTimeout * 4),
      retryStrategy: () => reconnectMs,
      showFriendlyErrorStack: false,
    });
    // ioredis emits 'error' for every failed (re)connection; an unheard 'error' event would crash the process.
    redis.on('error', (err: unknown) => {
      if (!closed) failed('connect', err);
    });
    redis.on('ready', recovered);
    return redis;
  }

  return {
    member,
    key: (...parts) => `${options.keyPrefix}${parts.join(':')}`,
    async run(op, command) {
      if (closed || !redis) return undefined;
      try {
        const result = await command(redis);
        recovered();
        return result;
      } catch (err) {
        failed(op, err);
        return undefined;
      }
    },
    get up() {
      return up;
    },
    status() {
      if (up) return { ok: true, detail: `sharing through ${where} as ${member}` };
      const since = downSince === null ? 'not connected yet' : `unreachable since ${new Date(downSince).toISOString()} (${lastError})`;
      return { ok: true, detail: `${where} ${since}: deciding alone` };
    },
    async connect(waitMs = 1000) {
      if (closed) return false;
      const r = await client();
      if (r.status === 'ready') return true;
      const ready = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), waitMs);
        timer.unref();
        r.once('ready', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      // A failed first attempt goes on retrying in the background (retryStrategy).
      if (r.status === 'wait') r.connect().catch(() => undefined);
      return ready;
    },
    async close() {
      if (closed) return;
      closed = true;
      // quit() waits for an answer that a dead Redis never gives: disconnect at once instead.
      redis?.disconnect();
    },
  };
}

/** host:port of a Redis URL, without user or password, for logs and /readyz. */
export function safeAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '(unparseable redis url)';
  }
}
