import type { Category, ErrorInfo, Location } from '../../types.js';

/** What a signature sees and explains: the matched text, the error it came from and where it failed. */
export interface Finding {
  /** The text the signature matched: `Type: message` of a chain link, or one log line. */
  subject: string;
  match: RegExpExecArray;
  error: ErrorInfo | undefined;
  /** The whole chain, root first (for entries that look at wrappers or frames). */
  chain: readonly ErrorInfo[];
  location: Location | null;
  /** The step, task, op or model the log names, when it names one. */
  step: string | undefined;
  /** A log line showing the batch was empty, when one exists. */
  emptyBatch: string | undefined;
  /** All text of the record and its context (for names a message leaves out). */
  text: string;
}

export interface Explanation {
  summary: string;
  rootCause: string;
  fix: string[];
}

export interface Signature {
  id: string;
  category: Category | ((f: Finding) => Category);
  /** Whether a plain re-run is likely to succeed; a function when the log decides (an OOM under load). */
  retryable: boolean | ((f: Finding) => boolean);
  confidence: number;
  pattern: RegExp;
  /** Case-sensitive alternatives (errno names like ECONNREFUSED that a case-insensitive pattern would find inside words). */
  codes?: RegExp;
  /** Extra condition on the finding (a KeyError is configuration only when it reads os.environ). */
  when?: (f: Finding) => boolean;
  explain: (f: Finding) => Explanation;
}
