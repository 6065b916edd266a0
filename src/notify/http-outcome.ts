// What an HTTP answer or a fetch error means for an alert, shared by every destination that speaks
// HTTP: wait as asked (429, or 503 with Retry-After), back off (5xx, 408, network, timeout), or give
// up (any other 4xx). Details name the status and a short body, never the URL (it may hold a token).
import type { DeliveryResult } from './destination.js';

/** A Retry-After beyond this is treated as this: an alert hours late is no alert. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3); Slack sends seconds. */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number {
  if (value) {
    const secs = Number(value.trim());
    if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, MAX_RETRY_AFTER_MS);
    const date = Date.parse(value);
    if (Number.isFinite(date)) return Math.min(Math.max(0, date - nowMs), MAX_RETRY_AFTER_MS);
  }
  return 1000;
}

export function isTimeout(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  }
  return false;
}

/** The error and its causes in one line (`fetch failed: connect ECONNREFUSED 127.0.0.1:9`). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    parts.push(code && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
  }
  return parts.join(': ') || String(err);
}

/** A fetch that threw: a timeout or a network failure, both worth a retry. */
export function classifyFetchError(err: unknown): DeliveryResult {
  return { outcome: 'transient', reason: isTimeout(err) ? 'timeout' : 'network', detail: describeError(err) };
}

export function classifyHttp(status: number, body: string, retryAfter: string | null): DeliveryResult {
  const reason = body.trim().slice(0, 200) || `http_${status}`;
  if (status === 429) return { outcome: 'rate_limited', retryAfterMs: parseRetryAfter(retryAfter), detail: `429 ${reason}` };
  // A 503 that says when to come back is a rate limit by another name (RFC 9110 §15.6.4).
  if (status === 503 && retryAfter) return { outcome: 'rate_limited', retryAfterMs: parseRetryAfter(retryAfter), detail: `503 ${reason}` };
  if (status >= 500 || status === 408) return { outcome: 'transient', reason: 'server_error', detail: `${status} ${reason}` };
  // 400/403/404/410 and the like will not get better by retrying.
  return { outcome: 'permanent', reason, detail: `${status} ${reason}` };
}
