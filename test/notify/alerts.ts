// Realistic alerts for the notify tests (not a test file itself).
import type { Alert, AlertKind, Diagnosis, Incident, LogEvent, Severity } from '../../src/types.js';

let seq = 0;

export function logEvent(raw: string, message = raw, at = Date.UTC(2026, 10, 25, 9, 14, 3)): LogEvent {
  return {
    ts: at,
    readAt: at,
    level: 'error',
    message,
    fields: {},
    raw,
    format: 'json',
    origin: { source: 'etl', file: '/var/log/etl/aio_pipeline.log', offset: 0, endOffset: raw.length + 1, line: 42 },
  };
}

export function diagnosis(over: Partial<Diagnosis> = {}): Diagnosis {
  return {
    category: 'code_bug',
    summary: 'transform_data divides by a row count that is zero for an empty batch.',
    rootCause: 'BigInt division `total / count` throws RangeError when the batch has no rows.',
    evidence: ['RangeError: Division by zero', '    at averageAmount (pipeline/steps/transform.ts:57:18)'],
    location: { file: 'pipeline/steps/transform.ts', line: 57, function: 'averageAmount', code: 'const avg = total / count;' },
    fix: ['Guard the empty batch before dividing:', 'if (count === 0n) return 0n;\nconst avg = total / count;'],
    retryable: false,
    confidence: 0.9,
    engine: 'builtin',
    model: null,
    latencyMs: 3,
    ...over,
  };
}

export function incident(over: Partial<Incident> = {}): Incident {
  const at = Date.UTC(2026, 10, 25, 9, 14, 3);
  const raw = '{"level":"error","pipeline":"aio_pipeline","step":"transform_data","msg":"Step failed: RangeError: Division by zero"}';
  return {
    id: 'inc-1',
    fingerprint: 'fp-transform-div0',
    rule: { id: 'step-failed', severity: 'critical', labels: { team: 'data' }, runbook: 'https://runbooks.example.com/etl/step-failed?x=1&y=2' },
    severity: 'critical',
    title: 'Step transform_data failed',
    pipeline: 'aio_pipeline',
    step: 'transform_data',
    runId: 'run-20261125-0914',
    source: 'etl',
    file: '/var/log/etl/aio_pipeline.log',
    firstSeen: at - 60_000,
    lastSeen: at,
    count: 3,
    status: 'open',
    samples: [logEvent(raw, 'Step failed: RangeError: Division by zero', at)],
    diagnosis: diagnosis(),
    ...over,
  };
}

export function alert(over: Partial<Alert> & { kind?: AlertKind; severity?: Severity } = {}): Alert {
  const inc = over.incident ?? incident(over.severity ? { severity: over.severity, rule: { ...incident().rule, severity: over.severity } } : {});
  return {
    key: `alert-${++seq}`,
    kind: 'opened',
    severity: inc.severity,
    createdAt: Date.UTC(2026, 10, 25, 9, 14, 4) + seq,
    incident: inc,
    ...over,
  };
}
