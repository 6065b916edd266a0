// Which frames are the user's own code. The failing line worth showing an on-call engineer is the
// innermost frame the team wrote, not the library or runtime frame that merely raised the error.
import { fileURLToPath } from 'node:url';

export type FrameLanguage = 'python' | 'node' | 'jvm' | 'go' | 'sql' | 'rust';

// Path fragments of installed libraries and runtimes (Python, Node, Go). Orchestrators (Dagster,
// Airflow) install under site-packages, so their frames fall out here too; user projects often live
// under /opt/dagster or /opt/airflow, which is why those names are not markers.
const LIBRARY_PATH_MARKERS = [
  '/site-packages/',
  '/dist-packages/',
  '/node_modules/',
  '/pkg/mod/',
  '/vendor/',
  '/usr/local/go/src/',
  '/usr/lib/go/src/',
  'pyspark.zip/',
  '/pyspark/',
  '/py4j/',
  // AWS Lambda's own runtime (`/var/runtime/bootstrap.py`, awslambdaric).
  '/var/runtime/',
];

// Python orchestrators and tools whose name is also what teams call their own project folder
// (`/opt/airflow/dags`, `~/dagster/pipeline`): a path segment with one of these names says nothing.
const PROJECT_FOLDER_NAMES = new Set(['airflow', 'dagster', 'prefect', 'luigi', 'snakemake', 'dbt', 'great_expectations', 'conda', 'pip', 'django', 'flask', 'celery', 'kafka', 'redis', 'spark', 'google', 'azure']);

// Python's standard library (`/usr/lib/python3.11/json/decoder.py`, `/usr/local/lib/python3.11/os.py`),
// and on Windows, where it has no version in its path (`C:\\Python311\\Lib\\json\\decoder.py`,
// `…\\miniconda3\\envs\\etl\\lib\\subprocess.py`).
const PYTHON_STDLIB = /\/lib\/python\d(?:\.\d+)?\/|(?:^|\/)(?:[Pp]ython\d+|[Aa]naconda\d*|[Mm]iniconda\d*|envs\/[^/]+)\/[Ll]ib\/(?![Ss]ite-packages\/)/;

// JVM class prefixes of the JDK, Scala, Spark, Hadoop and common drivers / libraries.
const JVM_LIBRARY_PREFIXES = [
  'java.',
  'javax.',
  'jdk.',
  'sun.',
  'com.sun.',
  'scala.',
  'org.apache.',
  'org.postgresql.',
  'org.slf4j.',
  'org.scalatest.',
  'org.junit.',
  'junit.',
  'org.springframework.',
  'org.hibernate.',
  'org.jdbi.',
  'org.glassfish.',
  'org.eclipse.',
  'io.netty.',
  'io.delta.',
  'com.zaxxer.',
  'com.fasterxml.',
  'com.google.',
  'com.amazonaws.',
  'software.amazon.',
  'com.databricks.',
  'com.mysql.',
  'net.snowflake.',
  'py4j.',
  'akka.',
  'kotlin.',
  'kotlinx.',
  'shaded.',
  // Drivers, pools, HTTP clients and runtimes that applications embed.
  'com.mchange.',
  'org.mariadb.',
  'com.microsoft.sqlserver.',
  'oracle.jdbc.',
  'org.h2.',
  'org.sqlite.',
  'com.mongodb.',
  'org.bson.',
  'redis.clients.',
  'io.lettuce.',
  'com.datastax.',
  'org.elasticsearch.',
  'org.jsoup.',
  'okhttp3.',
  'okio.',
  'retrofit2.',
  'feign.',
  'io.grpc.',
  'io.micronaut.',
  'io.quarkus.',
  'io.vertx.',
  'io.reactivex.',
  'reactor.',
  'org.jboss.',
  'org.quartz.',
  'ch.qos.logback.',
  'org.jooq.',
  'org.mybatis.',
  'org.flywaydb.',
  'liquibase.',
  'io.confluent.',
  // parquet-mr before it moved under org.apache (`parquet.hadoop.ParquetFileReader`).
  'parquet.',
  'kafka.',
  'org.yaml.',
  'com.typesafe.',
  'net.bytebuddy.',
  'groovy.',
  'org.codehaus.',
  'org.testng.',
  'org.mockito.',
  // .NET's runtime and Microsoft's libraries (their frames share the JVM's shape).
  'System.',
  'Microsoft.',
];

// Node's own modules as versions before 12 print them: a bare file name (`net.js:1134`,
// `_stream_transform.js:167`, `events.js:203`), never a path of the application's.
const NODE_CORE_FILE = /^(?:_(?:stream|http|tls)_\w+|net|events|util|fs|timers|stream|http|https|tls|dns|child_process|cluster|module|zlib|readline|buffer|crypto|domain|vm|assert|os|path|url|querystring|string_decoder|dgram|punycode|bootstrap_node|node|internal\/[\w/]+)\.js$/;

