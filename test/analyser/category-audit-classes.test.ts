// Classes from the category audit of the real development corpus (docs/category-audit.md): wordings
// the signatures misread although the log itself says what happened. Each class is tested on wordings
// written here (not copied from the corpus), with a negative corpus for every token it tames:
// messages that contain the token but are another class.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import type { Category, DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}

const run = (text: string, context: string[] = []) => analyse(request({ text, context }), { readSourceFiles: false, learned: false });

function expectAll(category: Category, texts: readonly string[]): void {
  for (const text of texts) expect(run(text).category, text).toBe(category);
}

describe('a decoder naming a field that no longer fits the declared type is schema drift', () => {
  it("reads Go's encoding/json, serde, BigQuery's JSON load and a loader's key change as the records' shape", () => {
    expectAll('schema_drift', [
      'level=error msg="decode orders" err="json: cannot unmarshal string into Go struct field Order.items.qty of type int"',
      '2024/03/01 10:00:00 json: cannot unmarshal array into Go value of type main.Response',
      "thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: Error(\"missing field `created_at`\", line: 1, column: 220)', src/feed.rs:31:10",
      'Error: Error("unknown field `colour`, expected one of `id`, `name`", line: 4, column: 9)',
      'google.api_core.exceptions.BadRequest: 400 Error while reading data, error message: JSON parsing error in row starting at position 0: No such field: payload.tags.',
      "loader.errors.TargetError: key_properties change detected. Existing values are: ['id']. Streamed values are: ['uuid']",
    ]);
  });

  it('keeps a settings file that fails to decode, and one value that does not parse, out of it', () => {
    for (const text of [
      'Error: TOML parse error at line 3, column 1: missing field `port`',
      'config: json: cannot unmarshal string into Go struct field ServerConfig.port of type int',
    ]) {
      expect(run(text).category, text).not.toBe('schema_drift');
    }
    expect(run("ValueError: invalid literal for int() with base 10: 'n/a'").category).toBe('data_quality');
    expect(run('json: cannot unmarshal number 12.5 into Go struct field Reading.humidity of type int').category).toBe('data_quality');
  });
});

describe('a host name no DNS server can know is the configured address, not the network', () => {
  it('reads a bare service name, a URL scheme or an empty label that does not exist as configuration', () => {
    for (const text of [
      'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not translate host name "warehouse" to address: Name or service not known',
      'Get "http://exporter:9100/metrics": dial tcp: lookup exporter on 127.0.0.11:53: no such host',
      'java.net.UnknownHostException: https: Name or service not known',
      'Error: getaddrinfo ENOTFOUND -api.example.com',
      'dial tcp: lookup orders-.svc.cluster.local: no such host',
    ]) {
      const d = run(text);
      expect(d.category, text).toBe('configuration');
      expect(d.retryable, text).toBe(false);
    }
  });

  it('keeps a real-looking name that does not resolve, and a resolver that failed, a network problem', () => {
    expectAll('network_or_service_unavailable', [
      'could not translate host name "db.prod.internal.example.com" to address: Name or service not known',
      'could not translate host name "warehouse" to address: Temporary failure in name resolution',
      'Error: getaddrinfo ENOTFOUND api.partner.example.com',
      'Error: getaddrinfo EAI_AGAIN warehouse',
      'dial tcp: lookup localhost: no such host',
    ]);
  });
});

describe('"timeout" as a parameter and "temporarily unavailable" as EAGAIN are not what they name', () => {
  it('does not read timeout=… in a flattened traceback or a URL as a timeout', () => {
    const flattened =
      ', in reraise raise self.last_attempt.result() File "/srv/app/q.py", line 9, in run return job.result(timeout=timeout) File "/lib/google/api_core/future/polling.py", line 134, in result raise self._exception google.api_core.exceptions.InternalServerError: 500 Job failed: the table is temporarily unavailable. Retrying the job may solve the problem';
    expect(run(flattened).category).toBe('network_or_service_unavailable');
    expect(run('Get https://10.0.0.1:6443/api?timeout=32s: x509: certificate signed by unknown authority').category).toBe('configuration');
  });

  it('still reads timeouts said in words as timeouts', () => {
    expectAll('timeout', [
      'asyncio.exceptions.TimeoutError',
      'requests.exceptions.ReadTimeout: HTTPSConnectionPool(host=\'api.example.com\', port=443): Read timed out. (read timeout=30)',
      'java.net.SocketTimeoutException: Read timed out',
      'Error: operation timed out after 30000 ms',
    ]);
  });

  it('reads a service that is temporarily unavailable as the service, and a busy file lock as the database', () => {
    expect(run('google.api_core.exceptions.ServiceUnavailable: 503 The service is temporarily unavailable').category).toBe('network_or_service_unavailable');
    const lock = run('duckdb.IOException: IO Error: Could not set lock on file "/data/warehouse.db": Resource temporarily unavailable');
    expect(lock).toMatchObject({ category: 'database_error', retryable: true });
    expect(run('sqlite3.OperationalError: database is locked')).toMatchObject({ category: 'database_error', retryable: true });
  });
});

