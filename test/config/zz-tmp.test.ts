import { it } from 'vitest';
import { checkConfig } from '/work/main/src/config/load-config.ts';
it('x', () => { const r = checkConfig(process.env.CFG as string, {}); for (const p of [...r.problems, ...r.warnings]) console.log(`${p.file}:${p.line}:${p.column}: ${p.message}`); });
