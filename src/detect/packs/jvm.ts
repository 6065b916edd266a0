// JVM and Spark: Java exceptions with stack frames, OutOfMemoryError, Spark job / executor failures.
import { FALLBACK } from './generic.js';
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('jvm', spec);

export const jvmPack: RulePack = {
  name: 'jvm',
  description: 'Java / Scala exceptions, OutOfMemoryError, Spark job and executor failures.',
  rules: [
    r({
      id: 'out-of-memory',
      description: 'The JVM ran out of heap or metaspace.',
      severity: 'critical',
      priority: 88,
      anyLevel: true,
      match: { regex: String.raw`java\.lang\.OutOfMemoryError|GC overhead limit exceeded` },
    }),
    r({
      id: 'spark-failure',
      description: 'A Spark job aborted (stage failure, executor lost). The preceding "Task N in stage M failed" lines are left to it, so one failure is one incident.',
      severity: 'critical',
      priority: 62,
      anyLevel: true,
      match: {
        regex: String.raw`Job aborted due to stage failure|org\.apache\.spark\.SparkException|ExecutorLostFailure`,
      },
    }),
    r({
      id: 'kafka-commit-failed',
      // Logged at WARN, but the group rebalanced under the consumer and the batch will be consumed again.
      description: 'A Kafka consumer could not commit its offsets.',
      severity: 'error',
      priority: 61,
      anyLevel: true,
      match: { regex: String.raw`CommitFailedError|Commit cannot be completed since the group has already rebalanced|\bOffset commit (?:with offsets \{[^\n]{0,500}\} )?failed\b` },
    }),
    r({
      id: 'kafka-broker-unreachable',
      // Three warnings within a minute: once is a broker restarting. Counted per file, whatever node
      // or client each names (a producer and a consumer of one service both lose the broker; a
      // client says `could not be established` and `disconnected` for one attempt): one incident.
      description: 'A Kafka client cannot reach its broker.',
      severity: 'error',
      priority: 60,
      anyLevel: true,
      threshold: { count: 3, window_secs: 60 },
      fingerprint: '{{source}}:{{file}}',
      match: { regex: String.raw`Broker may not be available|Bootstrap broker [^\n]{1,200} disconnected|Connection to node -?\d+ [^\n]{0,200}could not be established` },
    }),
    r({
      id: 'uncaught-exception',
      description: 'An exception killed a JVM thread (`Exception in thread "main" …`), frames or not: Spark prints a multi-line message between the header and the frames.',
      severity: 'critical',
      priority: 33,
      anyLevel: true,
      match: { regex: String.raw`^Exception in thread "[^"\n]*" ` },
    }),
    r({
      id: 'exception',
      description: 'A Java / Scala exception with its stack frames, unless a warning says what it falls back to (Spark\'s "Assume no metadata directory" over a FileNotFoundException).',
      severity: 'error',
      priority: 32,
      anyLevel: true,
      match: {
        all: [
          { not: { all: [{ level: 'warn' }, { regex: FALLBACK, ignore_case: true }] } },
          { regex: String.raw`\b[a-z_$][\w$.]*\.[A-Z][\w$]*(?:Exception|Error)\b` }, // a qualified class name
          { regex: String.raw`\.java:\d+\)|\.scala:\d+\)|\(Native Method\)|\(Unknown Source\)` },
        ],
      },
    }),
  ],
};
