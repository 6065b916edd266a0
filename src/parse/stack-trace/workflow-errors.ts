// Workflow engines that name the failing rule's file and line themselves, with no frames of their
// own: Snakemake's `MissingInputException in line 29 of /work/Snakefile:` (also RuleException,
// InputFunctionException, CalledProcessError …), with the rule in `for rule hmm:` or in an
// `Error in rule hmm:` block. The rule's definition is where it failed: a frame in the user's code.
import type { StackFrame } from '../../types.js';
import { clip, type ParsedError } from './parsed-error.js';

const IN_LINE_OF = /^(?:\[[^\]]{1,60}\] )?\**([A-Z]\w*(?:Exception|Error)) in line (\d+) of (\S+?):(?:\s+(.*))?$/;
// Snakemake 7+: `MissingOutputException in rule metabat in file /w/Snakefile, line 24:`, or the rule alone.
// A paste from a Markdown thread may keep the bold marks around the rule (`in rule **download** in file …`).
const IN_RULE = /^(?:\[[^\]]{1,60}\] )?\**([A-Z]\w*(?:Exception|Error)) in rule \**(\w+)\**(?: in file (\S+?), line (\d+))?:(?:\s+(.*))?$/;
const RULE = /\bfor rule (\w+)|^\s*Error in rule (\w+):/;
// No file at all, the rule at the end: `MissingInputException: Missing input files for rule symlink_tree:`.
const FOR_RULE = /^\**([A-Z]\w*(?:Exception|Error)): (.{0,300}?) for rule (\w+):?\s*$/;

export function parseWorkflowError(lines: string[]): ParsedError[] {
  let rule: string | undefined;
  for (const line of lines) {
    const m = line.length < 4000 ? RULE.exec(line) : null;
    if (m) {
      rule = m[1] ?? m[2];
      break;
    }
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length > 4000) continue;
    const forRule = line.includes(' for rule ') ? FOR_RULE.exec(line.trim()) : null;
    if (forRule?.[1] && forRule[3]) {
      return [{ type: forRule[1], message: clip(forRule[2] ?? ''), stack: [{ file: forRule[3], function: forRule[3], inUserCode: true }], source: 'workflow', lineIndex: i }];
    }
    if (!(line.includes(' in line ') || line.includes(' in rule '))) continue;
    const inLine = IN_LINE_OF.exec(line.trim());
    const inRule = inLine ? null : IN_RULE.exec(line.trim());
    const type = inLine?.[1] ?? inRule?.[1];
    if (!type || (inLine && !inLine[3])) continue;
    const first = inLine ? inLine[4] : inRule?.[5];
    const parts = first ? [first] : [];
    for (let j = i + 1; j < lines.length && j < i + 10 && (lines[j] ?? '').trim() !== ''; j++) parts.push((lines[j] ?? '').trim());
    const message = parts.join('\n');
    const ownRule = inRule?.[2] ?? /\bfor rule (\w+)/.exec(message)?.[1] ?? rule;
    // With no file named, the rule itself is the place (as a step is for an orchestrator).
    const frame: StackFrame = inLine
      ? { file: inLine[3] as string, line: Number(inLine[2]), inUserCode: true }
      : inRule?.[3]
        ? { file: inRule[3], line: Number(inRule[4]), inUserCode: true }
        : { file: ownRule as string, inUserCode: true };
    if (ownRule) frame.function = ownRule;
    return [{ type, message: clip(message), stack: [frame], source: 'workflow', lineIndex: i }];
  }
  return [];
}
