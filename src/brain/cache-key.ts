// The diagnosis cache key. The client's fingerprint alone is not enough: any client of a shared
// brain could send an old fingerprint with a different error (or with context lines written to
// steer the LLM) and plant that answer for every agent of the fleet. So the key also holds a hash
// of what the diagnosis is made from (rule, error type and message, frames and code lines, the
// record's text, the lines around it, hint and runbook), after redaction (a secret never becomes
// part of a key) and with numbers blanked, so that the same failure at another time, in another
// run or with another row count still shares one cached answer.
import { crypto } from '../crypto-on-demand.js';
import type { DiagnoseRequest } from '../types.js';
import { normalisePerMember } from '../detect/fingerprint.js';

// Digits (timestamps, ids, counts, line numbers in text) and long hex runs (run ids, hashes).
const VOLATILE = /\b[0-9a-f]*\d[0-9a-f]{7,}\b|\d+/gi;

// Pod names, temp directories and run ids too: a fleet's pods ask about one failure with one key.
const stable = (text: string | undefined): string => normalisePerMember(text ?? '').replace(VOLATILE, '#');

export function diagnosisCacheKey(req: DiagnoseRequest, redact: (text: string) => string): string {
  const hash = crypto().createHash('sha256');
  const add = (text: string | undefined): void => {
    hash.update(stable(redact(text ?? '')));
    hash.update('\u0000');
  };
  add(req.rule);
  add(req.error?.type);
  add(req.error?.message);
  add(req.error?.rawStack);
  // Frame line numbers say where the code is: they stay as they are.
  for (const f of req.error?.stack ?? []) hash.update(`${redact(f.file)}:${f.line ?? ''}:${redact(f.function ?? '')}:${redact(f.code ?? '')}\u0000`);
  add(req.text);
  for (const line of req.context) add(line);
  hash.update('\u0001');
  for (const line of req.after ?? []) add(line);
  add(req.hint);
  add(req.runbook);
  add(req.pipeline);
  add(req.step);
  return `${req.fingerprint}:${hash.digest('base64url').slice(0, 32)}`;
}
