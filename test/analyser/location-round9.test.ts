// Location classes read off blind batch r8 (session 8), each checked on wordings of our own and on
// texts the rule must leave alone, so it holds for the class of log and not for the one that showed it.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { eventObjectOf, failedDescribedContainer } from '../../src/brain/analyser/kubernetes-object.js';
import { extractErrorChain } from '../../src/parse/stack-trace/extract-error.js';
import { isUserFrame } from '../../src/parse/stack-trace/user-code.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}
const locate = (text: string, context: string[] = []) => analyse(request({ text, context }), { readSourceFiles: false, learned: false }).location;

const describePod = (pod: string, containers: string[]): string[] => [
  `Name:         ${pod}`,
  'Namespace:    etl',
  'Status:       Running',
  ...containers,
  'Conditions:',
  '  Type              Status',
  '  Ready             False',
];

describe('Kubernetes: the container that failed, not the pod that holds it', () => {
  it('a container waiting for a reason that is a failure (an image that will not pull)', () => {
    const lines = describePod('orders-loader-7f9c6d5b8d-q2w7x', [
      'Containers:',
      '  loader:',
      '    Image:          registry.local/etl/loader:4.2',
      '    State:          Waiting',
      '      Reason:       ImagePullBackOff',
      '    Ready:          False',
    ]);
    expect(failedDescribedContainer(lines)).toBe('loader');
    expect(locate(lines.join('\n'))).toMatchObject({ function: 'loader', line: null });
  });

  it('a running container whose last run was killed; the listing runs from the lines before the record into it', () => {
    const lines = describePod('nightly-rollup-28411-k2x9p', [
      'Containers:',
      '  sidecar:',
      '    State:          Running',
      '  rollup:',
      '    State:          Running',
      '    Last State:     Terminated',
      '      Reason:       OOMKilled',
      '      Exit Code:    137',
    ]);
    const at = lines.findIndex((l) => l.includes('OOMKilled'));
    expect(locate(lines.slice(at).join('\n'), lines.slice(0, at))).toMatchObject({ function: 'rollup' });
  });

  it('an init container stuck on a missing secret is named before the app container', () => {
    const lines = describePod('api-6846f658db-w4qhj', [
      'Init Containers:',
      '  migrate:',
      '    State:          Waiting',
      '      Reason:       CreateContainerConfigError',
      'Containers:',
      '  api:',
      '    State:          Waiting',
      '      Reason:       PodInitializing',
    ]);
    expect(failedDescribedContainer(lines)).toBe('migrate');
  });

  it('containers that are starting, running or finished name no container: the pod (its workload) stays the place', () => {
    const lines = describePod('report-api-6846f658db-w4qhj', [
      'Containers:',
      '  api:',
      '    State:          Waiting',
      '      Reason:       ContainerCreating',
      '  job:',
      '    State:          Terminated',
      '      Reason:       Completed',
      '    Last State:     Terminated',
      '      Reason:       Completed',
    ]);
    expect(failedDescribedContainer(lines)).toBeUndefined();
    expect(locate(['Warning  FailedScheduling  0/3 nodes are available: 3 Insufficient memory.', ...lines].join('\n'))).toMatchObject({ function: 'report-api' });
  });

  it('a reason outside any container listing (a pod condition, an event table) is not a container', () => {
    expect(failedDescribedContainer(['Status: Failed', 'Reason: Evicted', 'Message: The node was low on resource: memory.'])).toBeUndefined();
    expect(failedDescribedContainer(['Containers:', '  app:', '    State: Running', 'Events:', '  Reason: BackOff'])).toBeUndefined();
  });
});

