// The webhook body: the documented example is what the code builds, and every body is bounded
// and redacted whatever the incident holds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWebhookBody, isWebhookBody } from '../../src/notify/destinations/webhook-body.js';
import { sampleAlert } from '../../src/notify/notify-test.js';
import { createRedactor } from '../../src/redact/redactor.js';
import { VERSION } from '../../src/version.js';
import { alert, diagnosis, incident, logEvent } from './alerts.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'docs', 'webhook-body.example.json');

describe('webhook body', () => {
  it('docs/webhook-body.example.json is exactly what Sentinel sends for the notify-test alert', () => {
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { sender: { version: string } };
    const built = buildWebhookBody(sampleAlert(Date.UTC(2026, 10, 25, 9, 15, 0)), createRedactor());
    expect(built).toEqual({ ...example, sender: { ...example.sender, version: VERSION } });
    expect(isWebhookBody(example)).toBe(true);
  });

  it('stays bounded and redacted for a huge, secret-laden incident and a storm of 500', () => {
    const huge = `password=hunter2 ${'x'.repeat(262_144)}`; // one line at the default max_line_bytes
    const big = incident({ title: huge, samples: [logEvent(huge), logEvent(huge), logEvent(huge), logEvent(huge)], diagnosis: diagnosis({ rootCause: huge, evidence: Array(50).fill(huge), fix: Array(50).fill(huge) }) });
    const one = JSON.stringify(buildWebhookBody(alert({ incident: big }), createRedactor()));
    expect(one.length).toBeLessThan(150_000);
    expect(one).not.toContain('hunter2');

    const storm = Array.from({ length: 500 }, (_, n) => incident({ id: `inc-${n}`, fingerprint: `fp-${n}` }));
    const digest = buildWebhookBody(alert({ kind: 'digest', incident: undefined, incidents: storm }), createRedactor());
    expect(digest.incidents).toHaveLength(200);
    expect(digest.omitted).toBe(300);
    expect(digest.text).toBe('[CRITICAL] Incident storm: 500 incidents');
  });
});
