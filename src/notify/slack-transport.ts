// One attempt to post one message to one Slack destination, classified so the delivery queue can
// decide: done, wait as Slack asked (429), back off (5xx, network), or give up (permanent).
// Neither client retries on its own: the queue owns every retry, so there is one policy, counted.
// Both SDKs load on a destination's first post: an agent without Slack, or with a webhook only,
// never pays for the Web API client's modules (bench:startup's idle RSS).
import type * as SlackWebhook from '@slack/webhook';
import type { IncomingWebhook, IncomingWebhookSendArguments } from '@slack/webhook';
import type * as SlackWebApi from '@slack/web-api';
import type { ChatPostMessageArguments, LogLevel, Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { SlackDestinationConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import type { DeliveryResult } from './destination.js';
import { classifyFetchError, classifyHttp, describeError, MAX_RETRY_AFTER_MS } from './http-outcome.js';
import type { SlackMessage } from './slack-message.js';

export type { DeliveryResult };

export interface SlackPost {
  key: string;
  kind: string;
  severity: string;
  message: SlackMessage;
  /** Bot mode: reply in this thread. */
  threadTs?: string;
  /** Bot mode: also show the reply in the channel (used for resolutions). */
  broadcast?: boolean;
}

export interface SlackTransport {
  readonly mode: 'webhook' | 'bot' | 'none';
  post(post: SlackPost): Promise<DeliveryResult>;
}

export interface SlackTransportOptions {
  fetch?: typeof fetch;
  timeoutMs: number;
  logger: Logger;
}

/** Slack errors that no retry will fix (the webhook's body or the Web API's `error`). */
export const PERMANENT_SLACK_ERRORS = new Set([
  'invalid_payload',
  'no_text',
  'channel_not_found',
  'channel_is_archived',
  'invalid_token',
  'action_prohibited',
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'user_not_found',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_in_channel',
  'is_archived',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'too_many_attachments',
  'restricted_action',
  'posting_to_general_channel_denied',
]);

/** Web API errors that say "try again later" even though the HTTP status was 200. */
const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'rate_limited']);
type WebApiModule = typeof SlackWebApi;
let webApiModule: Promise<WebApiModule> | undefined;
const loadWebApi = (): Promise<WebApiModule> => (webApiModule ??= import('@slack/web-api'));
let webhookModule: Promise<typeof SlackWebhook> | undefined;
const loadWebhook = (): Promise<typeof SlackWebhook> => (webhookModule ??= import('@slack/webhook'));

/**
 * Incoming Webhook through the official `IncomingWebhook`. Its errors carry the status and body
 * but not the headers, and it does not honour Retry-After; so the fetch we hand it remembers the
 * last response's Retry-After. Sends of one destination are sequential, so "last" is this one.
 */
function webhookTransport(url: string, options: SlackTransportOptions): SlackTransport {
  const baseFetch = options.fetch ?? globalThis.fetch;
  let lastRetryAfter: string | null = null;
  const recordingFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    lastRetryAfter = null;
    const res = await baseFetch(input, init);
    lastRetryAfter = res.headers.get('retry-after');
    return res;
  };
  let client: Promise<IncomingWebhook> | undefined;
  const webhook = (): Promise<IncomingWebhook> =>
    (client ??= loadWebhook().then(
      ({ IncomingWebhook }) =>
        new IncomingWebhook(url, {
          fetch: recordingFetch as unknown as NonNullable<ConstructorParameters<typeof IncomingWebhook>[1]>['fetch'],
          timeout: options.timeoutMs,
          retryConfig: { retries: 0 },
        }),
    ));
  return {
    mode: 'webhook',
    async post(post) {
      const payload: IncomingWebhookSendArguments = {
        text: post.message.text,
        blocks: post.message.blocks as IncomingWebhookSendArguments['blocks'],
        unfurl_links: false,
        unfurl_media: false,
      };
      try {
        const res = await (await webhook()).send(payload);
        return { outcome: 'ok', detail: res.text || 'ok' };
      } catch (err) {
        const e = err as { code?: string; statusCode?: number; body?: unknown };
        if (e.code === 'slack_webhook_http_error' && typeof e.statusCode === 'number') {
          return classifyHttp(e.statusCode, typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? ''), lastRetryAfter);
        }
        return classifyFetchError(err);
      }
    },
  };
}

