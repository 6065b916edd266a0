// Finds the error a record reports, whatever runtime printed it. Every parser is one linear pass over
// the lines with anchored, non-nested regular expressions, so a hostile or huge record costs O(n).
import type { ErrorInfo, StackFrame } from '../../types.js';
import { withoutFramePrefix } from './frame-prefix.js';
import { parseGoPanic } from './go-panic.js';
import { parseJvmStack } from './jvm-stack.js';
import { parseNodeStack } from './node-stack.js';
import type { ParsedError } from './parsed-error.js';
import { fromIpython, parsePythonTraceback, withoutLinePrefix } from './python-traceback.js';
import { fromRich } from './rich-traceback.js';
import { parseRustPanic } from './rust-panic.js';
import { parseWorkflowError } from './workflow-errors.js';
import { parseDbt, parsePostgres } from './sql-errors.js';
import { isConsoleScript, isGoRuntime, isInstalledApplicationFrame, isNodeRuntimeFile, isRustRuntime, isWellKnownJvmLibrary, stripJvmModule } from './user-code.js';

export type { ParsedError, ErrorSource } from './parsed-error.js';

/** Records longer than this are cut to their tail: the error and its stack sit at the end. */
const MAX_CHARS = 256 * 1024;

// Prefixes that wrap a child process's output line by line: Airflow relays a subprocess (Bash, spark-submit,
// a pod; Airflow 1's task runner as `Subtask: …`) through these loggers, and container runtimes stamp each line (CRI: `<ts> stderr F `).
const RELAY_PREFIX =
  /^\[[^\]]{8,48}\] \{(?:subprocess|spark_submit|pod_manager|pod|docker|ssh|logging_mixin|process_utils|base_task_runner)\.py:\d+\} [A-Z]+ - (?:Subtask(?: [\w.-]{1,250})?: )?/;
const CRI_PREFIX = /^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d) (?:stdout|stderr) [FP] /;
// `docker logs --timestamps` and CI runners stamp each line with a bare RFC 3339 time and a space.
const STAMP_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) /;
// Terminal colours, as escape sequences or as pasted in caret notation (`^[[36m`), and the
// service column docker compose puts before every line (`web_1        | `).
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(String.raw`${ESC}\[[\d;]*[A-Za-z]|\^\[\[[\d;]*m`, 'g');
const COMPOSE_PREFIX = /^[\w.-]{1,60}\s+\| ?/;

// A Python traceback whose line breaks were lost (a log service's one-line payload, a paste):
// `… File "/app/f.py", line 602, in execute_query return self.q() File "/lib/x.py", line 9, in r …`.
const FLAT_FRAME = / File "([^"\n]{1,500})", line (\d{1,7}), in ([\w<>.]{1,200}) /g;

/** The frames of a flattened traceback back on lines of their own; any other line unchanged. */
function unflattenTraceback(line: string): string | string[] {
  if (line.length > MAX_CHARS || line.indexOf(' File "') === line.lastIndexOf(' File "')) return line;
  FLAT_FRAME.lastIndex = 0;
  const matches = [...line.matchAll(FLAT_FRAME)];
  if (matches.length < 2) return line;
  return line.replace(FLAT_FRAME, '\n  File "$1", line $2, in $3\n    ').split('\n');
}

// A Node or JVM stack whose line breaks were lost (a paste, a one-line log payload):
// `TypeError: x is undefined    at C:\\app\\job.js:101:40   at FSReqWrap.readFileAfterClose (fs.js:511:3)`,
// `IOException: closed at com.acme.Load.run(Load.java:40) at java.lang.Thread.run(Thread.java:750)`.
// A frame: `at` and a function, then its place in parentheses, or `at` and a bare place; the place
// ends in a line (and, in Node, a column) or is the runtime's own (`Native Method`, `<anonymous>`).
const FLAT_AT_FRAME = /\s(?=at (?:[^\s()]{1,300}(?: \[[\w ]{1,40}\])? \((?:[^()\s]{1,500}:\d{1,7}(?::\d{1,7})?|Native Method|Unknown Source|<anonymous>|native)\)|[\w$.<>]{1,300}\([\w$.-]{1,200}(?::\d{1,7})?\)|[^\s()]{1,500}:\d{1,7}:\d{1,7})(?:\s|$))/g;

