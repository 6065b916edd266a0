// Secrets are masked before any text leaves the machine (Slack, Gemini, a remote brain). The mask
// keeps the key name (`password=[REDACTED]`) or names the kind of secret (`[REDACTED:aws_access_key]`)
// so a redacted line still reads as a log line and says what was there.
import type { RedactPattern } from '../config/config-types.js';
import { SentinelError } from '../errors.js';
import { neutraliseControls } from './control-chars.js';

export type { RedactPattern };

export interface Redactor {
  redact(text: string): string;
}

interface Rule {
  name: string;
  regex: RegExp;
  /** A cheap test the text must pass for the rule to run: most rules scan from every word start. */
  need?: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

const tag = (name: string) => `[REDACTED:${name}]`;

// Key names whose value is a secret. A key must END with one of these words and be followed by
// its separator, so `token_count=42`, `password_reset_sent=true` and `max_tokens=8` stay intact
// while `DB_PASSWORD=…`, `client_secret: …` and `"access_token": "…"` do not.
const PASSWORD_KEY = '[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|pwd|secret)';
const SECRET_KEY =
  '[A-Za-z0-9_.-]*?(?:token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|secret[_-]?key|credentials?)';
// A quoted value is taken whole; `&` ends a bare value only where a query string's next `name=` follows.
// A closing bracket ends it only where the value visibly ends there (`(password=x)`), not inside one.
const VALUE = `"(?:[^"\\\\]|\\\\.)*"|'[^']*'|(?:[^\\s,;&"'}\\])]|&(?![\\w.-]+=)|[}\\])]+(?=[^\\s,;&"'}\\])]))+`;
// Bare words after a password key that say it is absent or wrong, not what it is.
const NOT_A_PASSWORD =
  /^(?:not|no|missing|required|invalid|incorrect|wrong|expired|empty|unset|set|blank|changed|reset|rejected|too|must|should|needs?|for|of|the|a|an|was|has|authentication|protected|prompt|policy|manager|store|file|hash|length|strength|found|ok|none|null|true|false|\*+)$/i;

const isPlaceholder = (value: string): boolean =>
  value.startsWith('[REDACTED') || value.startsWith('"[REDACTED') || value.startsWith("'[REDACTED") || value === '""' || value === "''" || /^(?:null|none|true|false|\*+)$/i.test(value);

function masked(value: string): string {
  const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
  return `${quote}[REDACTED]${quote}`;
}

// Order matters: whole blocks and URLs first, so the key=value rule does not cut them in half.
const BUILT_IN: Rule[] = [
  {
    // A key block, or the start of one cut off by the end of the text (a truncated log record).
    name: 'private_key',
    regex: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*$)/g,
    replace: () => tag('private_key'),
  },
  {
    name: 'slack_webhook',
    regex: /https?:\/\/hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g,
    replace: () => tag('slack_webhook'),
  },
  {
    // scheme://user:password@host: DSNs and URLs with credentials. The user name stays (it helps).
    // A password may itself hold `@`, `/`, `:` or `#` (`p@ss/w0rd`), so it runs to the LAST `@` of
    // the URL; a "password" that is a port followed by a path (`host:8080/a?to=x@y`) is no password.
    name: 'url_password',
    need: /:\/\//,
    regex: /\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s:/?#@'"]*):(?!\d{1,5}(?:[/?#]|$))([^\s'"<>]*)@/gi,
    replace: (_m, scheme: string, user: string) => `${scheme}${user}:[REDACTED]@`,
  },
  {
    name: 'authorization',
    regex: /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:Bearer|Basic|Token|Bot|Digest|ApiKey)?\s*)([^\s"',;]{4,})/gi,
    replace: (_m, prefix: string) => `${prefix}[REDACTED]`,
  },
  {
    // A bare `Bearer <token>` (curl traces, HTTP dumps). A real token is long and has no spaces, so
    // "Bearer of bad news" is left alone.
    name: 'bearer',
    regex: /\b(Bearer\s+)([A-Za-z0-9._~+/-]{16,}=*)/g,
    replace: (_m, prefix: string) => `${prefix}[REDACTED]`,
  },
  { name: 'aws_access_key', regex: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, replace: () => tag('aws_access_key') },
  {
    // 40 characters of base64 mean nothing alone (a git sha is 40 hex); with "aws" or "secret" just
    // before, or an access key id beside it (already masked: rules run in order), it is a secret key.
    name: 'aws_secret_key',
    regex: /((?:aws|secret|\[REDACTED:aws_access_key\])[A-Za-z0-9_ "':=.,;|/-]{0,40}?[\s"':=,;|/])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    replace: (_m, prefix: string) => `${prefix}${tag('aws_secret_key')}`,
  },
  {
    name: 'aws_secret_key',
    need: /\[REDACTED:aws_access_key\]/,
    regex: /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?=[ "':=,;|]{1,10}\[REDACTED:aws_access_key\])/g,
    replace: () => tag('aws_secret_key'),
  },
  { name: 'slack_token', regex: /\bxox[abeoprs]-[A-Za-z0-9-]{8,}/g, replace: () => tag('slack_token') },
  { name: 'slack_token', regex: /\bxapp-\d-[A-Za-z0-9-]{8,}/g, replace: () => tag('slack_token') },
  { name: 'openai_key', regex: /\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,}/g, replace: () => tag('openai_key') },
  { name: 'stripe_key', regex: /\b[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}/g, replace: () => tag('stripe_key') },
  { name: 'google_api_key', regex: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, replace: () => tag('google_api_key') },
  { name: 'github_token', regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g, replace: () => tag('github_token') },
  { name: 'jwt', regex: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, replace: () => tag('jwt') },
  {
    // password / passwd / pwd / passphrase / secret, then `:`, `=` or `is`: the value is masked
    // whatever its length, bare or quoted (`password: hunter`, `Password is "opensesame"`). Only a
    // word that says the value is absent or wrong ("password is incorrect") is left alone.
    name: 'password_pair',
    need: /pass|pwd|secret/i,
    regex: new RegExp(
      `(?<![A-Za-z0-9_.-])(${PASSWORD_KEY}["']?(?:\\s*(?:[:=]|=>)\\s*|\\s+is\\s+))(${VALUE})`,
      'gi',
    ),
    replace: (m, prefix: string, value: string) => {
      if (isPlaceholder(value) || (!/^["']/.test(value) && NOT_A_PASSWORD.test(value))) return m;
      return `${prefix}${masked(value)}`;
    },
  },
  {
    // Other secret keys (token, api_key, credentials, …): key=value, key: value, "key": "value".
    name: 'secret_pair',
    need: /token|key|credential/i,
    regex: new RegExp(`(?<![A-Za-z0-9_.-])(${SECRET_KEY}["']?\\s*(?:[:=]|=>)\\s*)(${VALUE})`, 'gi'),
    replace: (m, prefix: string, value: string) => {
      if (isPlaceholder(value)) return m;
      // `key=value` and a quoted key ("password": …) are assignments. A bare `key: word` is as often
      // prose ("invalid_token: Token has expired"), so there only a value that looks generated is masked.
      const assignment = prefix.includes('=') || /["']\s*:\s*$/.test(prefix);
      if (!assignment && !/^["']/.test(value) && !/[\d\W_]/.test(value) && value.length < 12) return m;
      return `${prefix}${masked(value)}`;
    },
  },
  {
    name: 'secret_flag',
    regex: /(--(?:password|passwd|pass|token|secret|api-key|apikey|access-token|auth-token|client-secret)(?:=|\s+))(?!-)("[^"]*"|'[^']*'|\S+)/gi,
    replace: (_m, prefix: string, value: string) => `${prefix}${masked(value)}`,
  },
  {
    // `mysql -pS3cr3t` (the password glued to -p; a bare `-p` prompts), `sshpass -p pw`,
    // `redis-cli -a pw`: the short flags of common clients, only after the client's own name.
    name: 'secret_flag',
    regex: /(\b(?:mysql\w*|mariadb[\w-]*|mysqldump|mysqladmin)\b[^\n|;&]*?\s-p)(?![\s-])("[^"]*"|'[^']*'|\S+)/gi,
    replace: (_m, prefix: string, value: string) => `${prefix}${masked(value)}`,
  },
  {
    name: 'secret_flag',
    regex: /(\b(?:sshpass\s+-p|redis-cli\b[^\n|;&]*?\s-a|htpasswd\b[^\n|;&]*?\s-b\s+\S+)\s*)(?!-)("[^"]*"|'[^']*'|\S+)/gi,
    replace: (_m, prefix: string, value: string) => `${prefix}${masked(value)}`,
  },
];

// Every built-in pattern contains one of these words, so a line without any of them is clean and
// costs one scan. Keep this in step with BUILT_IN (the corpus test checks every rule through it).
const PREFILTER = /pass|pwd|secret|token|key|auth|bearer|credential|mysql|mariadb|redis-cli|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|xox|xapp|hooks\.slack|sk-|_live_|_test_|AIza|gh[pousr]_|github_pat|eyJ|:\/\/[^\s@]*@/i;

function compileExtra(pattern: RedactPattern): Rule {
  // `(?i)` as in RE2/PCRE is a common way to ask for case-insensitivity in YAML configs.
  const insensitive = pattern.regex.startsWith('(?i)');
  const source = insensitive ? pattern.regex.slice(4) : pattern.regex;
  let regex: RegExp;
  try {
    regex = new RegExp(source, insensitive ? 'gi' : 'g');
  } catch (err) {
    throw new SentinelError('SENTINEL_ERR_CONFIG_INVALID', `redact.patterns "${pattern.name}": invalid regex ${JSON.stringify(pattern.regex)}`, { cause: err });
  }
  // A string replacement keeps `$1`-style references, so a user pattern can keep its key name.
  return { name: pattern.name, regex, replace: pattern.replacement ?? tag(pattern.name) };
}

function applyRule(text: string, rule: Rule): string {
  if (rule.need && !rule.need.test(text)) return text;
  rule.regex.lastIndex = 0;
  return typeof rule.replace === 'string' ? text.replace(rule.regex, rule.replace) : text.replace(rule.regex, rule.replace);
}

/** Built-in secret patterns plus the user's extra ones (`redact.patterns` in sentinel.yaml). */
export function createRedactor(extra: RedactPattern[] = []): Redactor {
  const extras = extra.map(compileExtra);
  return {
    redact(text: string): string {
      // Control sequences go first: an escape inside a secret (`pass\x1b[0mword=…`) must not hide it.
      let out = neutraliseControls(text);
      if (PREFILTER.test(out)) {
        for (const rule of BUILT_IN) {
          out = applyRule(out, rule);
        }
      }
      // User patterns have no known literal, so they always run.
      for (const rule of extras) {
        out = applyRule(out, rule);
      }
      return out;
    },
  };
}
