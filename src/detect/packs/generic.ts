// Generic: structured records that say themselves that they are failures. A failure event
// (step_failed) outranks language-level stack rules, since it names what failed; any pack that knows
// the cause (OOM, access denied, a missing relation) outranks it.
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('generic', spec);

export const genericPack: RulePack = {
  name: 'generic',
  description: 'Fatal records, failure events, error records carrying an exception.',
  rules: [
    r({
      id: 'failure-event',
      description: 'An error record whose event names a failure (step_failed, job_failure, task.failed).',
      severity: 'critical',
      priority: 45,
      match: {
        level: ['error', 'fatal'],
        field_regex: { event: String.raw`(?:^|[_.\-\s])(?:fail|failed|failure|crash|crashed|abort|aborted)$` },
        ignore_case: true,
      },
    }),
    r({
      id: 'fatal',
      description: 'A record logged at fatal / critical level.',
      severity: 'critical',
      priority: 11,
      match: { level: 'fatal' },
    }),
    r({
      id: 'exception',
      description: 'An error record carrying an error: an object, a stack trace, or a string field (slog `err=`, zap `"error"`).',
      severity: 'error',
      priority: 10,
      match: { level: 'error', has_error: true },
    }),
  ],
};
