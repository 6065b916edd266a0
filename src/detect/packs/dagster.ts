// Dagster: its event types (STEP_FAILURE, RUN_FAILURE) as text logs and JSON logs write them, and
// its error wrappers. The event type itself is required, so a plain "Execution of step ... failed"
// from another tool is not taken for Dagster. The wrapper (DagsterExecutionStepExecutionError)
// follows the STEP_FAILURE line after a blank line, so it arrives as a record of its own: a rule on
// it would open a second incident for the same failure; STEP_FAILURE is the one that counts.
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('dagster', spec);

export const dagsterPack: RulePack = {
  name: 'dagster',
  description: 'Dagster step and run failures, config and type-check errors.',
  rules: [
    r({
      id: 'invalid-config',
      description: 'Dagster rejected the run config or a type check failed.',
      severity: 'error',
      priority: 64,
      anyLevel: true,
      // Older releases say it in the event line itself, logged at DEBUG like every Dagster event:
      // `STEP_OUTPUT - Yielded output "result" of type "TripDataFrame". Warning! Type check failed.`
      match: { regex: String.raw`DagsterInvalidConfigError|DagsterTypeCheckDidNotPass|DagsterInvalidDefinitionError|Type check failed for step (?:input|output)|\bSTEP_(?:OUTPUT|INPUT)\b[^\n]{0,400}\bType check failed\b` },
    }),
    r({
      id: 'step-failure',
      description: 'A Dagster op / step failed (STEP_FAILURE; the error wrapper follows it).',
      severity: 'critical',
      priority: 60,
      anyLevel: true,
      match: { raw_regex: String.raw`\bSTEP_FAILURE\b` },
    }),
    r({
      id: 'run-failure',
      description: 'A Dagster run failed (RUN_FAILURE / PIPELINE_FAILURE).',
      severity: 'critical',
      priority: 55,
      anyLevel: true,
      summarises: true,
      match: { raw_regex: String.raw`\b(?:RUN_FAILURE|PIPELINE_FAILURE)\b` },
    }),
  ],
};