describe('an environment variable is upper case', () => {
  it('reads an unset upper-case variable as configuration', () => {
    expectAll('configuration', [
      'Error: DATABASE_URL is not set',
      'dagster._config.errors.PostProcessingError: You have attempted to fetch the environment variable "DAGSTER_HOME" which is not set.',
      'fatal: PGHOST not set',
    ]);
  });

  it('does not read any word before "not set" as a variable', () => {
    for (const text of [
      'duckdb.IOException: IO Error: Could not set lock on file "/tmp/a.db": Resource temporarily unavailable',
      'ERROR: Could not set permissions on /var/lib/app: Operation not permitted',
      'RuntimeError: Could not set the requested locale',
    ]) {
      expect(run(text).summary, text).not.toMatch(/^Environment variable/);
    }
  });
});

describe('wordings of a missing file, a missing driver or a missing toolchain', () => {
  it("reads Windows' and Rust's not-found as a missing input", () => {
    expectAll('missing_input', [
      'thread \'main\' panicked at \'called `Result::unwrap()` on an `Err` value: Os { code: 2, kind: NotFound, message: "The system cannot find the file specified." }\', src\\main.rs:12:40',
      "thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: Error { repr: Os(2) }', src/main.rs:8",
      'Error: The system cannot find the path specified. (os error 3)',
    ]);
    expect(run('Error: Os { code: 24, kind: Other, message: "Too many open files" }').category).toBe('resource_exhaustion');
  });

  it('reads a JDBC URL no driver accepts as a dependency, and keeps other JDBC errors', () => {
    expect(run('java.sql.SQLException: No suitable driver found for jdbc:postgresql://db:5432/app').category).toBe('dependency_or_import');
    expect(run("java.sql.SQLException: Access denied for user 'etl'@'10.0.0.2' (using password: YES)").category).toBe('auth_or_permission');
  });

  it('reads a build without its compiler, linker or native library as a dependency', () => {
    expectAll('dependency_or_import', [
      'error: linker `cc` not found\n  |\n  = note: No such file or directory (os error 2)',
      "Could not find directory of OpenSSL installation, and this `-sys` crate cannot proceed without this knowledge.",
      'Package libpq was not found in the pkg-config search path.',
      'error: Microsoft Visual C++ 14.0 or greater is required.',
      '/bin/sh: 1: gcc: not found',
    ]);
    // A link that ran and failed on the code's symbols is not a missing toolchain.
    expect(run('error: linking with `cc` failed: exit status: 1\n  = note: undefined reference to `sqlite3_open`').category).not.toBe('dependency_or_import');
  });
});

describe("a registry's pull rate limit, duplicates in a MERGE, a wrong account, a deserializer's missing type", () => {
  it('reads a pull refused for its rate as a rate limit to retry, and keeps pulls refused for auth or a wrong tag', () => {
    const events = (reason: string): string => `Warning  Failed  12s  kubelet  Failed to pull image "busybox:1.36": ${reason}\nWarning  Failed  12s  kubelet  Error: ErrImagePull`;
    expect(run(events('rpc error: code = Unknown desc = Error response from daemon: toomanyrequests: You have reached your pull rate limit.'))).toMatchObject({ category: 'rate_limit', retryable: true });
    expect(run(events('pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials'))).toMatchObject({ category: 'auth_or_permission', retryable: false });
    expect(run(events('rpc error: code = NotFound desc = manifest for busybox:1.99 not found'))).toMatchObject({ category: 'configuration', retryable: false });
  });

  it("reads a MERGE with several source rows per target row as the input's duplicates, and keeps a unique constraint a database error", () => {
    expect(run('snowflake.connector.errors.ProgrammingError: 100090 (42P18): Duplicate row detected during DML action').category).toBe('data_quality');
    expect(run('google.api_core.exceptions.BadRequest: 400 UPDATE/MERGE must match at most one source row for each target row').category).toBe('data_quality');
    expect(run('psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "orders_pkey"').category).toBe('database_error');
  });

  it('reads a wrong account name as configuration, and keeps other 403s a permission problem', () => {
    expect(run('snowflake.connector.errors.ForbiddenError: 250001 (08001): Failed to connect to DB. Verify the account name is correct: acme.snowflakecomputing.com:443. 000403: 403: HTTP 403: Forbidden').category).toBe('configuration');
    expect(run('google.api_core.exceptions.Forbidden: 403 GET https://storage.googleapis.com/b/o: caller does not have storage.objects.get access').category).toBe('auth_or_permission');
  });

  it("reads a deserializer with no type to map to as configuration", () => {
    expect(run('Caused by: java.lang.IllegalStateException: No type information in headers and no default type provided').category).toBe('configuration');
  });
});

