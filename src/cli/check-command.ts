// `sentinel check`: every problem as FILE:LINE:COL: message (or one JSON document), exit 1 on any error.
import { checkConfig, type ConfigProblem } from '../config/load-config.js';

export function runCheckCommand(file: string, format: 'text' | 'json' = 'text'): Promise<number> {
  const { problems, warnings } = checkConfig(file, process.env);
  if (format === 'json') {
    const place = (p: ConfigProblem) => ({ file: p.file, line: p.line, column: p.column, ...(p.path !== undefined ? { path: p.path } : {}), message: p.message });
    console.log(JSON.stringify({ file, valid: problems.length === 0, problems: problems.map(place), warnings: warnings.map(place) }));
    return Promise.resolve(problems.length > 0 ? 1 : 0);
  }
  for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message}`);
  for (const w of warnings) console.error(`${w.file}:${w.line}:${w.column}: warning: ${w.message}`);
  if (problems.length > 0) {
    console.error(`${file}: ${problems.length} error(s), ${warnings.length} warning(s)`);
    return Promise.resolve(1);
  }
  console.log(`${file}: valid${warnings.length > 0 ? ` (${warnings.length} warning(s))` : ''}`);
  return Promise.resolve(0);
}
