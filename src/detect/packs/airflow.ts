// Airflow: task failures as the task runner logs them (at INFO, hence anyLevel), zombies and
// SIGKILLs, timeouts, DAG import errors.
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('airflow', spec);

export const airflowPack: RulePack = {
  name: 'airflow',
  description: 'Airflow task failures, zombies / SIGKILL, timeouts, broken DAGs.',
  rules: [
    r({
      id: 'killed',
      description: 'The task process was killed (zombie, SIGKILL, killed externally).',
      severity: 'critical',
      priority: 82,
      anyLevel: true,
      match: {
        regex: String.raw`Detected zombie job|zombie (?:job|task)|was killed externally|Task exited with return code (?:-9|Negsignal\.SIGKILL|137)\b|Received SIGTERM\. Terminating subprocesses`,
        ignore_case: true,
      },
      hint: 'Often the worker ran out of memory (exit 137 / SIGKILL) or lost its heartbeat.',
    }),
    r({
      id: 'timeout',
      description: 'A task or sensor exceeded its timeout.',
      severity: 'error',
      priority: 80,
      anyLevel: true,
      match: { regex: String.raw`AirflowTaskTimeout|AirflowSensorTimeout|Sensor has timed out|Timeout, PID: \d+` },
    }),
    r({
      id: 'dag-import-error',
      description: 'A DAG file failed to import.',
      severity: 'error',
      priority: 66,
      anyLevel: true,
      match: { regex: String.raw`Broken DAG: |Failed to import: |DagFileProcessor.{0,80}Error|AirflowDagCycleException` },
    }),
    r({
      id: 'task-failed',
      // Not "Marking task as FAILED" / "Task exited with return code 1": they follow the line
      // above in the same log, and would open a second incident for the same failure.
      description: 'An Airflow task failed.',
      severity: 'error',
      priority: 58,
      anyLevel: true,
      summarises: true,
      match: {
        regex: String.raw`Task failed with exception|Executor reports task instance .{0,300}? finished \(failed\)`,
      },
    }),
    r({
      id: 'task-retry',
      description: 'An Airflow task failed and will be retried.',
      severity: 'warning',
      priority: 57,
      anyLevel: true,
      summarises: true,
      reportsRetries: true,
      match: { regex: String.raw`Marking task as UP_FOR_RETRY` },
    }),
  ],
};