describe('a process killed with -9, in other words', () => {
  it('reads any "exit(ed) … code -9" as running out of memory, and not other exit codes', () => {
    expectAll('resource_exhaustion', [
      "prefect.flow_runner - Subprocess for flow run 'x' exited with bad code: -9",
      'INFO: Task Compare_3f died unexpectedly with exit code -9',
    ]);
    expect(run('ERROR: worker exited with code -90').category).not.toBe('resource_exhaustion');
  });
});

describe('the program itself missing, and an ORM\'s words for a database constraint', () => {
  it('reads a script or flow file that is not where the runner looks as configuration, and a missing data file as missing input', () => {
    expectAll('configuration', [
      "python: can't open file '/app/main.py': [Errno 2] No such file or directory",
      "FileNotFoundError: [Errno 2] No such file or directory: '/opt/prefect/flows/etl.py'",
    ]);
    expect(run("FileNotFoundError: [Errno 2] No such file or directory: '/data/in/orders.csv'").category).toBe('missing_input');
    expect(run("ModuleNotFoundError: No module named 'flows'").category).toBe('dependency_or_import');
  });

  it("reads Sequelize's and Prisma's unique violations as the database's constraint, and keeps their validations data checks", () => {
    const sequelize = ['Error', "name: 'SequelizeUniqueConstraintError',", 'errors: [', 'ValidationErrorItem {', "message: 'email must be unique',", "type: 'unique violation',"].join('\n');
    expect(run(sequelize).category).toBe('database_error');
    expect(run('PrismaClientKnownRequestError: Unique constraint failed on the fields: (`email`)').category).toBe('database_error');
    expect(run('SequelizeValidationError: notNull Violation: Order.customer_id cannot be null').category).toBe('data_quality');
  });
});

describe("SQLSTATE 22000, the data exception class's bare code, is not a bad value by itself", () => {
  it('reads a subclass (22018, 22007) as a bad value, and Snowflake errors under 22000 by what they say', () => {
    expect(run("snowflake.connector.errors.ProgrammingError: 100038 (22018): Numeric value 'abc' is not recognized").category).toBe('data_quality');
    expect(run('snowflake.connector.errors.ProgrammingError: 100035 (22007): 01b2: bad timestamp').category).toBe('data_quality');
    expect(run('snowflake.connector.errors.ProgrammingError: 090105 (22000): 01a4-0000').category).toBe('configuration');
    expect(run('snowflake.connector.errors.ProgrammingError: 100080 (22000): Number of columns in file (3) does not match that of the corresponding table (5)').category).toBe('schema_drift');
    expect(run('snowflake.connector.errors.ProgrammingError: 100999 (22000): 01a4-0000').category).not.toBe('data_quality');
  });
});

describe('more wordings of a value that does not fit its type', () => {
  it("reads Redshift's invalid digit, PostgreSQL's integer out of range and a backtick-quoted value that does not parse as a bad value", () => {
    expectAll('data_quality', [
      "dbt DatabaseError: Load into table 'orders' failed. error:  Invalid digit, Value 'N', Pos 0, Type: Integer",
      'sqlalchemy.exc.DataError: (psycopg2.errors.NumericValueOutOfRange) integer out of range',
      'polars.exceptions.ComputeError: Could not parse `12x` as dtype `i64` at column \'qty\' (column number 3).',
    ]);
  });

  it('keeps an index out of range a code bug', () => {
    expect(run('IndexError: list index out of range').category).toBe('code_bug');
    expect(run('panic: runtime error: index out of range [3] with length 3').category).toBe('code_bug');
  });
});