// Packages everyone installs (orchestrators, drivers, SDKs, data libraries, web and test
// frameworks): when every frame is installed code, the innermost frame outside these is the
// application's own package (`site-packages/price_monitor/tasks.py`), the place to look first.
const PYTHON_LIBRARIES = new Set(
  (
    'airflow dagster dagster_dbt dagster_aws dagster_gcp dagster_k8s dagster_postgres dagster_pandas prefect prefect_aws prefect_gcp luigi snakemake great_expectations dbt ' +
    'pandas numpy scipy sklearn pyarrow polars dask distributed sqlalchemy alembic psycopg psycopg2 pymysql MySQLdb pymongo redis cx_Oracle oracledb pyodbc trino pyhive thrift ' +
    'snowflake google googleapiclient google_auth_oauthlib oauth2client httplib2 boto3 botocore s3transfer aiobotocore s3fs gcsfs fsspec adlfs azure msrest pandas_gbq db_dtypes ' +
    'requests urllib3 httpx httpcore h11 aiohttp anyio sniffio certifi charset_normalizer idna grpc websocket websockets paramiko ' +
    'celery kombu billiard amqp django flask werkzeug fastapi starlette uvicorn gunicorn tornado jinja2 click typer pydantic pydantic_core marshmallow attr attrs cattrs ' +
    'yaml ruamel toml tomli json5 jsonschema dateutil pytz pendulum tzlocal six tenacity retrying backoff structlog loguru rich tqdm sentry_sdk ' +
    'pyspark py4j kafka confluent_kafka avro fastavro IPython ipykernel traitlets nbconvert papermill _pytest pytest pluggy setuptools pkg_resources pip conda ' +
    'importlib_metadata typing_extensions cloudpickle dill toolz cytoolz mlflow torch tensorflow keras transformers openpyxl xlrd lxml bs4 smart_open pandera ' +
    'apache_beam dataflow_worker azure_functions_worker raven gluon deltalake snowpark graphql graphene strawberry'
  ).split(' '),
);

const ORCHESTRATOR_PLUGIN = /^(?:airflow|dagster|prefect|luigi)_[a-z]/;

/**
 * A Python file of a well-known library whose path does not say it is installed: a vendored copy
 * (AWS Lambda's `/var/task/botocore/client.py`), a path a tool printed relative to site-packages
 * (`pandas_gbq/gbq.py`, Sentry's `django/db/backends/utils.py`, `.../great_expectations/x.py`), or
 * a source checkout of the library (`~/src/dagster/python_modules/dagster/dagster/core/x.py`).
 */
function inLibraryFolder(file: string): boolean {
  // A path elided at its start (`.../great_expectations/x.py`) is relative too.
  const parts = slashed(file).replace(/^(?:\.{1,3}\/)+/, '').split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    if (!PYTHON_LIBRARIES.has(part)) continue;
    // A project folder named like its orchestrator counts only at the start of a path printed relative
    // to site-packages, or as the library's source checkout (`…/dagster/dagster/…`).
    if (!PROJECT_FOLDER_NAMES.has(part) || i === 0 || parts[i + 1] === part || parts[i - 1] === part || parts[i - 1] === 'python_modules') return true;
    // A checkout's src layout under the repository's own name (`…/airflow/airflow-core/src/airflow/…`).
    if (parts[i - 1] === 'src' && parts.slice(0, i - 1).some((p) => p === part || p.startsWith(`${part}-`))) return true;
  }
  return false;
}

/** The package an installed Python file belongs to (`…/site-packages/price_monitor/tasks.py` → `price_monitor`). */
function installedPythonPackage(file: string): string | undefined {
  return /\/(?:site|dist)-packages\/([A-Za-z_][\w]*)/.exec(slashed(file))?.[1];
}

// The wrapper pip writes for a console script (`/usr/local/bin/airflow`, `…\\Scripts\\jotta-download-script.py`):
// it only calls the installed package's entry point, and a traceback that starts in one is a tool the
// user ran, not code they wrote.
// On Windows the wrapper is an .exe whose zipped `__main__.py` Python runs (`…\\Scripts\\luigi.exe\\__main__.py`).
const CONSOLE_SCRIPT = /\/bin\/[\w.-]+$|\\Scripts\\[^\\]+$|[\\/]Scripts[\\/][\w.-]+\.exe[\\/]__main__\.py$/;

/** Whether a Python frame's file is a console-script wrapper (never the user's code). */
export function isConsoleScript(file: string): boolean {
  return CONSOLE_SCRIPT.test(file) && !/\/bin\/[^/]*\.py$/.test(file);
}

