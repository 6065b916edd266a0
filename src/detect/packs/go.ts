// Go: panics and fatal runtime errors (with their `goroutine N [state]:` blocks), and the standard
// library logger's `log.Fatal` line, which has no level: only the OS error it reports says it failed.
// slog / zap records at ERROR are structured and left to the generic pack.
import { COPING } from './coping.js';
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('go', spec);

export const goPack: RulePack = {
  name: 'go',
  description: 'Go panics, fatal runtime errors (deadlock, out of memory), log.Fatal OS errors and Telegraf plugin errors.',
  rules: [
    r({
      id: 'fatal-error',
      description: 'The Go runtime stopped the process (fatal error: out of memory, deadlock, concurrent map writes).',
      severity: 'critical',
      priority: 36,
      anyLevel: true,
      // The goroutine dump is required so a message merely quoting "fatal error:" is not taken for one.
      match: { all: [{ regex: String.raw`(?:^|\n)fatal error: ` }, { regex: String.raw`\ngoroutine \d+ \[[^\]\n]*\]:` }] },
    }),
    r({
      id: 'panic',
      description: 'A Go panic with its goroutine stack.',
      severity: 'critical',
      priority: 35,
      anyLevel: true,
      match: { all: [{ regex: String.raw`(?:^|\n)panic: ` }, { regex: String.raw`\ngoroutine \d+ \[[^\]\n]*\]:` }] },
    }),
    r({
      id: 'build-error',
      // A compiler or module error at `file.go:LINE:COL: …`.
      description: 'The Go build failed.',
      severity: 'error',
      // One build, one incident: the compiler reports each file's error on its own line.
      fingerprint: '{{source}}:{{file}}',
      priority: 34,
      anyLevel: true,
      match: {
        regex: String.raw`(?:^|\n)[ \t]*[\w./-]{1,200}\.go:\d+:\d+: (?:cannot find package|missing go\.sum entry|no required module provides|undefined: |cannot use |imported and not used|declared (?:and|but) not used|syntax error|too many arguments|not enough arguments|could not import|package [^\n]{1,200} is not in (?:GOROOT|std))`,
      },
    }),
    r({
      id: 'module-error',
      description: 'The Go toolchain could not resolve a module or package (go build, go get, go mod).',
      severity: 'error',
      priority: 34,
      anyLevel: true,
      match: {
        regex: String.raw`\bcannot find module providing package\b|\bno required module provides package\b|(?:^|\n)go: [^\n]{1,300}: (?:unknown revision|invalid version|no matching versions|reading https?:\/\/[^\n]{1,300}: 404\b)`,
      },
    }),
    r({
      id: 'log-error',
      // log.Printf / log.Fatalf print no level: the words of the message are all there is
      // (`2015/07/07 19:48:07 json: cannot unmarshal string into Go value of type float64`).
      description: 'A standard-library log line whose message reports an error it could not get past.',
      severity: 'error',
      priority: 14,
      anyLevel: true,
      match: {
        all: [
          { regex: String.raw`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d[. ]` },
          { regex: String.raw`\b(?:cannot|can't|couldn't|could not|unable to|failed to|failed:)\s` },
          { not: { level: ['trace', 'debug', 'warn'] } },
          { not: COPING },
        ],
      },
    }),
    r({
      id: 'plugin-error',
      // Telegraf logs every error a plugin reports as `Error in plugin: …` (`E! [inputs.exec] Error in
      // plugin: …`; older releases `Error in plugin [inputs.exec]: …`), pasted or relayed often without
      // its level letter, or behind a prefix that hides it.
      description: 'A Telegraf plugin reported an error: it gathers (or writes) nothing until that is fixed.',
      severity: 'error',
      priority: 14,
      match: { all: [{ regex: String.raw`\bError in plugin(?: \[[\w.:-]{1,200}\])?: ` }, { not: { level: 'warn' } }, { not: COPING }] },
    }),
    r({
      id: 'log-fatal',
      description: 'A standard-library log line reporting an OS error (log.Fatal prints it, then exits 1).',
      severity: 'error',
      priority: 15,
      anyLevel: true,
      match: {
        all: [
          { regex: String.raw`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d[. ]` },
          { regex: String.raw`: (?:permission denied|no such file or directory|connection refused|no such host|i/o timeout|too many open files|no space left on device|read-only file system)$` },
        ],
      },
    }),
  ],
};