describe('Kubernetes: the object an event is about', () => {
  it("the controller manager's ObjectReference, whatever the kind", () => {
    const line =
      'I0912 02:00:05.100000       1 event.go:291] "Event occurred" Event(v1.ObjectReference{Kind:"CronJob", Namespace:"etl", Name:"nightly-export", UID:"1b2c", APIVersion:"batch/v1", ResourceVersion:"88", FieldPath:""}): type: \'Warning\' reason: \'FailedNeedsStart\' Cannot determine if job needs to be started';
    expect(eventObjectOf([line], [])).toBe('nightly-export');
    expect(locate(line)).toMatchObject({ function: 'nightly-export' });
  });

  it("the events API's involvedObject", () => {
    const line = '{"type":"Warning","reason":"BackoffLimitExceeded","involvedObject":{"kind":"Job","namespace":"etl","name":"load-orders-29011","uid":"9f"},"message":"Job has reached the specified backoff limit"}';
    expect(eventObjectOf([line], [])).toBe('load-orders-29011');
  });

  it('an object reference with no name, or a name that is no Kubernetes name, is nothing', () => {
    expect(eventObjectOf(['ObjectReference{Kind:"Job", Namespace:"etl"}: deadline exceeded'], [])).toBeUndefined();
    expect(eventObjectOf(['{"involvedObject":{"kind":"Pod","name":"Bad_Name"}}'], [])).toBeUndefined();
    expect(eventObjectOf(['Name:"nightly" reason: failed'], [])).toBeUndefined();
  });

  it("an old kubelet's pod full name (name_namespace) is the pod named", () => {
    expect(locate('E0101 10:00:00.000000    812 kubelet.go:1421] Unable to mount volumes for pod "report-builder-3_analytics": timeout expired waiting for volumes to attach')).toMatchObject({
      function: 'report-builder-3_analytics',
    });
  });
});

describe('library paths printed relative to the project', () => {
  it('a relative node_modules, vendor, site-packages or pkg/mod path is a library', () => {
    expect(isUserFrame('node', 'node_modules/pg/lib/client.js')).toBe(false);
    expect(isUserFrame('go', 'vendor/github.com/lib/pq/conn.go', 'github.com/lib/pq.(*conn).recv')).toBe(false);
    expect(isUserFrame('python', 'site-packages/requests/adapters.py')).toBe(false);
    expect(isUserFrame('go', 'pkg/mod/github.com/segmentio/kafka-go@v0.4.47/conn.go', 'github.com/segmentio/kafka-go.(*Conn).run')).toBe(false);
  });

  it('a folder that only starts like a marker, or has it inside a name, is still the project', () => {
    expect(isUserFrame('node', 'node_modules_cache/report.js')).toBe(true);
    expect(isUserFrame('node', 'src/vendor_sync/index.js')).toBe(true);
    expect(isUserFrame('go', 'vendors/export/run.go', 'github.com/acme/etl/vendors/export.Run')).toBe(true);
  });

  it('a Node stack all inside one package printed relative (an SDK) names no place', () => {
    const text = [
      'NoSuchKey: The specified key does not exist.',
      '    at Request.extractError (node_modules/@aws-sdk/client-s3/dist/index.js:3012:35)',
      '    at Request.callListeners (node_modules/@aws-sdk/client-s3/dist/index.js:106:20)',
    ].join('\n');
    expect(locate(text)).toBeNull();
  });
});

describe('a stack whose line breaks were lost', () => {
  it('Node frames glued on the header line, with no space after the colon', () => {
    const text = "TypeError:Cannot read properties of null (reading 'id')   at toRow (/srv/etl/transform.js:48:19)   at Array.map (<anonymous>)   at process.processTicksAndRejections (node:internal/process/task_queues:95:5)";
    expect(locate(text)).toMatchObject({ file: '/srv/etl/transform.js', line: 48, function: 'toRow' });
  });

  it('a JVM stack on one line', () => {
    const text = 'java.lang.IllegalStateException: connection closed at com.acme.etl.OrderLoader.flush(OrderLoader.java:87) at com.acme.etl.OrderLoader.run(OrderLoader.java:40) at java.lang.Thread.run(Thread.java:750)';
    expect(locate(text)).toMatchObject({ file: 'OrderLoader.java', line: 87 });
  });

  it('prose with "at" in it is left alone', () => {
    for (const text of ['Error: load failed at step 3 at 10:42:01 at the warehouse', 'RuntimeError: retry at 10:42 at most 3 times']) {
      expect(extractErrorChain(text).flatMap((e) => e.stack)).toEqual([]);
    }
  });

  it('a word before a colon with no space is a header only when it names an error type', () => {
    const chain = extractErrorChain('Status:degraded\n    at poll (/srv/etl/poll.js:3:9)');
    expect(chain.map((e) => e.type)).not.toContain('Status');
  });
});