/** An installed Python file of a package that is not a well-known library: the application's own, installed. */
export function isInstalledApplicationFrame(file: string): boolean {
  const pkg = installedPythonPackage(file);
  return pkg !== undefined && !isPythonLibraryPackage(pkg) && !/\.(?:pyx|pxi|pxd)$/.test(file);
}

/**
 * A well-known library, or an orchestrator's integration named after it (`dagster_graphql`,
 * `prefect_shell`, `luigi_td`): the orchestrator's machinery, not the flows, ops and DAGs a team
 * writes. Only orchestrators: a plugin of a library (`dask_jobqueue`, `great_expectations_provider`)
 * is as often the project a thread is about (measured: 2 wrong of 5 with every library's family).
 */
function isPythonLibraryPackage(pkg: string): boolean {
  return PYTHON_LIBRARIES.has(pkg) || ORCHESTRATOR_PLUGIN.test(pkg);
}

// A function of Go's standard library (`log.Panicf`, `net/http.(*conn).serve`, `testing.tRunner`):
// its import path is one of the standard top-level packages, which module paths never are.
const GO_STDLIB_FUNCTION =
  /^(?:archive|bufio|bytes|cmp|compress|container|context|crypto|database|debug|embed|encoding|errors|expvar|flag|fmt|go|hash|html|image|index|internal|io|iter|log|maps|math|mime|net|os|path|plugin|reflect|regexp|runtime|slices|sort|strconv|strings|sync|syscall|testing|text|time|unicode|unique|unsafe|weak)(?:\/[\w/]+)?\.[^/]*$/;

const RUST_RUNTIME_FN = /^<?(?:std|core|alloc|backtrace|panic_unwind)::|^rust_begin_unwind$|^__rust|^_start$|^__libc_start_main$/;
const RUST_RUNTIME_FILE = /(?:^|\/)lib(?:std|core|alloc)\/|\/rustc\/[\w.]+\/|(?:^|\/)library\/(?:std|core|alloc)\/|\/src\/lib(?:std|core|alloc)\//;
// Crates from a registry (`~/.cargo/registry/src/…`, a build image's `/cargo/registry/src/…`) are libraries.
const CARGO_REGISTRY = /(?:^|\/)\.?cargo\/registry\//;

/** Rust's standard library and panic machinery (not a crate from the registry: that is a library, but outside the runtime). */
export function isRustRuntime(frame: { file: string; function?: string }): boolean {
  return (frame.function !== undefined && RUST_RUNTIME_FN.test(frame.function)) || RUST_RUNTIME_FILE.test(frame.file.replaceAll('\\', '/'));
}

/** `file:///app/x.js` → `/app/x.js`; other paths unchanged. */
export function normaliseFile(file: string): string {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return file.slice('file://'.length);
    }
  }
  return file;
}

/** Node's own code: `node:internal/…`, `internal/…`, a core module as old versions print it (`module.js`). */
export function isNodeRuntimeFile(file: string): boolean {
  return file.startsWith('node:') || file.startsWith('internal/') || file === 'native' || file.startsWith('<anonymous') || NODE_CORE_FILE.test(file);
}

