// A damaged outbox file (a torn write on a filesystem that lies about fsync, a disk error, a hand
// edit) still holds an alert someone should see. What can be read of it is re-sent as a plain
// message that says it was recovered and names the damaged file, which stays in dead/ for
// inspection; when nothing can be read, the message still says an alert was lost and where.
import type { OutboxRecord } from './outbox-record.js';
import type { Severity } from '../types.js';

const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning', 'info'];
const MAX_SALVAGED_CHARS = 2500;

/** The fallback text of the damaged record, as far as it can be read; '' when none can. */
function readableText(content: string, parsed: unknown): string {
  const message = (parsed as { message?: { text?: unknown } } | null)?.message;
  if (typeof message?.text === 'string') return message.text;
  // A torn file: the first `"text":"…` string literal, up to its closing quote or the end of the file.
  const m = /"text"\s*:\s*"((?:[^"\\]|\\.)*)("?)/.exec(content);
  if (!m?.[1]) return '';
  try {
    return JSON.parse(`"${m[1].replace(/\\u[0-9a-fA-F]{0,3}$|\\$/, '')}"`) as string;
  } catch {
    return m[1];
  }
}

function field(content: string, parsed: unknown, name: 'key' | 'severity'): string | undefined {
  const value = (parsed as Record<string, unknown> | null)?.[name];
  if (typeof value === 'string') return value;
  return new RegExp(`"${name}"\\s*:\\s*"([^"\\\\]{1,200})"`).exec(content)?.[1];
}

export function salvageOutboxRecord(content: string, path: string, now: number): OutboxRecord {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(content);
  } catch {
    // Torn or garbage: read what the raw text gives.
  }
  const severityField = field(content, parsed, 'severity');
  const severity = SEVERITIES.find((s) => s === severityField) ?? 'error';
  const originalKey = field(content, parsed, 'key');
  // The stored text was redacted and escaped when it was built; a torn entity or a stray angle
  // bracket from the damage must still not become a ping or a link.
  const text = readableText(content, parsed)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\s+/g, ' ')
    .slice(0, MAX_SALVAGED_CHARS);
  const safePath = path.replace(/[<>&`]/g, '_');
  const summary = text
    ? `Recovered from a damaged outbox file \`${safePath}\` (kept there for inspection). The alert as far as it could be read:\n>${text}`
    : `An alert in the outbox could not be read: \`${safePath}\` is damaged (kept there for inspection). Check recent failures with \`sentinel incidents\`.`;
  const key = `salvaged:${(originalKey ?? path).replace(/[^A-Za-z0-9:_.-]/g, '_').slice(-150)}`;
  return {
    v: 1,
    key,
    kind: 'opened',
    severity,
    createdAt: now,
    enqueuedAt: now,
    message: {
      text: `[${severity.toUpperCase()}] ${summary}`.slice(0, 2800) + ` (sentinel alert ${key})`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: summary.slice(0, 3000) } }],
    },
  };
}
