// Category round 7 (issue 10): classes read off the development corpus's misreadings, each tested
// on wordings other than the corpus's logs (other databases, languages, registries, tools) and with a
// negative case: a message that shares the token but is another class.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import { sqlStateOf } from '../../src/brain/analyser/sqlstate.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}

// The signatures' own reading (learned: false): these tests are about what the log says, not about a model trained on the corpus.
const run = (text: string) => analyse(request({ text }), { readSourceFiles: false, learned: false });

describe('SQLSTATE codes and condition names say the kind of database failure in any language', () => {
  it.each([
    ['psycopg2.errors.NumericValueOutOfRange: FEHLER:  Wert ist außerhalb des gültigen Bereichs für Typ integer', 'data_quality'],
    ['asyncpg.exceptions.UndefinedColumnError: la colonne « customer_ref » n\'existe pas', 'schema_drift'],
    ['load_orders: ОШИБКА: отношение "staging.orders" не существует (SQLSTATE 42P01)', 'missing_input'],
    ['org.postgresql.util.PSQLException: FEHLER: keine Berechtigung für Tabelle orders\n  SQL state: 42501', 'auth_or_permission'],
    ["pyodbc.OperationalError: ('08S01', '[08S01] [Microsoft][ODBC Driver 18 for SQL Server]Error de vínculo de comunicación (10054) (SQLExecDirectW)')", 'network_or_service_unavailable'],
    ['snowflake.connector.errors.ProgrammingError: 100038 (22018): ', 'data_quality'],
    ['2025-01-04 03:12:09 ERROR  [TARGET 4411] [53100] ERRORE:  spazio su disco esaurito', 'resource_exhaustion'],
  ])('%s → %s', (text, category) => {
    expect(run(text).category).toBe(category);
  });

  it('says a serialization failure or a lost connection is worth a retry, and a bad value is not', () => {
    expect(run('psycopg2.errors.SerializationFailure: ERREUR:  n\'a pas pu sérialiser un accès à cause des mises à jour concurrentes').retryable).toBe(true);
    expect(run('sqlalchemy.exc.OperationalError: (psycopg.errors.AdminShutdown) FATAL:  Beenden der Verbindung aufgrund von Anweisung des Administrators').retryable).toBe(true);
    expect(run('psycopg2.errors.StringDataRightTruncation: ERREUR:  valeur trop longue pour le type character varying(12)').retryable).toBe(false);
  });

  it('names the code and its condition in the summary', () => {
    expect(run('(SQLSTATE 23503) update or delete on table "customers" violates nothing we know of').summary).toMatch(/23503 \(integrity constraint violation\)/);
  });

  describe('negative: five characters that are no SQLSTATE, and codes that stand for several kinds', () => {
    it.each([
      ['a pid in brackets', 'worker[12345]: job aborted'],
      ['a log level in brackets', '[ERROR] job aborted'],
      ['Snowflake 08001 is mostly a refused login', '250001 (08001): Failed to connect to DB'],
      ["Snowflake's catch-all 22000", '100132 (22000): JavaScript execution error'],
      ['57014 is a timeout, a cancel or a lock queue', '000625 (57014): Statement has locked table MODELS'],
      ['an unknown class', 'SQLSTATE HY000 general error'],
    ])('%s', (_name, text) => {
      expect(sqlStateOf(text)).toBeUndefined();
    });

    it('keeps a specific wording over the code on the same line (a login refused with a network-class code)', () => {
      expect(run('psycopg2.OperationalError: (SQLSTATE 08006) FATAL:  password authentication failed for user "etl"').category).toBe('auth_or_permission');
    });
  });
});

describe('a registry that has no such image: the reference is wrong, not the credentials', () => {
  it.each([
    ['Warning  Failed  kubelet  Failed to pull image "ghcr.io/acme/etl:2.0": rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/etl:2.0": failed to resolve reference "ghcr.io/acme/etl:2.0": ghcr.io/acme/etl:2.0: not found\nWarning  Failed  kubelet  Error: ErrImagePull'],
    ['Warning  Failed  kubelet  Failed to pull image "quay.io/acme/loader:v9": rpc error: code = Unknown desc = Error response from daemon: manifest for quay.io/acme/loader:v9 not found: manifest unknown: manifest unknown\nWarning  Failed  kubelet  Error: ImagePullBackOff'],
    ["Failed to pull image \"acme/nightly-etl\": rpc error: code = Unknown desc = Error response from daemon: pull access denied for acme/nightly-etl, repository does not exist or may require 'docker login'\nError: ErrImagePull"],
  ])('%s', (text) => {
    const d = run(text);
    expect(d.category).toBe('configuration');
    expect(d.retryable).toBe(false);
  });

  it('negative: the same refusal with a credential failure stays auth, a pull rate limit stays a rate limit', () => {
    expect(run("Failed to pull image \"acme/private-etl:1\": pull access denied for acme/private-etl, repository does not exist or may require 'docker login': unauthorized: authentication required\nError: ErrImagePull").category).toBe('auth_or_permission');
    expect(run('Failed to pull image "registry.acme.io/etl:1": failed to authorize: no basic auth credentials\nError: ImagePullBackOff').category).toBe('auth_or_permission');
    expect(run("Failed to pull image \"acme/etl:1\": pull access denied for acme/etl, repository does not exist or may require 'docker login': toomanyrequests: too many pulls\nError: ErrImagePull").category).toBe('rate_limit');
  });
});

describe('dbt: a dispatched macro no installed package provides is a dependency problem', () => {
  it('reads "No macro named … found" in dispatch as a package problem', () => {
    const d = run("Compilation Error in model fct_sessions (models/fct_sessions.sql)\n  In dispatch: No macro named 'date_spine_v2' found\n      Searched for: 'bigquery__date_spine_v2', 'default__date_spine_v2'");
    expect(d.category).toBe('dependency_or_import');
    expect(d.summary).toMatch(/date_spine_v2/);
  });

  it('negative: a ref to a model the project does not define stays a code bug', () => {
    expect(run("Compilation Error\n  Model 'model.shop.fct_orders' (models/fct_orders.sql) depends on a node named 'stg_order' which was not found").category).toBe('code_bug');
  });
});

describe('a CREATE for an object that is already there is the database state, not the data', () => {
  it.each([
    ['migrate: pq: relation "schema_migrations" already exists'],
    ["ERROR 1050 (42S01) at line 3: Table 'jobs' already exists"],
    ["pyodbc.ProgrammingError: ('42S01', \"[42S01] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]There is already an object named 'staging_orders' in the database. (2714)\")"],
  ])('%s', (text) => {
    expect(run(text).category).toBe('database_error');
  });

  it.each([
    ['a file or path that exists', "FileExistsError: [Errno 17] File exists: '/data/out/2024-01-01'"],
    ['a Spark output path', 'org.apache.spark.sql.AnalysisException: path s3a://lake/out/orders already exists.'],
  ])('negative: %s', (_name, text) => {
    expect(run(text).category).not.toBe('database_error');
  });
});

describe('ODBC words for a dropped connection', () => {
  it("reads SQL Server's TCP Provider errors as the connection, retryable", () => {
    const d = run("pyodbc.OperationalError: ('08S01', '[08S01] [Microsoft][ODBC Driver 17 for SQL Server]TCP Provider: An existing connection was forcibly closed by the remote host.\\r\\n (10054) (SQLExecDirectW)')");
    expect(d.category).toBe('network_or_service_unavailable');
    expect(d.retryable).toBe(true);
  });
});
