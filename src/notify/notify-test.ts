// `sentinel notify-test`: one sample alert to every configured destination, straight through its
// `post` (no outbox, no retries), reporting what each said, so a bad URL or token shows at once.
import type { Alert } from '../types.js';
import { buildDestinations } from './destination-registry.js';
import { destinationContext, toOutboxRecords, type NotifierOptions } from './notifier.js';

/** A realistic alert: the demo pipeline's division by zero, diagnosed by the built-in analyser. */
export function sampleAlert(now = Date.now()): Alert {
  const raw =
    '{"ts":"2026-11-25T09:14:03.512Z","level":"error","pipeline":"aio_pipeline","run_id":"run-20261125-0914","step":"transform_data","event":"step_failed","msg":"Step failed: RangeError: Division by zero"}';
  return {
    key: `notify-test-${now}`,
    kind: 'opened',
    severity: 'critical',
    createdAt: now,
    incident: {
      id: 'inc-notify-test',
      fingerprint: 'notify-test',
      rule: {
        id: 'step-failed',
        severity: 'critical',
        labels: { team: 'data' },
        hint: 'This is a test alert sent by `sentinel notify-test`.',
      },
      severity: 'critical',
      title: 'Step transform_data failed (test alert)',
      pipeline: 'aio_pipeline',
      step: 'transform_data',
      runId: 'run-20261125-0914',
      source: 'etl',
      file: '/var/log/etl/aio_pipeline.log',
      firstSeen: now - 60_000,
      lastSeen: now,
      count: 3,
      status: 'open',
      samples: [
        {
          ts: now,
          readAt: now,
          level: 'error',
          message: 'Step failed: RangeError: Division by zero',
          fields: {},
          raw,
          format: 'json',
          origin: { source: 'etl', file: '/var/log/etl/aio_pipeline.log', offset: 0, endOffset: raw.length + 1, line: 42 },
        },
      ],
      diagnosis: {
        category: 'code_bug',
        summary: 'transform_data divides by a row count that is zero for an empty batch.',
        rootCause: 'BigInt division `total / count` throws RangeError when the batch has no rows, so the step fails instead of skipping.',
        evidence: [raw, 'RangeError: Division by zero', '    at averageAmount (pipeline/steps/transform.ts:57:18)'],
        location: { file: 'pipeline/steps/transform.ts', line: 57, function: 'averageAmount', code: 'const avg = total / count;' },
        fix: ['Guard the empty batch before dividing:', 'if (count === 0n) return 0n;\nconst avg = total / count;', 'Add a test with an empty input batch.'],
        retryable: false,
        confidence: 0.9,
        engine: 'builtin',
        model: null,
        latencyMs: 3,
      },
    },
  };
}

export async function sendTestAlert(options: NotifierOptions): Promise<Array<{ destination: string; ok: boolean; detail: string }>> {
  const now = options.now?.() ?? Date.now();
  const alert = sampleAlert(now);
  const results: Array<{ destination: string; ok: boolean; detail: string }> = [];
  for (const dest of buildDestinations(options.config, destinationContext(options))) {
    // The first message is the test: a digest's later parts say nothing a first part does not.
    const record = toOutboxRecords(dest, alert, now)[0];
    if (!record) continue;
    const res = await dest.post(record);
    const how = dest.describe;
    switch (res.outcome) {
      case 'ok':
        results.push({ destination: dest.name, ok: true, detail: dest.immediate ? res.detail : `${how}: ${dest.label} said ${res.detail}${res.ts ? ` (ts ${res.ts})` : ''}` });
        break;
      case 'rate_limited':
        results.push({ destination: dest.name, ok: false, detail: `${how}: rate limited, retry after ${Math.round(res.retryAfterMs / 1000)} s` });
        break;
      case 'transient':
        results.push({ destination: dest.name, ok: false, detail: `${how}: ${res.reason} (${res.detail}); transient, Sentinel would retry` });
        break;
      case 'permanent':
        results.push({ destination: dest.name, ok: false, detail: `${how}: refused: ${res.detail}` });
        break;
    }
  }
  return results;
}
