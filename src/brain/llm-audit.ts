// The audit trail of what left the machine: one JSON line per LLM request (the redacted prompt as
// sent, engine, model, fingerprint, outcome, token counts) in state_dir/llm-audit.jsonl, so an
// operator can answer "what did we send to the model?" with `jq`. Bounded: past `maxBytes` the
// file becomes llm-audit.jsonl.1 (replacing the previous one) and a new file starts, so the trail
// never takes more than twice `maxBytes`. Writes are synchronous and small beside an LLM call of
// seconds, which keeps the lines in order; a failed write is logged once and counted, and never
// stops a diagnosis.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { cut } from './context-pack.js';

export const LLM_AUDIT_FILE = 'llm-audit.jsonl';

export interface LlmAuditEntry {
  engine: string;
  /** The model asked; `answeredBy` is the one the provider says answered, when it says. */
  model: string;
  answeredBy?: string;
  fingerprint: string;
  /** `ok`, or the fallback reason (timeout, rate_limited, invalid_output, …). */
  outcome: string;
  /** HTTP status of a failed call, when there was one. */
  status?: number;
  tokens: { input: number; output: number } | null;
  latencyMs: number;
  /** Exactly what was sent, after redaction. */
  prompt: { system: string; user: string };
}

export interface LlmAudit {
  record(entry: LlmAuditEntry): void;
  readonly file: string;
}

export interface LlmAuditOptions {
  /** The state directory; the trail is `<dir>/llm-audit.jsonl`. */
  dir: string;
  /** Size at which the file is rotated; 0 turns the audit off. */
  maxBytes: number;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

/** Room left for the rest of a line when a prompt alone would pass `maxBytes`. */
const ENTRY_OVERHEAD_BYTES = 4096;

export function createLlmAudit(options: LlmAuditOptions): LlmAudit | undefined {
  if (options.maxBytes <= 0) return undefined;
  const file = join(options.dir, LLM_AUDIT_FILE);
  const now = options.now ?? Date.now;
  let size: number | undefined;
  let failing = false;

  const currentSize = (): number => {
    if (size !== undefined) return size;
    try {
      size = statSync(file).size;
    } catch {
      size = 0;
    }
    return size;
  };

  const lineFor = (entry: LlmAuditEntry): string => {
    const line = `${JSON.stringify({ ts: new Date(now()).toISOString(), ...entry })}\n`;
    if (Buffer.byteLength(line) <= options.maxBytes) return line;
    // A prompt larger than the whole budget is kept in part, visibly, rather than break the bound.
    const room = Math.max(0, Math.floor((options.maxBytes - ENTRY_OVERHEAD_BYTES) / 4));
    const user = cut(entry.prompt.user, room);
    return `${JSON.stringify({ ts: new Date(now()).toISOString(), ...entry, prompt: { system: cut(entry.prompt.system, room), user }, promptCut: true })}\n`;
  };

  return {
    file,
    record(entry) {
      try {
        const line = lineFor(entry);
        const bytes = Buffer.byteLength(line);
        if (currentSize() > 0 && currentSize() + bytes > options.maxBytes) {
          rotate(file);
          size = 0;
        }
        mkdirSync(dirname(file), { recursive: true });
        appendFileSync(file, line, { mode: 0o600 });
        size = currentSize() + bytes;
        if (failing) {
          failing = false;
          options.logger.info({ file }, 'The LLM audit trail is written again.');
        }
      } catch (err) {
        // Unknown size after a failure: read it again next time.
        size = undefined;
        options.metrics.dropped.inc({ stage: 'diagnose', reason: 'audit_write_failed' });
        if (!failing) {
          failing = true;
          options.logger.warn({ err, file, code: 'SENTINEL_ERR_STATE_DIR' }, 'Cannot write the LLM audit trail; diagnoses go on, entries are counted as dropped until it works again.');
        }
      }
    },
  };
}

function rotate(file: string): void {
  try {
    renameSync(file, `${file}.1`);
  } catch (err) {
    // Someone removed the file meanwhile: there is nothing to rotate.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