/** The frames of a flattened Node or JVM stack back on lines of their own; any other line unchanged. */
function unflattenStack(line: string): string | string[] {
  const first = line.indexOf(' at ');
  if (line.length > MAX_CHARS || first < 0 || first === line.lastIndexOf(' at ')) return line;
  FLAT_AT_FRAME.lastIndex = 0;
  const parts = line.split(FLAT_AT_FRAME);
  // Two frames at least: one `at` after a message is as often prose (`failed at step 3`).
  if (parts.length < 3) return line;
  return parts.map((part, i) => (i === 0 ? part.trimEnd() : `    ${part.trim()}`));
}

function stripRelayPrefix(raw: string): string {
  let line = raw.includes(`${ESC}[`) || raw.includes('^[[') ? raw.replace(ANSI, '') : raw;
  if (line.includes('| ')) {
    const m = COMPOSE_PREFIX.exec(line);
    if (m) line = line.slice(m[0].length);
  }
  if (line.startsWith('[')) {
    const m = RELAY_PREFIX.exec(line);
    if (m) return line.slice(m[0].length);
  } else if (line.length > 30 && line.charCodeAt(0) >= 48 && line.charCodeAt(0) <= 57) {
    const m = CRI_PREFIX.exec(line) ?? STAMP_PREFIX.exec(line);
    if (m) return line.slice(m[0].length);
  }
  return line;
}

/**
 * Every exception of the failure the text reports, root cause first, outermost last. When a Python
 * orchestrator (Airflow, PySpark, Dagster) wraps an error from another runtime (JVM via Py4J or
 * spark-submit, a Go or Node child process, dbt, psql), the foreign error is the deeper one.
 */
export function extractErrorChain(text: string): ParsedError[] {
  const source = text.length > MAX_CHARS ? text.slice(text.length - MAX_CHARS) : text;
  const raw = fromRich(fromIpython(source.split(/\r?\n/).flatMap(unflattenTraceback).flatMap(unflattenStack)));
  const lines = raw.map(stripRelayPrefix);
  let python = parsePythonTraceback(raw);
  if (python.length === 0) python = parsePythonTraceback(lines);
  if (python.length === 0) {
    const unprefixed = withoutLinePrefix(raw);
    if (unprefixed) python = parsePythonTraceback(unprefixed);
  }
  let inner = runtimeChain(lines);
  if (python.length === 0 && inner.every((e) => e.stack.length === 0)) {
    const unprefixed = withoutFramePrefix(lines);
    const framed = unprefixed ? runtimeChain(unprefixed) : [];
    if (framed.some((e) => e.stack.length > 0)) inner = framed;
  }
  if (python.length === 0) return withWorkflow(inner, lines);
  // A psycopg / Airflow message that merely quotes a PostgreSQL report is the same error, not a deeper one.
  const innerIsEcho = inner.length > 0 && inner.every((e) => e.source === 'postgres' && python.some((p) => p.message.includes(e.message.split('\n')[0] ?? '')));
  return withWorkflow(innerIsEcho ? python : [...inner, ...python], lines);
}

/** The chain the JVM, Go, Rust, Node, dbt or PostgreSQL printed. */
function runtimeChain(lines: string[]): ParsedError[] {
  const jvm = parseJvmStack(lines);
  return jvm.length > 0 ? jvm : firstNonEmpty([parseGoPanic(lines), parseRustPanic(lines), parseNodeStack(lines), parseDbt(lines), parsePostgres(lines)]);
}

