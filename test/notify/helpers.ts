// Shared bits of the notify tests (not a test file itself).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { NotifyConfig, SlackDestinationConfig } from '../../src/config/config-types.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { createNotifier, type Notifier, type NotifierOptions } from '../../src/notify/notifier.js';
import { createRedactor } from '../../src/redact/redactor.js';
import { afterEach, beforeEach } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { waitFor as sharedWaitFor } from '../helpers/wait.js';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-notify-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls until `check` returns true; on timeout the error says what was last seen (test/helpers/wait.ts). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: () => string, timeoutMs = 10_000): Promise<void> {
  await sharedWaitFor('the condition', check, { timeoutMs }, what);
}

export function webhookDest(name: string, url: string, over: Partial<SlackDestinationConfig> = {}): SlackDestinationConfig {
  return { name, webhook_url: url, rate_per_sec: 50, ...over };
}

export function notifyConfig(slack: SlackDestinationConfig[], over: Partial<NotifyConfig> = {}): NotifyConfig {
  return { console: false, slack, webhooks: [], max_retry_delay_ms: 300, ...over };
}

/** A logger whose lines can be inspected. */
export function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export async function counter(metrics: Metrics, name: 'alertsSent' | 'alertRetries' | 'dropped', labels: Record<string, string>): Promise<number> {
  const { values } = await metrics[name].get();
  let total = 0;
  for (const v of values) {
    if (Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want)) total += v.value;
  }
  return total;
}

export async function metricText(metrics: Metrics, name: string): Promise<string> {
  return metrics.registry.getSingleMetricAsString(name);
}

export function build(over: Partial<NotifierOptions> & Pick<NotifierOptions, 'config' | 'stateDir'>): { notifier: Notifier; metrics: Metrics } {
  const metrics = over.metrics ?? createMetrics({ defaultMetrics: false });
  const notifier = createNotifier({
    metrics,
    logger: pino({ level: 'silent' }),
    redactor: createRedactor(),
    retryBaseDelayMs: 50,
    requestTimeoutMs: 2000,
    ...over,
  });
  return { notifier, metrics };
}

export async function listJson(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
}

/**
 * The per-test world of the notify tests: a fresh fake Slack and state directory before each test;
 * every notifier registered with `track` stopped, and both torn down, after it.
 */
export function useNotifyHarness(): { slack: FakeSlack; state: { dir: string; cleanup: () => Promise<void> }; track<T extends { notifier: Notifier }>(built: T): T } {
  const notifiers: Notifier[] = [];
  const h = {
    slack: undefined as unknown as FakeSlack,
    state: undefined as unknown as { dir: string; cleanup: () => Promise<void> },
    track<T extends { notifier: Notifier }>(built: T): T {
      notifiers.push(built.notifier);
      return built;
    },
  };
  beforeEach(async () => {
    h.slack = await startFakeSlack();
    h.state = await tempDir();
  });
  afterEach(async () => {
    for (const n of notifiers.splice(0)) await n.stop(100);
    await h.slack.close();
    await h.state.cleanup();
  });
  return h;
}
