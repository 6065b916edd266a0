// Built-in packs as a data table: each real-format sample log must open exactly the incidents
// listed (rule and severity), through the agent's own pipeline (as `sentinel test-rules` runs it).
// One failing record gives one incident, named for its most specific cause.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load-config.js';
import type { MatchExpr, SentinelConfig, SourceConfig } from '../../src/config/config-types.js';
import { createDetector } from '../../src/detect/detector.js';
import { BUILTIN_PACKS } from '../../src/detect/packs/index.js';
import { incidentsOfText } from '../../src/agent/rule-tests.js';
import { eventsFromText } from '../helpers/events-from-text.js';
import { regexHazard } from '../../src/config/regex-safety.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'packs');
const config = defaultConfig({});
const source = config.sources[0] as SourceConfig;

function incidentsOf(file: string, withConfig: SentinelConfig = config): { rule: string; severity: string }[] {
  return incidentsOfText(readFileSync(join(FIXTURES, file), 'utf8'), file, withConfig, source)
    .map(({ rule, severity }) => ({ rule, severity }))
    .sort((a, b) => a.rule.localeCompare(b.rule));
}

const TABLE: [file: string, rule: string | null, severity?: string][] = [
  ['generic/step-failed-json.log', 'generic.failure-event', 'critical'],
  ['generic/fatal-json.log', 'generic.fatal', 'critical'],
  ['generic/exception-json.log', 'generic.exception', 'error'],
  ['generic/error-field-logfmt.log', 'generic.exception', 'error'],
  ['generic/error-field-json.log', 'generic.exception', 'error'],
  ['generic/killed-signal.log', 'generic.killed', 'critical'],
  ['generic/rust-panic.log', 'generic.rust-panic', 'critical'],
  ['generic/error-line.log', 'generic.error-line', 'error'],
  ['generic/failed-unit.log', 'generic.failed-unit', 'error'],
  ['generic/exit-code.log', 'generic.exit-code', 'error'],
  ['generic/http-error.log', 'generic.http-error', 'error'],
  ['generic/error-record.log', 'generic.error-record', 'error'],
  ['go/panic.log', 'go.panic', 'critical'],
  ['go/fatal-error.log', 'go.fatal-error', 'critical'],
  ['go/log-fatal.log', 'go.log-fatal', 'error'],
  ['go/build-error.log', 'go.build-error', 'error'],
  ['go/module-error.log', 'go.module-error', 'error'],
  ['go/log-error.log', 'go.log-error', 'error'],
  ['go/plugin-error.log', 'go.plugin-error', 'error'],
  ['python/traceback.log', 'python.traceback', 'error'],
  ['python/pandas-keyerror.log', 'python.pandas', 'error'],
  ['python/pandas-empty.log', 'python.pandas', 'error'],
  ['python/sqlalchemy-psycopg.log', 'postgresql.undefined-object', 'error'],
  ['python/psycopg-operational.log', 'postgresql.connection', 'critical'],
  ['python/import-error.log', 'python.import-error', 'error'],
  ['node/error-stack.log', 'node.error-stack', 'error'],
  ['node/unhandled-rejection.log', 'node.unhandled-rejection', 'critical'],
  ['node/econnrefused-json.log', 'node.network-error', 'error'],
  ['node/winston-json-stack.log', 'node.json-error-stack', 'error'],
  ['node/module-not-found.log', 'node.error-stack', 'error'],
  ['jvm/exception.log', 'jvm.exception', 'error'],
  ['jvm/uncaught-exception.log', 'jvm.uncaught-exception', 'critical'],
  ['jvm/oom.log', 'jvm.out-of-memory', 'critical'],
  ['jvm/spark-failure.log', 'jvm.spark-failure', 'critical'],
  ['jvm/kafka-commit-failed.log', 'jvm.kafka-commit-failed', 'error'],
  ['jvm/kafka-broker-unreachable.log', 'jvm.kafka-broker-unreachable', 'error'],
  ['generic/rdkafka-broker-unreachable.log', 'generic.rdkafka-broker-unreachable', 'error'],
  ['postgresql/auth.log', 'postgresql.auth', 'error'],
  ['postgresql/undefined-relation.log', 'postgresql.undefined-object', 'error'],
  ['postgresql/constraint.log', 'postgresql.constraint', 'error'],
  ['postgresql/deadlock.log', 'postgresql.conflict-or-timeout', 'error'],
  ['postgresql/connection.log', 'postgresql.connection', 'critical'],
  ['postgresql/server-error.log', 'postgresql.server-error', 'error'],
  ['postgresql/invalid-data.log', 'postgresql.invalid-data', 'error'],
  ['python/connection-gave-up.log', 'python.connection-gave-up', 'error'],
  ['postgresql/server-panic.log', 'postgresql.server-fatal', 'critical'],
  ['dagster/step-failure.log', 'dagster.step-failure', 'critical'],
  ['dagster/step-failure-json.log', 'dagster.step-failure', 'critical'],
  ['dagster/run-failure.log', 'dagster.run-failure', 'critical'],
  ['dagster/invalid-config.log', 'dagster.invalid-config', 'error'],
  ['airflow/task-failed.log', 'airflow.task-failed', 'error'],
  ['airflow/zombie.log', 'airflow.killed', 'critical'],
  ['airflow/sigkill.log', 'airflow.killed', 'critical'],
  ['airflow/timeout.log', 'airflow.timeout', 'error'],
  ['generic/error-record-airflow.log', 'generic.error-record', 'error'],
  ['dbt/compilation-error.log', 'dbt.compilation-error', 'error'],
  ['dbt/database-error.log', 'dbt.database-error', 'error'],
  ['dbt/runtime-error.log', 'dbt.runtime-error', 'error'],
  ['dbt/test-failure.log', 'dbt.test-failure', 'warning'],
  ['dbt/source-stale.log', 'dbt.source-stale', 'error'],
  ['cloud/access-denied.log', 'cloud.access-denied', 'error'],
  ['cloud/gcp-permission.log', 'cloud.access-denied', 'error'],
  ['cloud/no-such-key.log', 'cloud.not-found', 'error'],
  ['cloud/throttling.log', 'cloud.throttling', 'warning'],
  ['cloud/quota-exceeded.log', 'cloud.throttling', 'warning'],
  ['cloud/no-credentials.log', 'cloud.credentials', 'error'],
  ['kubernetes/killed.log', 'kubernetes.oom-killed', 'critical'],
  ['kubernetes/oomkilled.log', 'kubernetes.oom-killed', 'critical'],
  ['kubernetes/node-heap.log', 'kubernetes.oom-killed', 'critical'],
  ['kubernetes/crashloop.log', 'kubernetes.pod-failure', 'error'],
  ['quiet/benign.log', null],
];

