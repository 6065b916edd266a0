// The three user rules of the side-by-side benchmarks (bench:peers, bench:idle-rss), as Sentinel's
// YAML: one list, so the agent measured at rest is the agent measured on the backlog.
export const PEER_RULES_YAML = `rules:
  - id: step-failed
    match: { fields: { event: step_failed } }
    severity: critical
  - id: zero-division
    match: { regex: "ZeroDivisionError" }
    severity: error
  - id: out-of-memory
    match: { regex: "OutOfMemoryError|Killed process" }
    severity: critical
`;
