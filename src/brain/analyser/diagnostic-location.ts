// Where a tool's own diagnostic says the failure is, for failures that have no stack trace: a
// compiler or linter line (`cmd/server/main.go:44:2: missing go.sum entry …`, `src/lib.rs:12:5`,
// `psql:/tmp/load.sql:364: ERROR: …`), Terraform's `on main.tf line 49, in resource "a" "b":`, or
// make's `*** [Makefile:333: import-osm] Error 1`. Else the place a logger says it logged from: a Go
// logger's caller, a Rust error's `Location { file, line }`.
import type { Location } from '../../types.js';
import { isUserFrame } from '../../parse/stack-trace/user-code.js';

const SOURCE_EXT = String.raw`(?:go|rs|ts|tsx|js|mjs|cjs|java|scala|kt|c|cc|cpp|h|hpp|py|sql|tf|yaml|yml)`;
// The file, its line and an optional column, then the message: `path.ext:LINE[:COL]: text`.
const PATH = String.raw`((?:[A-Za-z]:)?[\w./\\@+-]{1,300}\.${SOURCE_EXT})`;
// A Go stack frame's file line (`\tC:/go/src/runtime/panic.go:605 +0x9c`) is not a diagnostic.
const COMPILER = new RegExp(String.raw`^\s*(?:psql:)?${PATH}:(\d{1,7})(?::\d{1,5})?:? (?=\S)(?!\+0x)`);
// rustc points at the place on a line of its own: `  --> src/lib.rs:12:5`.
const POINTER = new RegExp(String.raw`^\s*--> ${PATH}:(\d{1,7})(?::\d{1,5})?\s*$`);
const TERRAFORM = /\bon ([\w./\\-]{1,300}\.tf) line (\d{1,7})(?:, in (?:resource|data|module|provider|variable|output) "([\w-]+)"(?: "([\w-]+)")?)?/;

// GNU make naming the recipe that failed: `make[1]: *** [tools/make/kube.mk:62: kube-deploy] Error 1`.
const MAKE = /\bmake(?:\[\d+\])?: \*\*\* \[([^\s:\]]{1,300}):(\d{1,7}): ([^\]\s]{1,200})\] Error \d+/;

export function diagnosticLocationOf(lines: readonly string[]): Location | undefined {
  for (const line of lines) {
    if (line.length > 4000) continue;
    const m = MAKE.exec(line);
    if (m?.[1] && m[2] && m[3]) return { file: m[1], line: Number(m[2]), function: m[3], code: null };
    const t = TERRAFORM.exec(line);
    if (t?.[1] && t[2]) {
      const fn = t[3] ? (t[4] ? `${t[3]}.${t[4]}` : t[3]) : null;
      return { file: t[1], line: Number(t[2]), function: fn, code: null };
    }
    const c = COMPILER.exec(line) ?? POINTER.exec(line);
    if (c?.[1] && c[2]) return { file: c[1], line: Number(c[2]), function: null, code: null };
  }
  return undefined;
}


// A Go logger's caller (`devices.go:76: [ERROR] …`, `[error] agent.go:90: …`, a path in klog's message
// `…/controller.go:147: Failed to list`), not in installed modules or the Go tree itself.
// klog's header caller (`E0418 04:56:17.489683 1 reflector.go:201] …`) is the component's own logging site.
const GO_CALLER = /(?:^|[\s[(])((?:[\w.@~-]{1,100}\/){0,30}[\w.-]{1,100}\.go):(\d{1,6})(?=[\s:)]|$)/g;
const GO_LIBRARY = /\/pkg\/mod\/|\/vendor\/|(?:^|\/)go\/src\/(?!github\.com\/)|^(?:k8s\.io|sigs\.k8s\.io)\//;
// A Rust error printed with `{:?}` or `{:#?}` carries where it was made: `Location { file: "src/x.rs", line: 252, … }`.
const RUST_LOCATION = /\bLocation \{\s{0,40}file: "([^"\n]{1,300}\.rs)",\s{0,40}line: (\d{1,7})/;

/** Where the failing record's logger says it was called from; the last such place on its first line (klog's own caller comes first). */
export function callerLocationOf(recordLines: readonly string[]): Location | undefined {
  const head = recordLines.slice(0, 40).join('\n');
  if (head.length > 16_000) return undefined;
  const rust = RUST_LOCATION.exec(head);
  if (rust?.[1] && rust[2]) return { file: rust[1], line: Number(rust[2]), function: null, code: null };
  const first = recordLines[0] ?? '';
  if (!first.includes('.go:')) return undefined;
  let found: Location | undefined;
  for (const m of first.matchAll(GO_CALLER)) {
    if (m[1] && m[2] && !GO_LIBRARY.test(m[1])) found = { file: m[1], line: Number(m[2]), function: null, code: null };
  }
  return found;
}

// Node's report of an uncaught exception starts with the throwing line: `/app/src/load.js:13`, the
// code, a caret under it, then the error. Node's own files (`internal/…`, `events.js`) and installed
// packages are not the place.
const NODE_BANNER = /^((?:[A-Za-z]:)?[^\s:]{0,300}\.(?:[cm]?js|ts|tsx|jsx)):(\d{1,7})\s*$/;

/** The file and line Node printed above an uncaught exception, when it is not Node's or an installed package's. */
export function nodeBannerOf(lines: readonly string[]): Location | undefined {
  for (let i = 0; i < lines.length - 2; i++) {
    const line = lines[i] ?? '';
    if (line.length > 400) continue;
    const m = NODE_BANNER.exec(line.trim());
    if (!m?.[1] || !m[2]) continue;
    const caret = [lines[i + 2], lines[i + 3]].some((l) => l !== undefined && /^\s*\^+\s*$/.test(l));
    if (!caret || !isUserFrame('node', m[1])) continue;
    return { file: m[1], line: Number(m[2]), function: null, code: (lines[i + 1] ?? '').trim() || null };
  }
  return undefined;
}
