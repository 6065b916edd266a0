// What to check for a category that the learned model (learned-category.ts) gave with no signature
// of that kind behind it: said as what the evidence resembles and what to check, never as a known
// cause, so the category and the text never contradict each other.
import type { Category } from '../../types.js';

type Known = Exclude<Category, 'unknown'>;

const CHECKS: Record<Known, { kind: string; check: string[] }> = {
  code_bug: {
    kind: 'a bug in the job\'s own code or in the tool that raised it',
    check: ['Read the failing frame with the error message and fix the assumption that did not hold; if the error is raised inside a tool or library, check its issue tracker and version.'],
  },
  data_quality: {
    kind: 'input data that breaks the job\'s expectations (nulls, bad values, duplicates, an empty batch)',
    check: ['Find the record or batch the error names and check it against what the step expects; quarantine or fix the bad rows upstream.'],
  },
  schema_drift: {
    kind: 'a change in the shape of the data (a column renamed, removed, added or retyped)',
    check: ['Compare the schema the step expects with what the source now produces; update the model or the mapping, or pin the source\'s version.'],
  },
  missing_input: {
    kind: 'an input that is not there (a file, partition, table, object or upstream output)',
    check: ['Check that the upstream step produced its output for this run and that the path, table or key the job reads is the one it wrote.'],
  },
  dependency_or_import: {
    kind: 'a missing or incompatible package, module, class or version',
    check: ['Check the environment the step ran in: installed packages and their versions against the lock file or image the job was built for.'],
  },
  configuration: {
    kind: 'a setting of the job or its environment (a connection string, host, option, variable or file path set wrongly)',
    check: ['Check the settings the step ran with (environment variables, connection and host names, options, config files) against what the deployment needs; inside a container `localhost` is the container itself.'],
  },
  auth_or_permission: {
    kind: 'credentials or permissions (an expired or missing token, a role without the grant)',
    check: ['Check which identity the step ran as and whether it holds the grant or credential the failing call needs.'],
  },
  network_or_service_unavailable: {
    kind: 'a service the job talks to that could not be reached',
    check: ['Check that the service is up and reachable from where the step runs (host, port, DNS, firewall), then re-run.'],
  },
  timeout: {
    kind: 'an operation that ran out of time',
    check: ['Find which call or step ran out of time and whether it was slow (load, size) or stuck (a lock, a hung peer); raise the limit only once you know which.'],
  },
  resource_exhaustion: {
    kind: 'a resource that ran out (memory, disk, CPU quota, file handles)',
    check: ['Check the step\'s memory, disk and limits at the time of failure and the size of what it processed; give it more or make it process less at once.'],
  },
  rate_limit: {
    kind: 'a service that throttled the job\'s requests',
    check: ['Check the request rate and quota of the service the step calls; back off and retry, or lower the concurrency.'],
  },
  database_error: {
    kind: 'the database rejecting the statement or the session',
    check: ['Run the failing statement by hand against the same database and read the database\'s own message and code.'],
  },
};

/** Root cause and what to check for `category`, which the learned model gave with probability `probability`. */
export function categoryAdvice(category: Known, probability: number): { rootCause: string; check: string[] } {
  const { kind, check } = CHECKS[category];
  return {
    rootCause: `No known signature explains this error, but its wording resembles ${kind} in the real failure logs the built-in analyser learned from (p=${probability.toFixed(2)}). Confirm it with the error message and the failing frame.`,
    check,
  };
}

/** What to check for a failure of `category`, whatever gave the category. */
export function categoryCheck(category: Known): string[] {
  return CHECKS[category].check;
}
