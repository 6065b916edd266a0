// The failure classes batch B showed gaps in, each checked on wordings from other systems than the
// batch's logs (other clouds, SDKs, databases), so the vocabulary tables hold for the class.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { extractErrorChain } from '../../src/parse/stack-trace/extract-error.js';
import type { Category, DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}

const run = (text: string, context: string[] = []) => analyse(request({ text, context }), { readSourceFiles: false });

const CLASSES: { category: Category; retryable: boolean; wordings: string[] }[] = [
  {
    category: 'rate_limit',
    retryable: true,
    wordings: [
      'botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the DescribeTable operation: Rate exceeded',
      'software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000003',
      'com.amazonaws.services.athena.model.TooManyRequestsException: Rate exceeded (Service: AmazonAthena; Status Code: 400)',
      'operation error S3: PutObject, https response error StatusCode: 503, api error SlowDown: Please reduce your request rate.',
      'botocore.exceptions.ClientError: An error occurred (RequestLimitExceeded) when calling the DescribeInstances operation: Request limit exceeded.',
      'requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for url: https://api.hubapi.com/crm/v3/objects/deals',
      'grpc._channel._InactiveRpcError: status = StatusCode.RESOURCE_EXHAUSTED details = "Quota exceeded for quota metric \'Read requests\'"',
      'Error: Request rate is large. More Request Units may be needed, so no changes were made. Please retry this request later.',
      'KafkaError{code=THROTTLING_QUOTA_EXCEEDED,val=89,str="Broker: Throttling quota exceeded"}',
      'LimitExceededException: Rate exceeded for stream orders-events under account 123456789012.',
    ],
  },
  {
    category: 'auth_or_permission',
    retryable: false,
    wordings: [
      'org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [payments.v1]',
      'KafkaError{code=GROUP_AUTHORIZATION_FAILED,val=30,str="Broker: Group authorization failed"}',
      'google.api_core.exceptions.PermissionDenied: 403 Permission denied on resource project acme-prod (or it may not exist).',
      'botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User: arn:aws:sts::1:assumed-role/etl is not authorized to perform: secretsmanager:GetSecretValue',
      'snowflake.connector.errors.ProgrammingError: 003001 (42501): SQL access control error: Insufficient privileges to operate on schema \'RAW\'',
      'azure.core.exceptions.HttpResponseError: (AuthorizationFailed) The client does not have authorization to perform action',
      'KafkaJSSASLAuthenticationError: SASL PLAIN authentication failed: Authentication failed',
    ],
  },
  {
    category: 'missing_input',
    retryable: false,
    wordings: [
      'CommandException: No URLs matched: gs://partner-drop/2024-05-13/*.json',
      'botocore.errorfactory.NoSuchBucket: An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: The specified bucket does not exist',
      'google.api_core.exceptions.NotFound: 404 Not found: Dataset acme-prod:staging_ads was not found in location US',
      '000002 (02000): SQL compilation error:\nDatabase \'RAW_SHOP\' does not exist or not authorized.',
      'software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException: Requested resource not found: Table: user_features not found',
      'Glue EntityNotFoundException: Table partner_events not found in database raw',
      'java.io.FileNotFoundException: File does not exist: /data/landing/2024-05-13/events.avro',
      'azure.core.exceptions.ResourceNotFoundError: The specified blob does not exist. ErrorCode:BlobNotFound',
    ],
  },
  {
    category: 'database_error',
    retryable: true,
    wordings: [
      'io.delta.exceptions.ConcurrentDeleteReadException: This transaction attempted to read one or more files that were deleted by a concurrent update.',
      'psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update',
      'ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction',
      'org.apache.iceberg.exceptions.CommitFailedException: Cannot commit: metadata location has changed',
      'pq: could not obtain lock on row in relation "orders" (SQLSTATE 55P03)',
      'pyodbc.Error: Transaction (Process ID 61) was deadlocked on lock resources with another process and has been chosen as the deadlock victim.',
      'google.api_core.exceptions.Aborted: 409 Transaction was aborted. It was wounded by a higher priority transaction.',
    ],
  },
  {
    category: 'configuration',
    retryable: false,
    wordings: [
      '000606 (57P03): No active warehouse selected in the current session.',
      'Cannot perform CREATE TABLE. This session does not have a current database. Call \'USE DATABASE\', or use a qualified name.',
      'panic: required key S3_BUCKET missing value',
      'Error: required environment variable "KAFKA_BROKERS" is not set',
      'viper.ConfigFileNotFoundError: Config File "sentinel" Not Found in "[/etc/app]"',
    ],
  },
  {
    category: 'data_quality',
    retryable: false,
    wordings: [
      'snowflake.connector.errors.ProgrammingError: 100040 (22007): Date \'13/31/2024\' is not recognized',
      'ProgrammingError: 100038 (22018): Timestamp value \'yesterday\' is not recognized',
      'com.fasterxml.jackson.databind.exc.MismatchedInputException: Cannot deserialize value of type `int` from String "n/a"',
      'org.apache.spark.SparkException: Malformed records are detected in record parsing. Parse Mode: FAILFAST.',
      'google.api_core.exceptions.BadRequest: 400 Error while reading data, error message: CSV table encountered too many errors, giving up.',
      'psycopg2.errors.InvalidTextRepresentation: invalid input value for enum order_status: "SHIPPED_PARTIAL"',
      'google.api_core.exceptions.BadRequest: 400 Bad int64 value: 12.5',
    ],
  },
  {
    category: 'schema_drift',
    retryable: false,
    wordings: [
      'google.api_core.exceptions.BadRequest: 400 Provided Schema does not match Table p:d.t. Cannot add fields (field: utm_medium)',
      'Field amount has changed type from INTEGER to FLOAT',
      'The source and target schemas on this incremental model are out of sync!',
      'PrismaClientKnownRequestError: The column `users.tier` does not exist in the current database.',
      'org.apache.spark.sql.AnalysisException: [DELTA_FAILED_TO_MERGE_FIELDS] Failed to merge fields \'price\' and \'price\'',
      '100080 (22000): Number of columns in file (12) does not match that of the corresponding table (11)',
    ],
  },
];