describe("a tool's diagnostic split over lines", () => {
  it("psql's script prefix with its message on the next line", () => {
    const text = ['psql:/opt/etl/sql/load_orders.sql:212:', 'ERROR:  null value in column "customer_id" violates not-null constraint'].join('\n');
    expect(locate(text)).toMatchObject({ file: '/opt/etl/sql/load_orders.sql', line: 212 });
    // The prefix in the line before the record (the agent's context).
    expect(locate('ERROR:  relation "staging.orders" does not exist', ['psql:C:/etl/build_marts.sql:9:'])).toMatchObject({ file: 'C:/etl/build_marts.sql', line: 9 });
  });

  it("psql's own error, with no script and line, is no place", () => {
    expect(locate('ERROR:  deadlock detected', ['psql: error: connection to server on socket "/run/postgresql/.s.PGSQL.5432" failed:'])).toBeNull();
    expect(locate('psql:/opt/etl/sql/load.sql:\nERROR:  deadlock detected')).toBeNull();
  });

  it("a report's file and line fields (a migration tool's error block)", () => {
    const text = ['Migration of schema "core" failed!', 'SQL State  : 42P07', 'Message    : ERROR: relation "idx_orders" already exists', 'Location   : db/migration/V7__add_index.sql (/app/db/migration/V7__add_index.sql)', 'Line       : 3', 'Statement  : CREATE INDEX idx_orders ON orders (id)'].join('\n');
    expect(locate(text)).toMatchObject({ file: 'db/migration/V7__add_index.sql', line: 3 });
  });

  it('a Location field that is no file, or a file field with no line field near it, is not this report', () => {
    expect(locate(['Error: bucket not found', 'Location   : us-east-1', 'Line       : 3'].join('\n'))?.line ?? null).toBeNull();
    expect(locate(['Error: bad migration', 'Location   : /app/db/V2__x.sql', 'SQL State  : 42601', 'Error Code : 0', 'Message    : syntax error', 'Line       : 3'].join('\n'))?.line ?? null).not.toBe(3);
  });
});

describe('a file the message says is missing is not where it failed', () => {
  it('a module or script that is not there names no place of its own', () => {
    expect(locate("Error: Cannot find module '/srv/reports/dist/main.js'\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1145:15)\n    at node:internal/main/run_main_module:28:49")).toBeNull();
    expect(locate("FileNotFoundError: [Errno 2] No such file or directory: '/opt/flows/nightly.py'")).toBeNull();
  });

  it('a source path quoted by a message that is no missing-file report is still the place', () => {
    expect(locate("SyntaxError: invalid syntax in '/opt/flows/nightly.py'")).toMatchObject({ file: '/opt/flows/nightly.py', line: null });
  });

  it('the importer a missing package names is still the place', () => {
    expect(locate("Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'pg' imported from /srv/etl/dist/load.js\n    at packageResolve (node:internal/modules/esm/resolve:854:9)\n    at moduleResolve (node:internal/modules/esm/resolve:927:20)")).toMatchObject({ file: '/srv/etl/dist/load.js' });
  });
});

describe('a pipeline or graph named after its kind', () => {
  it('`for pipeline x` ending the clause, and a pipeline in quotes', () => {
    expect(locate('dagster.core.errors.DagsterInvalidConfigError: Error in config for pipeline nightly_sales\n    Error 1: Missing required config entry "ops" at the root.')).toMatchObject({ function: 'nightly_sales' });
    expect(locate("Error: graph 'orders_graph' could not be built: cycle detected")).toMatchObject({ function: 'orders_graph' });
  });

  it('the words used as plain nouns are not a unit', () => {
    expect(locate('ValueError: the pipeline is empty')).toBeNull();
    expect(locate('RuntimeError: failed to render graph for pipeline')).toBeNull();
  });
});
