// Node.js: uncaught errors with stack frames, unhandled rejections, network errno codes.
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('node', spec);

export const nodePack: RulePack = {
  name: 'node',
  description: 'Node.js errors with stack traces, unhandled rejections, ECONNREFUSED and friends.',
  rules: [
    r({
      id: 'unhandled-rejection',
      description: 'An unhandled promise rejection.',
      severity: 'critical',
      priority: 40,
      anyLevel: true,
      match: { regex: String.raw`UnhandledPromiseRejection|Unhandled promise rejection|unhandledRejection`, ignore_case: true },
    }),
    r({
      id: 'network-error',
      description: 'A network errno from Node (connection refused / reset, DNS failure, timeout).',
      severity: 'error',
      priority: 60,
      match: { regex: String.raw`\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH)\b` },
    }),
    r({
      id: 'error-stack',
      description: 'A JavaScript error with its stack frames.',
      severity: 'error',
      priority: 35,
      match: {
        all: [
          { regex: String.raw`(?:Error|Exception)\b` }, // a word ending so: TypeError, FetchError
          { regex: String.raw`\n\s+at .*(?:\.js|\.mjs|\.cjs|\.ts|node:internal)\b` },
        ],
      },
    }),
    r({
      id: 'npm-debug-error',
      description: "An error line of npm's debug log (`npm-debug.log`, `_logs/*-debug-0.log`): `105480 error fetch failed https://…`.",
      severity: 'error',
      priority: 33,
      // Each line is its number and its level; npm writes `error` lines only when a command fails.
      match: { regex: String.raw`(?:^|\n)\d{1,9} (?:error|ERR!) \S` },
    }),
    r({
      id: 'json-error-stack',
      description: 'A structured log record (pino `err.stack`, winston `stack`) carrying a JavaScript error stack as a JSON string.',
      severity: 'error',
      priority: 34,
      // The escaped newline before the first frame is what a stringified stack looks like in JSON.
      match: { regex: String.raw`"stack"\s*:\s*"[^"\n]*(?:Error|Exception)\b[^\n]*?\\n\s+at [^\n]*?(?:\.js|\.mjs|\.cjs|\.ts|node:internal)\b` },
    }),
  ],
};