describe('built-in rule packs', () => {
  it.each(TABLE)('%s → %s', (file, rule, severity) => {
    // One failure, one incident: an ERROR line announcing the failure ("download failed") joins
    // the incident of the record that names it (ADR 0016).
    expect(incidentsOf(file)).toEqual(rule === null ? [] : [{ rule, severity }]);
  });

  it('has a sample log for every pack rule', () => {
    const covered = new Set(TABLE.map(([, rule]) => rule));
    const untested = BUILTIN_PACKS.flatMap((p) => p.rules.map((r) => r.id)).filter((id) => !covered.has(id));
    // Rules whose samples would duplicate another's cause; each still compiles and is reached above by priority.
    expect(untested.sort()).toEqual(['airflow.dag-import-error', 'airflow.task-retry', 'dbt.run-summary', 'dbt.test-result', 'generic.learned-line', 'node.npm-debug-error', 'python.memory-error', 'python.psycopg', 'python.sqlalchemy'].sort());
  });

  it.each([
    ['python.psycopg', 'psycopg2.errors.InsufficientPrivilege: must be owner of table orders'],
    ['python.sqlalchemy', 'sqlalchemy.exc.InvalidRequestError: This Session\'s transaction has been rolled back'],
    ['python.memory-error', 'Traceback (most recent call last):\n  File "/app/etl/agg.py", line 9, in run\n    big = [0] * n\nMemoryError'],
    ['airflow.dag-import-error', '[2026-11-25, 12:00:00 UTC] {dagbag.py:346} ERROR - Failed to import: /opt/airflow/dags/etl.py'],
    ['airflow.task-retry', '[2026-11-25, 12:00:00 UTC] {taskinstance.py:1138} INFO - Marking task as UP_FOR_RETRY. dag_id=etl, task_id=load'],
    ['dbt.test-result', 'Got 2 results, configured to fail if != 0'],
    ['dbt.run-summary', '20:14:54  Done. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1'],
    ['node.npm-debug-error', '31 error code E404'],
  ])('%s fires on its own cause', (rule, text) => {
    const events = eventsFromText(`${text}\n`, 'inline.log', source);
    const rules = events.flatMap((e) => createDetector(config).match(e)).map((m) => m.rule.id);
    expect(rules).toEqual([rule]);
  });

  it('a warning that the client retries a throttled call is no incident; the error that gives up is', () => {
    const text = [
      '2026-11-25 12:00:00,001 WARNING etl.pubsub: publish retry (attempt 1): 429 Quota exceeded for quota metric \'Publish requests\'',
      '2026-11-25 12:00:09,001 ERROR etl.pubsub: publish failed after 3 attempts: 429 Quota exceeded for quota metric \'Publish requests\'',
    ].join('\n');
    const matched = eventsFromText(`${text}\n`, 'inline.log', source).map((e) => createDetector(config).match(e).map((m) => m.rule.id));
    expect(matched).toEqual([[], ['cloud.throttling']]);
  });

  it('switches a pack off with packs: { NAME: false }', () => {
    const withoutK8s: SentinelConfig = { ...config, packs: { kubernetes: false } };
    expect(createDetector(withoutK8s).rules.some((r) => r.pack === 'kubernetes')).toBe(false);
    // The kill is still seen, by the stack-independent shape rule rather than the kubernetes pack.
    expect(incidentsOf('kubernetes/killed.log', withoutK8s)).toEqual([{ rule: 'generic.killed', severity: 'critical' }]);
    const neither: SentinelConfig = { ...config, packs: { kubernetes: false, generic: false } };
    expect(incidentsOf('kubernetes/killed.log', neither)).toEqual([]);
  });

  it('pack regexes compile and none risks catastrophic backtracking', () => {
    const regexes = (m: MatchExpr): string[] => [
      ...[m.regex, m.raw_regex].filter((r): r is string => r !== undefined),
      ...Object.values(m.field_regex ?? {}),
      ...(m.all ?? []).flatMap(regexes),
      ...(m.any ?? []).flatMap(regexes),
      ...(m.not ? regexes(m.not) : []),
    ];
    for (const pack of BUILTIN_PACKS) {
      for (const rule of pack.rules) {
        for (const re of regexes(rule.match)) expect({ rule: rule.id, re, hazard: regexHazard(re, 'i') }).toEqual({ rule: rule.id, re, hazard: undefined });
      }
    }
  });
});

