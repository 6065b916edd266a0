// Slack as a destination: Block Kit messages (slack-message.ts) through an Incoming Webhook or, with
// a bot token, chat.postMessage (slack-transport.ts), where repeats and the resolution are threaded
// under the incident's first message (thread-store.ts).
import { join } from 'node:path';
import type { NotifyConfig, SlackDestinationConfig } from '../../config/config-types.js';
import { routes, destinationDir, type Destination, type DestinationContext, type OutboxRecord } from '../destination.js';
import { buildSlackMessages, partKey, type SlackMessage } from '../slack-message.js';
import { createSlackTransport, type SlackTransport } from '../slack-transport.js';
import { createThreadStore, type ThreadStore } from '../thread-store.js';

function isSlackMessage(payload: unknown): payload is SlackMessage {
  const m = payload as Partial<SlackMessage> | null;
  return typeof m?.text === 'string' && Array.isArray(m.blocks);
}

function describeTransport(transport: SlackTransport, dest: SlackDestinationConfig): string {
  if (transport.mode === 'bot') return `chat.postMessage to ${dest.channel ?? '?'}`;
  return transport.mode === 'webhook' ? 'incoming webhook' : 'not configured';
}

/** Posts in the incident's thread when one is known; a thread whose parent was deleted gets a fresh post rather than a lost alert. */
async function postThreaded(transport: SlackTransport, threads: ThreadStore, record: OutboxRecord<SlackMessage>): ReturnType<SlackTransport['post']> {
  const post = { key: record.key, kind: record.kind, severity: record.severity, message: record.message };
  const fp = record.fingerprint;
  const threadTs = fp && record.kind !== 'opened' && record.kind !== 'digest' ? threads.get(fp)?.ts : undefined;
  if (!threadTs || !fp) return transport.post(post);
  const result = await transport.post({ ...post, threadTs, broadcast: record.kind === 'resolved' });
  if (result.outcome === 'permanent' && /thread|message_not_found/.test(result.reason)) {
    await threads.delete(fp);
    return transport.post(post);
  }
  return result;
}

export function createSlackDestination(dest: SlackDestinationConfig, ctx: DestinationContext): Destination<SlackMessage> {
  const transport = createSlackTransport(dest, { ...(ctx.fetch ? { fetch: ctx.fetch } : {}), timeoutMs: ctx.timeoutMs, logger: ctx.logger });
  const threads = transport.mode === 'bot' ? createThreadStore(join(ctx.stateDir, 'slack-threads', `${destinationDir(dest.name)}.json`)) : undefined;
  return {
    name: dest.name,
    label: 'Slack',
    describe: describeTransport(transport, dest),
    ratePerSec: dest.rate_per_sec,
    errorCodes: { permanent: 'SENTINEL_ERR_SLACK_PERMANENT', transient: 'SENTINEL_ERR_SLACK_TRANSIENT' },
    wants: (alert) => routes(dest, alert),
    render: (alert) => buildSlackMessages(alert, ctx.redactor).map((payload, n) => ({ key: partKey(alert.key, n + 1), payload })),
    post: (record) => (threads ? postThreaded(transport, threads, record) : transport.post({ key: record.key, kind: record.kind, severity: record.severity, message: record.message })),
    isPayload: isSlackMessage,
    salvage: ({ key, severity, text }) => ({
      text: `[${severity.toUpperCase()}] ${text}`.slice(0, 2800) + ` (sentinel alert ${key})`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }],
    }),
    ...(threads
      ? {
          load: (onCorrupt: (file: string) => void) => threads.load(onCorrupt),
          // An opened alert starts the incident's thread (a fingerprint that fires again after its
          // resolution gets a new one); any other top-level post adopts the thread if none is known.
          async delivered(record: OutboxRecord<SlackMessage>, result: { ts?: string; channel?: string }) {
            const fp = record.fingerprint;
            if (!fp || !result.ts || (record.kind !== 'opened' && threads.get(fp))) return;
            await threads.set(fp, { ts: result.ts, channel: result.channel ?? '', at: ctx.now() }).catch((err: unknown) => {
              ctx.metrics.stateWriteErrors.inc({ kind: 'threads' });
              ctx.logger.warn({ err, notifier: dest.name }, 'Could not persist the Slack thread; later replies will start a new thread.');
            });
          },
        }
      : {}),
  };
}

/** Every `notify.slack` entry is one destination. */
export function slackDestinations(config: NotifyConfig, ctx: DestinationContext): Destination[] {
  return config.slack.map((dest) => createSlackDestination(dest, ctx) as Destination);
}
