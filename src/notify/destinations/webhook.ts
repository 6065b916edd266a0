// The generic webhook: `notify.webhooks: [{name, url, secret, severities, labels}]`. Each alert is
// one POST of a documented JSON body (webhook-body.ts) with an `Idempotency-Key` header; with a
// `secret`, an HMAC-SHA256 signature over the timestamp and the raw body (the scheme Stripe and
// Slack use: a signature over the body alone would let a captured request be replayed forever).
//
// The URL and the secret may hold credentials: neither ever appears in a log line, a metric or a
// result detail; `describe` shows only the scheme and host.
import type { NotifyConfig, WebhookDestinationConfig } from '../../config/config-types.js';
import { routes, type DeliveryResult, type Destination, type DestinationContext } from '../destination.js';
import { classifyFetchError, classifyHttp } from '../http-outcome.js';
import { crypto } from '../../crypto-on-demand.js';
import { VERSION } from '../../version.js';
import { buildWebhookBody, isWebhookBody, WEBHOOK_BODY_VERSION, type WebhookBody } from './webhook-body.js';

export const SIGNATURE_HEADER = 'X-Sentinel-Signature';
export const TIMESTAMP_HEADER = 'X-Sentinel-Timestamp';

/** `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<raw body>`); the timestamp is Unix seconds. */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${crypto().createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** Reads at most this much of an error answer: enough for a reason, never a whole page. */
const MAX_ANSWER_CHARS = 200;

async function answerText(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, MAX_ANSWER_CHARS).replace(/\s+/g, ' ');
  } catch {
    return '';
  }
}

export function createWebhookDestination(dest: WebhookDestinationConfig, ctx: DestinationContext): Destination<WebhookBody> {
  const doFetch = ctx.fetch ?? globalThis.fetch;
  let target: URL | null = null;
  try {
    target = new URL(dest.url);
  } catch {
    // Reported per attempt as a permanent failure; the URL itself is never echoed.
  }
  return {
    name: dest.name,
    label: 'Webhook',
    describe: target ? `POST to ${target.protocol}//${target.host}${dest.secret ? ', signed' : ''}` : 'invalid URL',
    ratePerSec: dest.rate_per_sec,
    wants: (alert) => routes(dest, alert),
    render: (alert) => [{ key: alert.key, payload: buildWebhookBody(alert, ctx.redactor) }],
    async post(record): Promise<DeliveryResult> {
      if (!target || !/^https?:$/.test(target.protocol)) return { outcome: 'permanent', reason: 'invalid_url', detail: 'the webhook url is not an http(s) URL' };
      const raw = JSON.stringify(record.message);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': `pipeline-sentinel/${VERSION}`,
        'idempotency-key': record.key,
      };
      if (dest.secret) {
        // Stamped per attempt: a retry an hour later is a fresh request, not a replay.
        const timestamp = Math.floor(ctx.now() / 1000);
        headers[TIMESTAMP_HEADER.toLowerCase()] = String(timestamp);
        headers[SIGNATURE_HEADER.toLowerCase()] = signWebhook(dest.secret, timestamp, raw);
      }
      let res: Response;
      try {
        // Redirects are not followed: the signature and the body would go to a host nobody configured.
        res = await doFetch(target, { method: 'POST', headers, body: raw, redirect: 'manual', signal: AbortSignal.timeout(ctx.timeoutMs) });
      } catch (err) {
        return classifyFetchError(err);
      }
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => undefined);
        return { outcome: 'ok', detail: String(res.status) };
      }
      const answer = await answerText(res);
      if (res.status >= 300 && res.status < 400) return { outcome: 'permanent', reason: 'redirect_not_followed', detail: `${res.status}: set the final URL` };
      return classifyHttp(res.status, answer, res.headers.get('retry-after'));
    },
    isPayload: isWebhookBody,
    salvage: ({ key, severity, text }) => ({
      version: WEBHOOK_BODY_VERSION,
      idempotencyKey: key,
      status: 'opened',
      severity,
      createdAt: new Date(ctx.now()).toISOString(),
      text,
      fingerprint: null,
      labels: {},
      incident: null,
      diagnosis: null,
      sender: { name: 'pipeline-sentinel', version: VERSION },
    }),
  };
}

export function webhookDestinations(config: NotifyConfig, ctx: DestinationContext): Destination[] {
  return config.webhooks.map((dest) => createWebhookDestination(dest, ctx) as Destination);
}