describe('failure classes across systems', () => {
  for (const { category, retryable, wordings } of CLASSES) {
    for (const wording of wordings) {
      it(`${category}: ${wording.slice(0, 90)}`, () => {
        const d = run(wording);
        expect(d.category).toBe(category);
        expect(d.retryable).toBe(retryable);
      });
    }
  }
});

describe('wordings that must not be pulled into a class', () => {
  it('keeps a missing column a schema problem even when a file is named', () => {
    expect(run('Error in file /app/load.py: column "region" does not exist').category).toBe('schema_drift');
  });
  it('keeps a Java date ParseException a data problem, not SQL syntax', () => {
    expect(run('com.fasterxml.jackson.core.JsonParseException: Unexpected character (\'}\' (code 125))').category).toBe('data_quality');
  });
  it('keeps a Spark SQL ParseException a code bug', () => {
    expect(run("org.apache.spark.sql.catalyst.parser.ParseException: [PARSE_SYNTAX_ERROR] Syntax error at or near 'FROM'").category).toBe('code_bug');
  });
  it('reads a dbt ref to an undefined node as a code bug and a missing package macro as a dependency', () => {
    expect(run("Compilation Error\n  Model 'model.p.fct' (models/fct.sql) depends on a node named 'stg_x' which was not found").category).toBe('code_bug');
    expect(run("Compilation Error in model x (models/x.sql)\n  'dbt_utils' is undefined. This can happen when calling a macro that does not exist.").category).toBe('dependency_or_import');
  });
  it('still says unknown, with the best location, when nothing explains the error', () => {
    const d = run('Traceback (most recent call last):\n  File "/app/jobs/odd.py", line 12, in run\n    frobnicate()\nodd.FrobnicationFault: the widget refused');
    expect(d.category).toBe('unknown');
    expect(d.location).toMatchObject({ file: '/app/jobs/odd.py', line: 12 });
  });
});

describe('locations the parser recovers', () => {
  it('locates a timeout whose outer traceback was cut off at the innermost user frame of the chain', () => {
    const text = [
      'Traceback (most recent call last):',
      '  File "/usr/local/lib/python3.11/site-packages/urllib3/connectionpool.py", line 537, in _make_request',
      '    response = conn.getresponse()',
      'urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host=\'api.x.com\', port=443): Read timed out.',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Traceback (most recent call last):',
      '  File "/srv/etl/extract/hubspot.py", line 41, in get_page',
      '    r = session.get(url, timeout=30)',
      '  File "/usr/local/lib/python3.11/site-packages/requests/sessions.py", line 602, in get',
    ].join('\n');
    const d = run(text);
    expect(d.category).toBe('timeout');
    expect(d.retryable).toBe(true);
    expect(d.location).toMatchObject({ file: '/srv/etl/extract/hubspot.py', line: 41, function: 'get_page' });
  });

  it('keeps the frames of a Node error whose header line was split off', () => {
    const chain = extractErrorChain(
      'Invalid `prisma.user.create()` invocation:\nUnique constraint failed on the fields: (`email`)\n    at In.handleRequestError (/app/node_modules/@prisma/client/runtime/library.js:122:6854)\n    at async createUsers (/app/dist/users.js:17:5)',
    );
    expect(chain[0]?.stack.find((f) => f.inUserCode)).toMatchObject({ file: '/app/dist/users.js', line: 17, function: 'createUsers' });
  });
});

// Messages that hold a token of one class (a status code, a product or limit name) but report
// another: the token alone must not decide. Each case says why it is the other class.
describe('negative corpus: tokens that are not the class they name', () => {
  it.each<[string, Category]>([
    // A dict lookup of an HTTP status as a key: a missing key, not a rate limit.
    ["Traceback (most recent call last):\n  File \"/srv/etl/retry.py\", line 12, in backoff_for\n    return BACKOFF[status]\nKeyError: 429", 'code_bug'],
    ["Traceback (most recent call last):\n  File \"/srv/etl/map.py\", line 30, in label\n    return LABELS[code]\nKeyError: 401", 'code_bug'],
    // A config key that happens to be named after the class.
    ["Traceback (most recent call last):\n  File \"/srv/etl/settings.py\", line 8, in load\n    limit = cfg['RateLimit']\nTypeError: 'NoneType' object is not subscriptable", 'code_bug'],
    // A constraint the database enforces is a database error, even though a row was duplicated.
    ['psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "orders_pkey"\nDETAIL:  Key (id)=(429) already exists.', 'database_error'],
  ])('%s', (text, category) => {
    expect(run(text).category).toBe(category);
  });

  it("the product's name in a config error is no failed data check", () => {
    const d = run("great_expectations.exceptions.DataContextError: No validation operator 'action_list_operator' was found in your project. Please verify this in your great_expectations.yml");
    expect(d.category).not.toBe('data_quality');
  });
});
