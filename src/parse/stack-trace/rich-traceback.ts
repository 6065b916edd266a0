// Rich's tracebacks (Typer, Prefect's and Dagster's CLIs, any app with `rich.traceback.install()`)
// draw the traceback in a box: `╭── Traceback (most recent call last) ──╮`, then per frame
// `│ /app/flows/etl.py:42 in transform │` with the code under it (`│ ❱ 42 │   return x │`), then the
// exception under the box. Rewritten as CPython prints it, the Python parser reads it.

const RICH_START = /^\s*╭─+ Traceback \(most recent call last\) ─+╮\s*$/;
// A frame: the file and line, `in` the function, inside the box's borders. Windows paths too.
const RICH_FRAME = /^\s*│ ((?:[A-Za-z]:)?[^\s:│]{1,500}|<[\w -]{1,100}>):(\d{1,7}) in ([\w<>.]{1,200})\s*│\s*$/;
const RICH_ARROW = /^\s*│ ❱ ?(\d{1,7}) │(.*?)\s*│\s*$/;
const RICH_END = /^\s*╰─+╯\s*$/;

/** The lines with Rich's boxed tracebacks rewritten as CPython prints them; the same array when there is none. */
export function fromRich(lines: string[]): string[] {
  if (!lines.some((line) => line.length < 4000 && line.includes('╭') && RICH_START.test(line))) return lines;
  const out: string[] = [];
  let inBox = false;
  for (const line of lines) {
    if (line.length > 4000) {
      out.push(line);
      continue;
    }
    if (!inBox) {
      if (RICH_START.test(line)) {
        inBox = true;
        out.push('Traceback (most recent call last):');
      } else out.push(line);
      continue;
    }
    if (RICH_END.test(line)) {
      inBox = false;
      continue;
    }
    const frame = RICH_FRAME.exec(line);
    if (frame) {
      out.push(`  File "${frame[1] ?? ''}", line ${frame[2] ?? ''}, in ${frame[3] ?? ''}`);
      continue;
    }
    const arrow = RICH_ARROW.exec(line);
    if (arrow) out.push(`    ${(arrow[2] ?? '').trim()}`);
  }
  return out;
}