/** The Web API client logs through ours, quietly: the queue logs the outcomes that matter. */
function slackLogger(logger: Logger, initial: LogLevel): SlackLogger {
  let level = initial;
  return {
    debug: (...msg: unknown[]) => logger.debug({ slack: msg.map(String).join(' ') }, 'Slack client.'),
    info: (...msg: unknown[]) => logger.debug({ slack: msg.map(String).join(' ') }, 'Slack client.'),
    warn: (...msg: unknown[]) => logger.debug({ slack: msg.map(String).join(' ') }, 'Slack client warning.'),
    error: (...msg: unknown[]) => logger.warn({ slack: msg.map(String).join(' ') }, 'Slack client error.'),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Bot-token mode through the official `WebClient`: `chat.postMessage`, which returns the `ts` threads need. */
function botTransport(dest: SlackDestinationConfig, token: string, channel: string, options: SlackTransportOptions): SlackTransport {
  const apiUrl = dest.api_url ? (dest.api_url.endsWith('/') ? dest.api_url : `${dest.api_url}/`) : undefined;
  let client: Promise<WebClient> | undefined;
  const webClient = (sdk: WebApiModule): Promise<WebClient> =>
    (client ??= Promise.resolve(
      new sdk.WebClient(token, {
        ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
        // Its default policy retries for ~30 minutes and pauses its queue on 429; the delivery queue
        // owns retries instead, so a rate limit comes back to us at once with its Retry-After.
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: options.timeoutMs,
        logger: slackLogger(options.logger, sdk.LogLevel.DEBUG),
        ...(options.fetch ? { fetch: options.fetch as unknown as NonNullable<ConstructorParameters<typeof WebClient>[1]>['fetch'] } : {}),
      }),
    ));
  return {
    mode: 'bot',
    async post(post) {
      let sdk: WebApiModule;
      try {
        sdk = await loadWebApi();
      } catch (err) {
        return { outcome: 'transient', reason: 'network', detail: describeError(err) };
      }
      const WebApiErrorCode = sdk.ErrorCode;
      try {
        const args = {
          channel,
          text: post.message.text,
          blocks: post.message.blocks as never,
          unfurl_links: false,
          unfurl_media: false,
          ...(post.threadTs ? { thread_ts: post.threadTs, reply_broadcast: post.broadcast === true } : {}),
          // The idempotency key travels as message metadata too, so a replay after a crash is recognisable.
          metadata: { event_type: 'sentinel_alert', event_payload: { key: post.key, kind: post.kind, severity: post.severity } },
        };
        // The SDK's argument type is a union over text/blocks/attachments shapes; ours carries both text and blocks.
        const res = await (await webClient(sdk)).chat.postMessage(args as unknown as ChatPostMessageArguments);
        return { outcome: 'ok', ts: res.ts, channel: res.channel ?? channel, detail: 'ok' };
      } catch (err) {
        const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number; headers?: Record<string, string>; body?: unknown };
        switch (e.code) {
          case WebApiErrorCode.RateLimitedError:
            return { outcome: 'rate_limited', retryAfterMs: Math.min((e.retryAfter ?? 1) * 1000, MAX_RETRY_AFTER_MS), detail: `429 retry after ${e.retryAfter ?? 1}s` };
          case WebApiErrorCode.PlatformError: {
            const reason = e.data?.error ?? 'unknown_error';
            if (TRANSIENT_PLATFORM_ERRORS.has(reason)) return { outcome: 'transient', reason: 'server_error', detail: reason };
            return { outcome: 'permanent', reason, detail: reason };
          }
          case WebApiErrorCode.HTTPError:
            return classifyHttp(e.statusCode ?? 0, typeof e.body === 'string' ? e.body : '', e.headers?.['retry-after'] ?? null);
          default:
            return classifyFetchError(err);
        }
      }
    },
  };
}

export function createSlackTransport(dest: SlackDestinationConfig, options: SlackTransportOptions): SlackTransport {
  if (dest.bot_token && dest.channel) return botTransport(dest, dest.bot_token, dest.channel, options);
  if (dest.webhook_url) return webhookTransport(dest.webhook_url, options);
  return {
    mode: 'none',
    post: () =>
      Promise.resolve({ outcome: 'permanent', reason: 'no_destination', detail: 'neither webhook_url nor bot_token with channel is set' }),
  };
}
