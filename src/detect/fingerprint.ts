// Fingerprints fold repeats of one failure into one incident. Volatile parts of a message (numbers,
// ids, timestamps, addresses, durations) are replaced by placeholders; everything that can tell two
// failures apart (exception types, column and table names, file names, code locations) stays.
// When in doubt we keep text: two incidents for one failure is noise, one incident for two
// failures hides a failure.
import type { RuleConfig } from '../config/config-types.js';
import { crypto } from '../crypto-on-demand.js';
import type { LogEvent, RuleInfo } from '../types.js';
import { fieldText, getField } from './field-path.js';

// Kubernetes' random name suffixes: [ReplicaSet hash-]pod suffix, from its alphabet (no vowels, no
// 0/1/3), with a digit somewhere so words like `-stack` survive. The same failure on two pods of one
// Deployment or Job must fold into one fleet incident.
const POD_CHARS = 'bcdfghjklmnpqrstvwxz24-9';

// What differs between the pods (or hosts) of one fleet for the same failure.
const PER_MEMBER = [
  // Pod names: etl-load-7d9f8b6c5d-x7k2p, etl-load-x7k2p (before `hex`, so both parts go together).
  String.raw`(?<pod>(?<=[a-z0-9]-)(?=[${POD_CHARS}]{0,10}-?[${POD_CHARS}]{0,4}\d)(?:[${POD_CHARS}]{6,10}-)?[${POD_CHARS}]{5}(?![\w-]))`,
  // A directory directly under a temp root is made per run (mkdtemp): /tmp/tmpk3j_x9a8/part.csv.
  String.raw`(?<tmp>(?<=(?:^|[\s'"(=:\[])(?:/private)?(?:/var)?/tmp/)[^/\s'"]+(?=/))`,
  // run_id=..., run-id: ..., "runId": ...: one pipeline run, not one failure.
  String.raw`(?<run>(?<=\brun[_-]?[iI][dD]["']?\s*[=:]\s*["']?)[\w.:+-]+)`,
];

// Strong patterns: volatile wherever they appear, quoted text included.
const STRONG = [
  ...PER_MEMBER,
  // ISO-8601 / RFC 3339 dates and timestamps (also "2026-01-01 12:00:00,123").
  String.raw`(?<ts>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}|\b))?)`,
  String.raw`(?<time>\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?\b)`,
  String.raw`(?<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)`,
  String.raw`(?<ip4>\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?::\d{1,5})?\b)`,
  // IPv6 with at least one '::' or all eight groups; needs a digit so `std::vector` or `a::b` survive.
  String.raw`(?<ip6>(?<![\w:])(?=[0-9a-fA-F:]*\d)(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![\w:])|(?<![\w:])(?=[0-9a-fA-F:]*\d)(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,5})?(?![\w:]))`,
  String.raw`(?<hex>\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b)`,
  String.raw`(?<longnum>(?<![A-Za-z])\d{5,}(?![A-Za-z]))`,
];

// Weak patterns: volatile in free text, but inside quotes a number may be part of a name
// ('col_1' and 'col_2' are two different columns).
const WEAK = [
  // Code locations identify the failing line: keep them (`line 42`, `x.py:42`, `Foo.java:42`, `a.js:10:5`).
  String.raw`(?<loc>\bline \d+|\.[A-Za-z]{1,6}:\d+(?::\d+)?)`,
  String.raw`(?<dur>(?<![\w.])\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|s|sec|secs|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b)`,
  // Not inside names and versions: col1, log4j2, python3.12 stay as they are.
  String.raw`(?<num>(?<![A-Za-z.\d])\d+(?:\.\d+)?(?![A-Za-z\d]))`,
];

const QUOTED = String.raw`(?<quoted>'[^'\n]{0,200}'|"[^"\n]{0,200}")`;

const FREE_TEXT = new RegExp([QUOTED, ...STRONG, ...WEAK].join('|'), 'g');
const IN_QUOTES = new RegExp(STRONG.join('|'), 'g');

const PLACEHOLDER: Record<string, string> = {
  pod: '<pod>',
  tmp: '<tmp>',
  run: '<run>',
  ts: '<ts>',
  time: '<time>',
  uuid: '<uuid>',
  ip4: '<ip>',
  ip6: '<ip>',
  hex: '<hex>',
  longnum: '<num>',
  dur: '<dur>',
  num: '<num>',
};

function replacer(match: string, ...args: unknown[]): string {
  const groups = args[args.length - 1] as Record<string, string | undefined>;
  if (groups.quoted !== undefined) return match.replace(IN_QUOTES, replacer);
  if (groups.loc !== undefined) return match;
  for (const [name, placeholder] of Object.entries(PLACEHOLDER)) if (groups[name] !== undefined) return placeholder;
  return match;
}

const PER_MEMBER_TEXT = new RegExp(PER_MEMBER.join('|'), 'g');

/**
 * Pod names, per-run temp directories and run ids replaced by placeholders, nothing else: for keys
 * that must be equal across a fleet's members (the brain's cache key blanks digits on its own).
 */
export function normalisePerMember(text: string): string {
  return text.replace(PER_MEMBER_TEXT, replacer);
}

/**
 * The text with only what is volatile wherever it appears replaced (timestamps, ids, addresses, long
 * numbers); short counts stay: `Got 262 results` and `Got 6 results` are two checks' own findings.
 */
export function normaliseIds(text: string): string {
  return text.replace(IN_QUOTES, replacer);
}

/** Bound on the text a fingerprint reads: a huge record must not cost a huge regex pass. */
const MAX_NORMALISED_CHARS = 4096;

/** The message with its volatile parts replaced by placeholders (`<num>`, `<uuid>`, `<ts>`, ...). */
export function normaliseMessage(message: string): string {
  const text = message.length > MAX_NORMALISED_CHARS ? message.slice(0, MAX_NORMALISED_CHARS) : message;
  return text.replace(FREE_TEXT, replacer).replace(/[ \t]+/g, ' ').trim();
}

const TEMPLATE_VAR = /\{\{\s*([\w.@-]+)\s*\}\}/g;

/** The text a fingerprint hashes, before hashing (exported for tests and debugging). */
export function fingerprintText(rule: { id: string; fingerprint?: string }, event: LogEvent): string {
  if (rule.fingerprint) {
    return `${rule.id}\n${rule.fingerprint.replace(TEMPLATE_VAR, (_m, path: string) => {
      if (path === 'rule') return rule.id;
      if (path === 'message') return normaliseMessage(event.message);
      return fieldText(getField(event, path)) ?? '';
    })}`;
  }
  const parts = [rule.id, normaliseMessage(event.message)];
  // Where the failure happened and what it was: the same message from two pipelines or steps, or
  // with two exception types, is two failures.
  for (const path of ['pipeline', 'step']) {
    const value = fieldText(getField(event, path));
    if (value !== undefined) parts.push(`${path}=${value}`);
  }
  if (event.error) parts.push(`error=${event.error.type}: ${normaliseMessage(event.error.message)}`);
  return parts.join('\n');
}

/** Accepts a RuleConfig or a RuleInfo (or anything with their `id` and optional `fingerprint`). */
export function computeFingerprint(rule: RuleConfig | RuleInfo | { id: string; fingerprint?: string }, event: LogEvent): string {
  return crypto().createHash('sha1').update(fingerprintText(rule, event)).digest('hex').slice(0, 16);
}
