// `sentinel check`: every problem as FILE:LINE:COL: message, exit 1 on any error.
import { checkConfig } from '../config/load-config.js';

export function runCheckCommand(file: string): number {
  const { problems, warnings } = checkConfig(file, process.env);
  for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message}`);
  for (const w of warnings) console.error(`${w.file}:${w.line}:${w.column}: warning: ${w.message}`);
  if (problems.length > 0) {
    console.error(`${file}: ${problems.length} error(s), ${warnings.length} warning(s)`);
    return 1;
  }
  console.log(`${file}: valid${warnings.length > 0 ? ` (${warnings.length} warning(s))` : ''}`);
  return 0;
}
