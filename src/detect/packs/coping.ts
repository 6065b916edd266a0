// A client coping is not a failure: a record that says it will wait or try again (a database not
// ready yet at start-up, a broker being reconnected to, a call retried in 4 s) describes a moment
// that usually passes; the same client says so when it stops trying, and that record alerts. Every
// pack rule is vetoed by RETRY_NOTICE (pack.ts), so no stack's wording of a wait can alarm on its
// own; a rule that reports a failed attempt on purpose (Airflow's UP_FOR_RETRY) opts out.
import type { MatchExpr } from '../../config/config-types.js';

// `retrying` but not a server's advice that "retrying may solve the problem" or "wait before
// retrying", and not a name that holds the word (a library's `gax.retrying.RetryingExecutor` frame,
// a `…/retrying.py` path): a stack frame of a retry helper says the call went through one, not that
// it is being tried again; `attempt 2 of 5`;
// `not ready yet. Waiting...`; `sleeping 5s`; `reconnecting`; a pod not ready yet (kubelet's
// `Readiness probe failed` while it starts); a task waiting for its upstream (Airflow's
// `Dependencies not met for <TaskInstance …>, dependency 'Trigger Rule' FAILED`: the upstream's
// own failure, if any, alerts).
const RETRY_WORDS = String.raw`(?<![./]|\bbefore )\bretrying\b(?![./]\w|[^\n.]{0,30}\b(?:may|might|could|should) )|\b(?:will (?:be )?retr(?:y|ied)|retry(?:ing)? (?:in|after) \d|backing off|attempt \d+ ?(?:of|/) ?\d+|will try again|trying again|reconnecting|not ready yet|not yet ready|(?<!after )waiting (?:for )?\d+(?:\.\d+)? ?(?:ms|s|secs?|seconds?|minutes?)\b|sleeping (?:for )?\d)\b|\bwaiting ?(?:\.\.\.|…)|\bsleeping\b[ \t]*(?:\.\.\.|…|$)|\b(?:Readiness|Startup) probe failed\b|\bDependencies not met for\b`;

/**
 * The client stopped trying: what a wait or retry notice turns into when it fails for good
 * (`giving up`, `max retries exceeded`, the last of its attempts, `timed out waiting`, `Stop retrying since …`).
 */
export const GIVE_UP = String.raw`\b(?:giving up|gave up|max(?:imum)? retries (?:exceeded|reached)|(?:reached|exceeded) (?:the )?max(?:imum)? (?:number of )?retries|retries (?:exhausted|exceeded)|exhausted (?:all )?(?:\d+ )?(?:retries|attempts)|out of retries|no (?:more )?retries left|retry limit (?:reached|exceeded)|(?:after|in) \d+ (?:attempts|retries|tries)|timed out waiting|timeout waiting|stop(?:ped|s)? retrying|no longer retrying|not retrying)\b|\battempt (\d+) ?(?:of|/) ?\1\b`;

/**
 * A cause no retry can cure (a privilege, an object that is not there, a bad statement): the client
 * retrying it only delays the alert (`permission denied for table x (retrying in 3 seconds)`).
 */
const HOPELESS = String.raw`\b(?:permission denied|access denied|insufficient ?privilege|not authori[sz]ed|authentication failed|does not exist|no such (?:table|column|relation|field)|syntax error|undefined ?(?:table|column)|invalid (?:input|syntax|credentials))\b`;

/**
 * A write that lost an optimistic-concurrency race inside a controller's reconcile loop: the API
 * server's 409 (`Operation cannot be fulfilled on deployments.apps "x": the object has been modified;
 * please apply your changes to the latest version and try again`) logged as a reconcile error.
 * controller-runtime and client-go requeue every failed reconcile with back-off and the next one
 * reads the new version, so the record says the loop will try again, though not in those words; the
 * same error from a one-shot `kubectl apply` (no reconcile) still alerts. Matched on the raw record:
 * a structured logger puts `Reconciler error` in the message and the conflict in a field.
 */
const RECONCILE_CONFLICT: MatchExpr = {
  all: [
    { raw_regex: String.raw`\bthe object has been modified\b` },
    { raw_regex: String.raw`\breconcil(?:e|er|es|ed|ing|iation)\b`, ignore_case: true },
  ],
};

/**
 * librdkafka (kcat, confluent-kafka, node-rdkafka …) losing or not reaching a broker. The library
 * reconnects by itself, for ever, with back-off (`reconnect.backoff.ms`), and tells the application
 * when that stops mattering: a message that timed out, a fatal error. Its transport records (the
 * `|FAIL|` facility, and the same event relayed as `|ERROR|`, `N/N brokers are down`) are a client
 * coping; kafka.rdkafka-broker-unreachable alerts when they keep coming.
 */
export const RDKAFKA_RECONNECTS = String.raw`%[0-7]\|\d{9,11}\.\d{3}\|(?:FAIL|ERROR)\|[^|\n]{1,80}\| [^\n]{0,400}(?:\bConnect to [^\n]{1,200} failed\b|\bFailed to connect to broker\b|\bFailed to resolve\b|\bConnection refused\b|\bDisconnected\b|\bConnection reset by peer\b|\b\d+/\d+ brokers are down\b)`;

/** A record announcing a wait or a retry, unless it gives up or retries what cannot succeed. */
export const RETRY_NOTICE: MatchExpr = {
  any: [
    {
      all: [
        { regex: RETRY_WORDS, ignore_case: true },
        { not: { regex: GIVE_UP, ignore_case: true } },
        { not: { regex: HOPELESS, ignore_case: true } },
      ],
    },
    RECONCILE_CONFLICT,
    { regex: RDKAFKA_RECONNECTS },
  ],
};

/**
 * What the generic shapes never alarm on, beyond the retry notice every pack rule is vetoed by
 * (pack.ts): Airflow's attempt summaries (its own rule reports them), a `[debug]` tag, a count of
 * zero failures (`0 failed`, `0 of 27 (0.0%) Expectations Failed`, dbt's `ERROR=0`, which also makes a text record read as an error record;
 * a worker's number, fluentd's `#0 failed to poll`, is no count).
 */
export const COPING: MatchExpr = {
  regex: String.raw`\b(?:up_for|will)_retry\b|\[(?:debug|trace) ?\]|(?<!#)\b0 (?:failed|failures|errors)\b|(?<!#)\b0 [a-z]{1,20} (?:failed|failures|errors)\b|\b0 of \d+ (?:\(0(?:\.0+)?%\) )?[a-z ]{0,30}(?:failed|failures|errors)\b|\b(?:failed|failures?|errors?)[=:] ?0\b`,
  ignore_case: true,
};
