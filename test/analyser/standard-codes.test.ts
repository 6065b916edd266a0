// Standard codes with a fixed meaning (category-codes.ts): each family is checked on wordings of
// several tools, none taken from a corpus log, and on negatives: the same number or word where it is
// no such code.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { standardCodeOf } from '../../src/brain/analyser/category-codes.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(text: string): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text, context: [] };
}

const run = (text: string) => analyse(request(text), { readSourceFiles: false, learned: false });
const categoryOf = (text: string) => standardCodeOf(text)?.category;

describe('errno, by name and by number', () => {
  it('reads the name in any runtime\'s wording', () => {
    expect(categoryOf("Error: EACCES: permission denied, open '/var/lib/app/state.db'")).toBe('auth_or_permission');
    expect(categoryOf('write /data/out/part-7.parquet: ENOSPC')).toBe('resource_exhaustion');
    expect(categoryOf('accept tcp [::]:9000: EMFILE')).toBe('resource_exhaustion');
    expect(categoryOf("{ errno: -111, code: 'ECONNREFUSED', syscall: 'connect' }")).toBe('network_or_service_unavailable');
    expect(categoryOf('listen EADDRINUSE: address already in use :::8080')).toBe('configuration');
  });

  it('reads Python\'s, Rust\'s and Windows\' numbers', () => {
    expect(categoryOf("PermissionError: [Errno 1] Operation not permitted: '/mnt/share/run.lock'")).toBe('auth_or_permission');
    expect(categoryOf("OSError: [Errno 28] No space left on device")).toBe('resource_exhaustion');
    expect(categoryOf('Error: Os { code: 13, kind: PermissionDenied } (os error 13)')).toBe('auth_or_permission');
    expect(categoryOf("PermissionError: [WinError 5] Access is denied: 'C:\\\\jobs\\\\out.csv'")).toBe('auth_or_permission');
    expect(categoryOf('ConnectionRefusedError: [WinError 10061] No connection could be made')).toBe('network_or_service_unavailable');
  });

  it('is no errno code inside a word, lower case, or an unknown number', () => {
    expect(standardCodeOf('class XENOENTRY failed')).toBeUndefined();
    expect(standardCodeOf('the enoent flag was set')).toBeUndefined();
    expect(standardCodeOf('OSError: [Errno 22] Invalid argument')).toBeUndefined();
    expect(standardCodeOf('ValueError: expected 13 columns, got 12')).toBeUndefined();
  });
});

describe('signals and exit statuses', () => {
  it('a worker killed with SIGKILL or status 137 ran out of memory; a segfault is a native crash', () => {
    expect(categoryOf("Worker 'w-3' (pid 4411) died: killed by signal 9")).toBe('resource_exhaustion');
    expect(categoryOf('subprocess exited with code 137')).toBe('resource_exhaustion');
    expect(categoryOf('Command returned non-zero exit status 139.')).toBe('code_bug');
    expect(categoryOf('task ended with Negsignal.SIGSEGV')).toBe('code_bug');
  });

  it('status 127 and the shell\'s words for it are a program that is not installed', () => {
    expect(categoryOf('/bin/sh: 1: dbt: not found')).toBe('dependency_or_import');
    expect(categoryOf('bash: spark-submit: command not found')).toBe('dependency_or_import');
    expect(categoryOf("'java' is not recognized as an internal or external command,")).toBe('dependency_or_import');
    expect(categoryOf('build step failed: process exited with status 127')).toBe('dependency_or_import');
    const d = run('Error: step "install" failed: exit status 127');
    expect(d.category).toBe('dependency_or_import');
    expect(d.retryable).toBe(false);
  });

  it('leaves SIGTERM, small exit codes and numbers that are no status alone', () => {
    expect(standardCodeOf('worker received SIGTERM, shutting down')).toBeUndefined();
    expect(standardCodeOf('process exited with code 1')).toBeUndefined();
    expect(standardCodeOf('processed 137 rows in 139 ms')).toBeUndefined();
    expect(standardCodeOf('image: registry.local/app:latest: not found')).toBeUndefined();
  });
});

describe('gRPC status codes', () => {
  it('reads Go\'s, Python\'s and Java\'s spellings of the same code', () => {
    expect(categoryOf('rpc error: code = DeadlineExceeded desc = context deadline exceeded')).toBe('timeout');
    expect(categoryOf('grpc._channel._InactiveRpcError: status = StatusCode.UNAVAILABLE details = "failed to connect"')).toBe('network_or_service_unavailable');
    expect(categoryOf('io.grpc.StatusRuntimeException: PERMISSION_DENIED: caller lacks bigquery.tables.get')).toBe('auth_or_permission');
    expect(categoryOf('{"error": {"code": 401, "status": "UNAUTHENTICATED"}}')).toBe('auth_or_permission');
  });

  it('leaves the codes that cover several kinds of failure, and the words in prose', () => {
    expect(standardCodeOf('rpc error: code = InvalidArgument desc = bad filter')).toBeUndefined();
    expect(standardCodeOf('rpc error: code = Internal desc = transport closed')).toBeUndefined();
    expect(standardCodeOf('the feature is unavailable in this edition')).toBeUndefined();
  });
});

