import type { DiagnoseRequest } from '../../src/types.js';

// Records shaped to make a backtracking regex go quadratic: 60 lines of ~3,000 characters, each
// ending in the tail a pattern looks for, and single lines with no newline at all.
const TAILS = ['", line 3, in f', ' at x (', ' File "', ' line 7, in', ':3', 'Traceback (most recent call last):\\n', " Script at '", ' from file /', ' for model m', ' goroutine 1 [running', ' Failure loading a_1', '[0m', ' at /a line 1', ' (a 1) a.ex:1: A.b/1', ' job a failed', ' a_1 FAILED', ' in a.yml', ' Using config file: a.yaml', '╭─ Traceback (most recent call last) ─╮\n│ a.py:1 in f │', 'Error: x\\n", ["  File \\"a.py\\", line 1, in f\\n', ' 1 of 2 ERROR creating model a.b', ' Job 1 failed: collect at a.scala:1', " [while running 'a'] failed", '\tat a.B.c(B', ' at a (a:1:1) at b:1:2', 'psql:a.sql:1:', 'Location : a.sql\nLine : 1', 'ObjectReference{Kind:"Job", Name:"'];
const BODIES = ['x'.repeat(3000), 'a.'.repeat(1500), '/a'.repeat(1500), '\\"'.repeat(1500), ' at a('.repeat(500), ' at  '.repeat(600)];

export function hostileRecords(): string[] {
  const records = BODIES.flatMap((body) => TAILS.map((tail) => Array.from({ length: 60 }, () => body + tail).join('\n')));
  records.push(Array.from({ length: 60 }, () => '\tat ' + 'x'.repeat(3000)).join('\n'), 'x'.repeat(180_000));
  return records;
}

export function hostileRequest(text: string): DiagnoseRequest {
  return { fingerprint: 'x', rule: 'r', severity: 'error', title: 't', text, context: [] };
}