describe('stack-independent failure shapes', () => {
  const rulesOn = (text: string): string[][] => {
    const detector = createDetector(config);
    return eventsFromText(`${text}\n`, 'inline.log', source).map((e) => detector.match(e).map((m) => m.rule.id));
  };

  it.each([
    ['a retry notice that quotes an exception', '2026-11-25 12:00:00 INFO client: ConnectionError: reset by peer, retrying in 5s'],
    ['a warning that quotes an exception', '2026-11-25 12:00:00 WARNING etl: ValueError: bad row 12 skipped'],
    ['a count of zero failures', '2026-11-25 12:00:00 INFO runner: 12 tasks done, 0 failed'],
    ['an exit code of zero', 'Process exited with code 0'],
    ['an HTTP status in a success line', '2026-11-25 12:00:00 INFO HTTP Request: GET https://api.example/x "HTTP/1.1 200 OK"'],
  ])('stays quiet on %s', (_name, text) => {
    expect(rulesOn(text).flat()).toEqual([]);
  });

  it('a framework summary right under a failure is its echo, not a second incident', () => {
    const text = ['OSError: [Errno 5] Input/output error', '2026-11-25 12:00:01 INFO runner: job export failed', 'Process exited with code 1'].join('\n');
    expect(rulesOn(text)).toEqual([['generic.error-line'], [], []]);
  });
});