export function isUserFrame(language: FrameLanguage, file: string, fn?: string): boolean {
  switch (language) {
    case 'python':
      // <frozen importlib._bootstrap>, <string> are the runtime's; a notebook cell or the REPL is the user's.
      if (file.startsWith('<')) return /^<(?:ipython-input-|command-\d|stdin>|input>)/.test(file);
      if (isConsoleScript(file)) return false;
      if (/\.(?:pyx|pxi|pxd)$/.test(file)) return false; // compiled extension sources (pandas/_libs, numpy)
      if (PYTHON_STDLIB.test(slashed(file)) && !/\/(?:site|dist)-packages\//i.test(slashed(file))) return false;
      return !hasLibraryMarker(file) && !inLibraryFolder(file);
    case 'node':
      if (isNodeRuntimeFile(file)) return false;
      return !hasLibraryMarker(file);
    case 'jvm': {
      const cls = stripJvmModule(fn ?? '');
      return !JVM_LIBRARY_PREFIXES.some((prefix) => cls.startsWith(prefix)) || isJvmTestClass(cls);
    }
    case 'go':
      if (isGoRuntime(file, fn)) return false;
      // Under a GOPATH-style `/go/src/` the file may be the standard library or the project itself
      // (`/go/src/app/…`, the usual Docker layout); the function says which: standard-library import
      // paths never have a dot in their first element, module paths (`github.com/…`) do, and `main.`
      // is always the program's own.
      if (file.includes('/go/src/') && !file.includes('/go/src/github.com/')) {
        if (!fn || !/^(?:main\.|[\w-]+\.[\w.-]+\/)/.test(fn)) return false;
      }
      return !hasLibraryMarker(file);
    case 'sql':
      return true;
    case 'rust':
      // The standard library and the panic machinery; crates from the registry are libraries.
      if (fn && RUST_RUNTIME_FN.test(fn)) return false;
      return !RUST_RUNTIME_FILE.test(file.replaceAll('\\', '/')) && !CARGO_REGISTRY.test(file.replaceAll('\\', '/')) && !hasLibraryMarker(file);
  }
}

// A test class (`OrderExportTest`, `LoaderIT`) is the code of whoever runs the tests, whatever its
// package: a library's own CI failing in its test is the library team's place to look. Not the test
// frameworks' own classes; not `…Spec`, which libraries use for classes of their own (`PartitionSpec`,
// `WindowSpec`).
const JVM_TEST_CLASS = /\.[A-Z][\w]*(?:Tests?|IT|ITCase|TestCase)(?:\$[\w$]*)?\.[\w$<>]+$/;
const JVM_TEST_FRAMEWORK = /^(?:junit\.|org\.junit\.|org\.testng\.|org\.scalatest\.|org\.spockframework\.|io\.kotest\.|kotlin\.test\.|org\.mockito\.|org\.apache\.maven\.|org\.gradle\.|org\.springframework\.test\.|org\.specs2\.|munit\.|utest\.|zio\.test\.)/;

/** Whether a JVM frame's `pkg.Class.method` is a method of a test class, not of a test framework. */
export function isJvmTestClass(cls: string): boolean {
  return JVM_TEST_CLASS.test(cls) && !JVM_TEST_FRAMEWORK.test(cls);
}

/** Go's standard library and runtime (by the function's import path, or the Go tree's own folders). */
export function isGoRuntime(file: string, fn?: string): boolean {
  if (fn && GO_STDLIB_FUNCTION.test(fn)) return true;
  const path = slashed(file);
  return path.includes('/usr/local/go/src/') || path.includes('/usr/lib/go/src/') || /(?:^|\/)go\/src\/runtime\//.test(path);
}

// Prefixes of many projects at once (the Apache and Eclipse foundations, DataStax, Confluent's
// connectors and Schema Registry): under them an application (Apache TinkerPop, Eclipse ChemClipse,
// the JDBC sink connector a Connect worker ran) is as likely as a library. Never the user's code,
// but the top frame under one is the place when nothing else is (measured for Confluent: 2 right, none lost).
const JVM_UMBRELLA_PREFIXES = ['org.apache.', 'org.eclipse.', 'com.datastax.', 'io.confluent.'];

/** A class of one well-known library (a driver, a pool, a client, Jackson), not just of a foundation's namespace. */
export function isWellKnownJvmLibrary(cls: string): boolean {
  return JVM_LIBRARY_PREFIXES.some((prefix) => cls.startsWith(prefix) && !JVM_UMBRELLA_PREFIXES.includes(prefix));
}

/**
 * Whether a logger's name, as Logback and Spring Boot print it with its packages cut to their first
 * letter (`o.h.engine.jdbc.spi.SqlExceptionHelper`, `c.z.hikari.pool.HikariPool`), is a class of the
 * JDK or of a well-known library. A one-letter part stands for any package of that letter, so an
 * application whose abbreviation a library shares (`c.a.` of com.acme and com.amazonaws) counts as
 * the library: no answer rather than a library's class.
 */
export function isLibraryLogger(name: string): boolean {
  const parts = name.split('.');
  return JVM_LIBRARY_PREFIXES.some((prefix) => {
    const want = prefix.split('.').slice(0, -1);
    return want.length < parts.length && want.every((p, i) => parts[i] === p || (parts[i]?.length === 1 && parts[i] === p[0]));
  });
}

/** `java.base/java.lang.Thread.run` → `java.lang.Thread.run`; `app//com.acme.Job.run` → `com.acme.Job.run`. */
export function stripJvmModule(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash >= 0 ? name.slice(slash + 1) : name;
}

/** The path with Windows separators, single or JSON-escaped (`c:\\\\Dev\\\\venv`), as slashes. */
function slashed(file: string): string {
  return file.replace(/\\+/g, '/');
}

function hasLibraryMarker(file: string): boolean {
  const path = slashed(file);
  // A tool may print installed files relative to the project (`node_modules/aws-sdk/lib/request.js`,
  // `vendor/github.com/x/y.go`, `site-packages/requests/api.py`): the marker starts the path then.
  return LIBRARY_PATH_MARKERS.some((marker) => path.includes(marker) || (marker.startsWith('/') && path.startsWith(marker.slice(1))));
}
