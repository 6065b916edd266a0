// A real redis-server (Debian's `redis-server`) on a free loopback port, in memory only, for fleet
// tests. It can be stopped and started again on the same port, as an outage would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from './wait.js';

export interface RedisServer {
  port: number;
  url: string;
  /** A client for assertions (commands, keys); closed with the server. */
  client(): Redis;
  /** SIGKILL: no shutdown, no goodbye to clients, as a crash or a lost node. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (nothing is persisted). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  let probe: Redis | undefined;
  let clients: Redis[] = [];

  const start = async (): Promise<void> => {
    output = '';
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => (output += `spawn failed: ${err.message}`));
    await waitFor(
      `redis-server on port ${port}`,
      async () => {
        probe ??= new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
        probe.on('error', () => undefined);
        if (probe.status === 'wait') await probe.connect().catch(() => undefined);
        return (await probe.ping()) === 'PONG';
      },
      { timeoutMs: 10_000, intervalMs: 50 },
      () => output,
    );
  };
  await start();

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill(signal);
    await exited;
  };

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client() {
      const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 100 });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    kill: () => stop('SIGKILL'),
    restart: start,
    async close() {
      for (const c of clients) c.disconnect();
      clients = [];
      probe?.disconnect();
      await stop('SIGKILL');
    },
  };
}