/** A workflow engine's report (Snakemake's rule file and line) wraps whatever the runtimes printed. */
function withWorkflow(chain: ParsedError[], lines: string[]): ParsedError[] {
  const workflow = parseWorkflowError(lines);
  return workflow.length > 0 ? [...chain, ...workflow] : chain;
}

function firstNonEmpty(chains: ParsedError[][]): ParsedError[] {
  return chains.find((c) => c.length > 0) ?? [];
}

/** The innermost user frame of the chain: the root's own frames first, then outward. */
export function userFrameOf(chain: readonly ErrorInfo[]): { frame: StackFrame; error: ErrorInfo } | undefined {
  for (const error of chain) {
    const frame = innermostUserFrame(error);
    if (frame) return { frame, error };
  }
  // Every frame installed code: the application may be an installed package itself, unless the
  // traceback starts in a console-script wrapper: then the package is a tool the user ran.
  if (chain.some((error) => error.stack[0] !== undefined && isConsoleScript(error.stack[0].file))) return undefined;
  for (const error of chain) {
    const frame = [...error.stack].reverse().find((f) => f.file.endsWith('.py') && isInstalledApplicationFrame(f.file));
    if (frame) return { frame, error };
  }
  // A Node stack all in node_modules: the package that called the one that threw (a plugin calling
  // csv-parse); a stack all inside one package (an SDK) names no place of the user's.
  for (const error of chain) {
    if ((error as Partial<ParsedError>).source !== 'node') continue;
    // Old Node versions open the stack with the Error constructor itself (`at Error (native)`): not the thrower.
    const topFrame = error.stack.find((f) => f.file !== 'native');
    const top = topFrame?.file ?? '';
    const thrower = isNodeRuntimeFile(top) ? (ASYNC_RUNTIME_CALLBACK.test(topFrame?.function ?? '') ? undefined : RUNTIME_THROWER) : nodePackageOf(top);
    const frame = thrower === undefined ? undefined : error.stack.find((f) => { const pkg = nodePackageOf(f.file); return pkg !== undefined && pkg !== thrower && !CONTROL_FLOW_PACKAGE.test(pkg); });
    if (frame) return { frame, error };
  }
  return undefined;
}

/**
 * Where to look when no frame is the user's (see userFrameOf), where a library cannot be told from
 * the application by its path: the innermost frame outside the runtime and the framework that ran
 * the code. On the JVM (no way to know the user's package) that is the top frame outside the JDK,
 * Scala, the framework (Spark, Spring, Kafka) and well-known libraries (drivers, clients, Jackson):
 * an Apache or Eclipse project named only by its foundation's prefix; in Go and Rust a module or crate from the cache
 * (`…/pkg/mod/github.com/x/parquet-go@v1.6.2/layout/table.go:76`, a registry crate's panic). (In
 * Node the same rule named a package's internals more often than a place worth reading on the real
 * corpus: there no location is the honest answer.)
 */
export function libraryFrameOf(chain: readonly ErrorInfo[]): { frame: StackFrame; error: ErrorInfo } | undefined {
  for (const error of chain) {
    const source = (error as Partial<ParsedError>).source;
    const frame = error.stack.find((f) => f.line !== undefined && outsideRuntime(source, f));
    if (frame) return { frame, error };
  }
  return undefined;
}

function outsideRuntime(source: ParsedError['source'] | undefined, frame: StackFrame): boolean {
  if (source === 'rust') return !isRustRuntime(frame);
  if (source === 'jvm') {
    const cls = stripJvmModule(frame.function ?? '');
    return !JVM_RUNTIME.test(cls) && !isWellKnownJvmLibrary(cls);
  }
  if (source === 'go') return !isGoRuntime(frame.file, frame.function);
  return false;
}