describe('HTTP statuses, only with their context', () => {
  it('reads a status a client or a server reports', () => {
    expect(categoryOf('requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: https://api.example.org/v2/items')).toBe('network_or_service_unavailable');
    expect(categoryOf('upload failed: HTTP 401 returned by https://storage.internal/upload')).toBe('auth_or_permission');
    expect(categoryOf('fetch failed, status code: 429, retry after 30s')).toBe('rate_limit');
    expect(categoryOf('<html><title>504 Gateway Time-out</title></html>')).toBe('network_or_service_unavailable');
  });

  it('is no status as a dictionary key, a count, a port or an id', () => {
    expect(standardCodeOf('KeyError: 429')).toBeUndefined();
    expect(standardCodeOf('IndexError: index 503 is out of bounds for axis 0 with size 12')).toBeUndefined();
    expect(standardCodeOf('listening on 0.0.0.0:403')).toBeUndefined();
    expect(standardCodeOf('order 401 has no customer')).toBeUndefined();
    const d = run('Traceback (most recent call last):\n  File "/srv/jobs/map.py", line 9, in lookup\n    return codes[status]\nKeyError: 429');
    expect(d.category).toBe('code_bug');
  });

  it('leaves 400, 404 and 500, which are several kinds', () => {
    expect(standardCodeOf('HTTP 400 Bad Request')).toBeUndefined();
    expect(standardCodeOf('status code: 500')).toBeUndefined();
  });
});

describe('cloud providers\', Kafka\'s and Snowflake\'s error codes', () => {
  it('reads AWS and Azure codes as printed by SDKs of several languages', () => {
    expect(categoryOf('operation error S3: GetObject, https response error StatusCode: 400, api error ExpiredToken: The provided token has expired.')).toBe('auth_or_permission');
    expect(categoryOf('failed to construct request: NoRegion')).toBe('configuration');
    expect(categoryOf('Status: 404 (The specified resource group does not exist.) ErrorCode: ResourceGroupNotFound')).toBe('configuration');
    expect(categoryOf('Code: AuthorizationFailed Message: The client does not have authorization to perform action')).toBe('auth_or_permission');
    expect(categoryOf('AmazonS3Exception: Slow Down (Service: Amazon S3; Status Code: 503; Error Code: 503 Slow Down)')).toBe('rate_limit');
  });

  it('reads Google APIs\' reasons only as a reason', () => {
    expect(categoryOf('"errors": [{"reason": "rateLimitExceeded", "domain": "usageLimits"}]')).toBe('rate_limit');
    expect(categoryOf("'reason': 'notFound', 'message': 'Not found: Dataset proj:staging'")).toBe('missing_input');
    expect(standardCodeOf('the object was notFound by the helper')).toBeUndefined();
  });

  it('reads Kafka\'s protocol names and librdkafka\'s strings', () => {
    expect(categoryOf('Error while fetching metadata with correlation id 7 : {events=UNKNOWN_TOPIC_OR_PARTITION}')).toBe('missing_input');
    expect(categoryOf('KafkaError{code=_MSG_TIMED_OUT,val=-192,str="Local: Message timed out"}')).toBe('timeout');
    expect(categoryOf('Delivery failed: Broker: Topic authorization failed')).toBe('auth_or_permission');
  });

  it('reads Snowflake\'s number where its SQLSTATE is too broad, and not its connector\'s wrapper', () => {
    expect(categoryOf('snowflake.connector.errors.DatabaseError: 390100 (08004): Incorrect username or password was specified.')).toBe('auth_or_permission');
    expect(categoryOf('000606 (57P03): No active warehouse selected in the current session.')).toBe('configuration');
    expect(standardCodeOf('250001 (08001): Failed to connect to DB: acct.snowflakecomputing.com:443')).toBeUndefined();
  });

  it('a wording signature still explains first; the code fills in when none does', () => {
    // The rate-limit wording and the errno agree; the wording explains.
    expect(run('ThrottlingException: Rate exceeded').category).toBe('rate_limit');
    const d = run('fatal: could not write checkpoint /state/ckpt-12: EROFS');
    expect(d.category).toBe('configuration');
    expect(d.rootCause).toContain('EROFS');
  });
});

describe('the AWS SDKs\' own kinds of a failed call', () => {
  it('a request that could not be sent is the connection; one that could not be built is a setting', () => {
    expect(categoryOf('ListBuckets failed: dispatch failure: io error: connection closed before message completed')).toBe('network_or_service_unavailable');
    expect(categoryOf('PutObject: ConstructionFailure(ConstructionFailure { source: MissingEndpoint })')).toBe('configuration');
  });
});

describe('the shell\'s signal reports and Rust\'s io::ErrorKind', () => {
  it('reads bash\'s report of a killed or crashed child', () => {
    expect(categoryOf('/bin/bash: line 3: 9123 Killed                  samtools sort -@ 8 in.bam')).toBe('resource_exhaustion');
    expect(categoryOf('./run_model.sh: line 12:  771 Segmentation fault      (core dumped) ./model --in x')).toBe('code_bug');
    expect(categoryOf('Segmentation fault (core dumped)')).toBe('code_bug');
    expect(categoryOf('Fatal Python error: Segmentation fault')).toBe('code_bug');
    const d = run('/bin/bash: line 3: 9123 Killed                  samtools sort -@ 8 in.bam');
    expect(d.category).toBe('resource_exhaustion');
  });

  it('does not read the words in prose', () => {
    expect(standardCodeOf('INFO 3 workers Killed by the autoscaler were replaced')).toBeUndefined();
    expect(standardCodeOf('the job was killed by the user')).toBeUndefined();
  });

  it('reads Rust\'s error kinds', () => {
    expect(categoryOf('Error { kind: InvalidData, message: "stream did not contain valid UTF-8" }')).toBe('data_quality');
    expect(categoryOf('Custom { kind: TimedOut, error: "deadline has elapsed" }')).toBe('timeout');
    expect(standardCodeOf('Error { kind: Other, error: "boom" }')).toBeUndefined();
  });
});
