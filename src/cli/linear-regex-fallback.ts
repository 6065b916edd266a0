// Imported first by the CLI entry, before any module compiles a regex. V8's backtracking engine can
// take exponential time on a regex such as `(a|a)*$`; with this flag, a regex execution that has
// backtracked too often (50,000 times by default) is re-run on V8's linear-time engine instead, so
// no rule, pack, unless, multiline or redact pattern can hold the event loop for ever. `sentinel
// check` also rejects such patterns up front (config/regex-safety.ts). Patterns the linear engine
// cannot run (backreferences, lookbehind) keep backtracking; the per-record match budget counts them.
// See docs/adr/0007-regex-safety-without-re2.md.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