// The JVM's own classes, the language runtimes on it, and the frameworks that call the application
// (a frame of theirs is where the failure surfaced, not a library call the application made).
const JVM_RUNTIME =
  /^(?:java|javax|jdk|sun|com\.sun|scala|kotlin|kotlinx|groovy|akka|kafka|org\.springframework|org\.apache\.(?:spark|hadoop|flink|beam|kafka|catalina|tomcat|hive|parquet|avro|orc|arrow|iceberg|hudi|calcite|zookeeper|curator|thrift|commons|logging|log4j|ivy)|parquet|org\.eclipse\.jetty|org\.glassfish\.jersey|io\.netty|org\.junit|org\.testng|org\.gradle|org\.apache\.maven)\./;

// Promise and control-flow libraries call back into whatever was scheduled: a frame of theirs is the
// plumbing between packages, not a package that called the thrower.
// Node itself threw (its module loader's `Cannot find module`, `fs` on a missing file): the package that
// called it is where to look, as for a package's call into another.
// Not when the runtime reported from a callback of its own (a socket's `afterConnect [as oncomplete]`,
// the microtask queue): no package was calling it then, the frames below are an older, async stack.
const RUNTIME_THROWER = '(node)';
const ASYNC_RUNTIME_CALLBACK = /\[as on\w+\]|processTicksAndRejections|\bemit\w*NT$|afterConnect|onStreamRead|onread|listOnTimeout|processTimers/;

const CONTROL_FLOW_PACKAGE = /^(?:bluebird|q|async|co|neo-async|when|rxjs|zone\.js|p-\w+)$/;

/** The package a file under node_modules belongs to (`…/node_modules/@scope/pkg/lib/x.js` → `@scope/pkg`). */
function nodePackageOf(file: string): string | undefined {
  return /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file)?.[1];
}

function innermostUserFrame(error: ErrorInfo): StackFrame | undefined {
  const frames = error.stack;
  // Python prints the innermost frame last; Node, the JVM and Go print it first.
  // An ErrorInfo handed over without its parser (from the parse stage) is Python when its files are.
  const source = (error as Partial<ParsedError>).source;
  // Sentry prints every platform's frames as `File "x", line N, in f`, in the platform's own order:
  // Node's or Clojure's innermost first.
  const foreign = frames.length > 0 && frames.every((f) => /\.(?:[cm]?[jt]sx?|clj[sc]?|java|kt|scala|rb|go|php)$/.test(f.file));
  const innermostLast = source ? source === 'python' && !foreign : frames.length > 0 && frames.every((f) => f.file.endsWith('.py'));
  if (innermostLast) {
    for (let i = frames.length - 1; i >= 0; i--) if (frames[i]?.inUserCode) return frames[i];
    return undefined;
  }
  // A stack a recover handler printed (`debug.Stack()` in a deferred func): the frames above the
  // runtime's `panic(…)` are the handler's; the panic was raised below it.
  if (source === 'go') {
    const panicAt = frames.findLastIndex((f) => f.function === 'panic' && /(?:^|[\\/])runtime[\\/]panic\.go$/.test(f.file));
    const raised = panicAt >= 0 ? frames.slice(panicAt + 1).find((f) => f.inUserCode) : undefined;
    if (raised) return raised;
  }
  return frames.find((f) => f.inUserCode);
}

/**
 * Finds the error a record reports (Python tracebacks with their chains, Dagster step failures, Node
 * stacks and unhandled rejections, JVM / Scala / Spark with `Caused by:`, Py4J, Go panics, dbt,
 * PostgreSQL / psql). Returns the root cause's type and message. Its `stack` is the root's frames when
 * they include user code; otherwise the frames of the nearest wrapping error that does (a Spark root
 * thrown inside the JVM is reached from the user's PySpark line), else the root's own frames.
 */
export function extractError(text: string): ErrorInfo | undefined {
  const chain = extractErrorChain(text);
  const root = chain[0];
  if (!root) return undefined;
  const located = userFrameOf(chain);
  return { type: root.type, message: root.message, stack: located ? located.error.stack : root.stack };
}
