// Class-name words (category-class-words.ts), the field a record lacks (record-field-missing) and the
// checks that are no data test: each on wordings of our own, with negatives.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { categoryOfClassName } from '../../src/brain/analyser/category-class-words.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(text: string): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text, context: [] };
}

const run = (text: string) => analyse(request(text), { readSourceFiles: false, learned: false });

describe('an exception class says its kind by its words', () => {
  it('reads classes no signature lists, in any package', () => {
    expect(categoryOfClassName('com.acme.ingest.CsvRecordParseException')).toBe('data_quality');
    expect(categoryOfClassName('acme.loader.errors.InvalidInputError')).toBe('data_quality');
    expect(categoryOfClassName('io.warehouse.client.TableNotFoundException')).toBe('missing_input');
    expect(categoryOfClassName('feeds.SchemaMismatchError')).toBe('schema_drift');
    expect(categoryOfClassName('httpx.ReadTimeout')).toBe('timeout');
    expect(categoryOfClassName('vendor.sdk.ConnectTimeoutError')).toBe('network_or_service_unavailable');
    expect(categoryOfClassName('org.acme.vault.CredentialExpiredException')).toBe('auth_or_permission');
    expect(categoryOfClassName('jobs.DuplicateKeyException')).toBe('database_error');
    expect(categoryOfClassName('java.lang.NoSuchMethodError')).toBe('dependency_or_import');
  });

  it('says nothing for classes whose words name no kind, or another thing than a record', () => {
    expect(categoryOfClassName('ValueError')).toBeUndefined();
    expect(categoryOfClassName('com.acme.PipelineException')).toBeUndefined();
    expect(categoryOfClassName('KeyNotFoundException')).toBeUndefined();
    expect(categoryOfClassName('MissingOutputException')).toBeUndefined();
    expect(categoryOfClassName('SchemaHistoryException')).toBeUndefined();
  });

  it('is read only when no wording explains the failure', () => {
    expect(run('acme.loader.errors.InvalidInputError: could not derive the batch window').category).toBe('data_quality');
    // The message's own words win over the class name's.
    expect(run('org.apache.kafka.common.errors.TimeoutException: Failed to allocate memory within the configured max blocking time').category).not.toBe('data_quality');
    expect(run('com.acme.ingest.CsvRecordParseException: permission denied reading /srv/in/a.csv').category).toBe('auth_or_permission');
  });
});

describe('a record without a field the code reads by name', () => {
  const tb = (code: string, key: string) =>
    `Traceback (most recent call last):\n  File "/srv/etl/sync.py", line 41, in to_row\n    ${code}\nKeyError: ${key}`;

  it('is the producer\'s shape that moved', () => {
    expect(run(tb('owner = item["owner"]["login"]', "'owner'")).category).toBe('schema_drift');
    expect(run(tb("price = rec['unit_price'] * qty", "'unit_price'")).category).toBe('schema_drift');
  });

  it('stays the code\'s when the key is a variable, dotted, a number or another key than the literal', () => {
    expect(run(tb('job = self.pending[job_id]', "'a81f'")).category).toBe('code_bug');
    expect(run(tb('task = registry["etl.load_orders"]', "'etl.load_orders'")).category).toBe('code_bug');
    expect(run(tb('row = cache[429]', '429')).category).toBe('code_bug');
    expect(run(tb('v = cfg["mode"][name]', "'fast'")).category).toBe('code_bug');
  });
});

describe('a streaming insert that names a field the table lacks', () => {
  it('is schema drift, in a Python dict or JSON', () => {
    expect(run("insert_rows failed: [{'index': 3, 'errors': [{'reason': 'invalid', 'location': 'geo_lat', 'debugInfo': '', 'message': 'no such field.'}]}]").category).toBe('schema_drift');
    expect(run('insertAll errors: [{"index":0,"errors":[{"reason":"invalid","location":"tags","message":"no such field."}]}]').category).toBe('schema_drift');
  });

  it('is not a sentence that goes on', () => {
    expect(run('ValueError: no such field type is supported here').category).not.toBe('schema_drift');
  });
});

describe('an account that may not sign in now', () => {
  it('locked, suspended or disabled is auth, whatever the service', () => {
    expect(run('FATAL: login refused: the account has been temporarily locked after 5 failed attempts').category).toBe('auth_or_permission');
    expect(run('snowflake.connector.errors.DatabaseError: 390101 (08004): Your account is suspended. Contact your administrator.').category).toBe('auth_or_permission');
    expect(run('sftp: user account disabled by policy').category).toBe('auth_or_permission');
  });

  it('a field or a flag named so is not', () => {
    expect(run('KeyError: \'account_locked\'').category).toBe('code_bug');
  });
});

describe('a parser\'s standard syntax-error wordings', () => {
  it('Snowflake\'s position form and bison\'s "syntax error, unexpected" are the statement\'s', () => {
    expect(run('snowflake.connector.errors.ProgrammingError: 001003 (42000): SQL compilation error:\nsyntax error line 4 at position 12 unexpected \'FROM\'.').category).toBe('code_bug');
    expect(run("pyodbc.ProgrammingError: ('42000', '[42000] [Vendor][Driver] syntax error, unexpected IDENTIFIER_, expecting SELECT_ [line 2, column 1]')").category).toBe('code_bug');
  });
});

describe('checks that are no data test', () => {
  it('a failed health or connection check is not a data quality failure', () => {
    expect(run('ERROR sink "s3_archive": Healthcheck failed: unable to reach endpoint').category).not.toBe('data_quality');
    expect(run('WARN probe: health-check failed for upstream orders-api').category).not.toBe('data_quality');
    expect(run('readiness check failed: dial tcp 10.0.3.4:8080: connect: connection refused').category).toBe('network_or_service_unavailable');
  });

  it('a manifest the cluster\'s schema rejects is configuration', () => {
    expect(run('error: error validating "job.yaml": error validating data: ValidationError(CronJob.spec.jobTemplate): unknown field "ttlSeconds" in io.k8s.api.batch.v1.JobTemplateSpec').category).toBe('configuration');
  });

  it('data checks still are', () => {
    expect(run('Data quality check failed: 42 rows with null customer_id').category).toBe('data_quality');
    expect(run('row count check failed for table orders: expected > 0').category).toBe('data_quality');
    expect(run('pydantic_core._pydantic_core.ValidationError: 2 validation errors for Order').category).toBe('data_quality');
  });
});
