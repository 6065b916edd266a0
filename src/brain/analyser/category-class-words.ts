// What an exception's class name says by its words (`ReadTimeoutError`, `TableNotFoundException`,
// `CsvParseError`, `SchemaMismatchException`): libraries name their errors after the kind of failure,
// in every language, so the words of a class nobody listed still tell the kind. Read only from the
// error chain's types, and only when no signature explained the failure by its wording: a class
// name is weaker evidence than a message (`TimeoutException: Topic x not present in metadata`).
import type { Category } from '../../types.js';

/** The kinds, most specific first: a connect timeout is the connection's, a parse error in a config reader the configuration's. */
const CLASS_WORDS: readonly [RegExp, Category][] = [
  // The JVM's and Python's words for code that is not there or not the version it was built against.
  [/^(?:NoSuchMethodError|NoSuchFieldError|AbstractMethodError|IncompatibleClassChangeError|NoClassDefFoundError|ClassNotFoundException|UnsatisfiedLinkError|ImportError|ModuleNotFoundError)$/, 'dependency_or_import'],
  [/Config(?:uration)?(?:Error|Exception|Invalid)|Settings?(?:Error|Exception)|ImproperlyConfigured|Misconfigur|InvalidConfig|MissingConfig|MissingSetting/, 'configuration'],
  [/Connect\w*Time(?:d?Out|out)|Connection|^Connect(?:Error|Exception)$|Socket\w*(?:Error|Exception)$|Network\w*(?:Error|Exception)$|Unreachable|UnknownHost|HostNotFound|ServiceUnavailable|NoBrokersAvailable|BrokerNotAvailable/, 'network_or_service_unavailable'],
  [/Time(?:d?Out|out)(?:Error|Exception|Expired)?$|DeadlineExceeded/, 'timeout'],
  [/OutOfMemory|^MemoryError$|Oom(?:Killed|Error|Exception)|DiskFull|NoSpace|OutOfDisk|ResourceExhausted|TooManyOpenFiles/, 'resource_exhaustion'],
  [/Throttl|RateLimit|TooManyRequests/, 'rate_limit'],
  [/Permission|AccessDenied|Forbidden|Unauthori[sz]ed|Unauthenticated|Authori[sz]ation|Authentication|Credential|LoginFailed/, 'auth_or_permission'],
  [/Schema\w*(?:Mismatch|Incompatib|Change|Evolution|Conflict)|IncompatibleSchema|(?:Type|Column|Field)Mismatch|Unrecognized(?:Field|Property)|UnknownField/, 'schema_drift'],
  [/(?:File|Table|Object|Blob|Bucket|Path|Directory|Dataset|Topic|Partition|Resource|Entity|Document|Input|Source|Relation|View)(?:NotFound|DoesNotExist|NotExists?|Missing)|NoSuch(?:File|Table|Key|Bucket|Object|Path|Directory|Namespace)|Missing(?:Input|File)|^(?:NotFound|DoesNotExist)(?:Error|Exception)?$/, 'missing_input'],
  [/Deadlock|SerializationFailure|WriteConflict|TransactionConflict|OptimisticLock|IntegrityError|UniqueViolation|ConstraintViolation|DuplicateKey/, 'database_error'],
  [/NumberFormat|Malformed|Corrupt|EmptyData|UnicodeDecode|^DataError$|^Invalid(?:Input|Data|Value|Record|Row|Format)\w*(?:Error|Exception)$|(?:Csv|CSV|Json|JSON|Xml|XML|Avro|Parquet|Record|Row|Data|Value|Date|Number)\w*(?:Parse|Parsing|Decode|Decoding|Deserializ\w*|Conversion|Format)(?:Error|Exception)$/, 'data_quality'],
];

/** An exception type's own class name: `com.acme.io.CsvParseException` → `CsvParseException`, `pkg.errors.Foo$Bar` → `Bar`. */
function classNameOf(type: string): string {
  return type.split(/[.$:]/).filter((part) => part !== '').pop() ?? '';
}

/** The category the words of an exception's class name say, when they say one. */
export function categoryOfClassName(type: string): Category | undefined {
  const name = classNameOf(type);
  if (name.length < 6 || name.length > 120) return undefined;
  return CLASS_WORDS.find(([words]) => words.test(name))?.[1];
}