describe("a cloud capacity quota is the resource, a request quota the rate", () => {
  it('reads CPU, instance and vCPU quotas as resource exhaustion, and per-minute or bytes-scanned quotas as rate limits', () => {
    expectAll('resource_exhaustion', [
      "ERROR: (gcloud.compute.instances.create) Could not fetch resource:\n - Quota 'NVIDIA_T4_GPUS' exceeded. Limit: 1.0 in region europe-west4.",
      'An error occurred (VcpuLimitExceeded) when calling the RunInstances operation: You have requested more vCPU capacity than your current vCPU limit of 32 allows',
    ]);
    expectAll('rate_limit', [
      "google.api_core.exceptions.ResourceExhausted: 429 Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute'",
      '403 Quota exceeded: Your project exceeded quota for free query bytes scanned.',
    ]);
  });
});

// Found on the 91 failure logs that joined the development corpus at 48fed4a (their labels carry
// evidence_category): wordings the log states plainly.
describe('database wordings the log states plainly', () => {
  it("reads Oracle's missing table, a DROP refused for its dependants and a login with an unknown role", () => {
    expect(run('java.sql.SQLSyntaxErrorException: ORA-00942: table or view does not exist').category).toBe('missing_input');
    expect(run('java.sql.SQLException: ORA-01031: insufficient privileges').category).toBe('auth_or_permission');
    expect(run('error: cannot drop table app.orders because other objects depend on it').category).toBe('database_error');
    expect(run('psycopg2.OperationalError: FATAL:  role "etl_writer" does not exist').category).toBe('auth_or_permission');
    // The same words in a statement (a GRANT to a role not created yet) are no failed login.
    expect(run('psycopg2.errors.UndefinedObject: role "analyst" does not exist').category).not.toBe('auth_or_permission');
  });

  it('reads a connection the OS timed out under TLS as the connection, and a statement timeout as a timeout', () => {
    expect(run('psycopg2.DatabaseError: SSL SYSCALL error: Operation timed out').category).toBe('network_or_service_unavailable');
    expect(run('psycopg2.errors.QueryCanceled: canceling statement due to statement timeout').category).toBe('timeout');
  });

  it("reads a file column type the table cannot take as schema drift, and one value that does not parse as data", () => {
    expect(run('java.sql.SQLException: parquet column reader: not supported convert from parquet `INT96` to `VARCHAR`.').category).toBe('schema_drift');
    expect(run("ValueError: could not convert string to float: 'n/a'").category).toBe('data_quality');
  });

  it("reads a tool's plugin that was never installed as a dependency", () => {
    expect(run("RunnerError: Cannot start plugin tap-orders: Executable 'tap-orders' could not be found. Extractor 'tap-orders' may not have been installed yet").category).toBe('dependency_or_import');
  });
});

describe("runners' words for a deadline, a killed loader and a request that never got an answer", () => {
  it('reads a pod past its active deadline and a context that did not start in time as timeouts', () => {
    expectAll('timeout', [
      'level=info msg="Pod failed: Pod was active on the node longer than the specified deadline"',
      'ERROR yarn.ApplicationMaster: SparkContext did not initialize after waiting for 100000 ms. Please check earlier log output for errors.',
    ]);
  });

  it('reads a loader that died with code=-9 as out of memory, and not code=-90', () => {
    expect(run('[error    ] Loading failed                 code=-9 message=target exited').category).toBe('resource_exhaustion');
    expect(run('[error    ] Loading failed                 code=-90 message=target exited').category).not.toBe('resource_exhaustion');
  });

  it("reads reqwest's 'error sending request' as the service", () => {
    expect(run('Error: reqwest::Error { kind: Request, url: "https://api.example.com/v1/x", source: hyper::Error(Connect) }: error sending request for url (https://api.example.com/v1/x)').category).toBe('network_or_service_unavailable');
  });
});

describe('an expectation called in code is not an expectation that failed', () => {
  it("does not read a traceback's `df.expect_…(` code line as a failed data check", () => {
    const notebook = [
      'TypeError                                 Traceback (most recent call last)',
      "----> 1 df.expect_column_values_to_be_in_set('status', 42)",
      "TypeError: 'int' object is not iterable",
    ].join('\n');
    expect(run(notebook).category).toBe('code_bug');
    expect(run('Expectation failed: expect_column_values_to_not_be_null(column="id") unexpected_count=3').category).toBe('data_quality');
  });
});
