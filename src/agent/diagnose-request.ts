// Turns an incident into the question the brain is asked. Everything that leaves this function is
// redacted: it is the last point before text can reach Gemini, a remote brain, or Slack.
import type { Redactor } from '../redact/redactor.js';
import type { DiagnoseRequest, ErrorInfo, Incident, LogEvent } from '../types.js';

const MAX_TEXT_CHARS = 16_000;
const MAX_CONTEXT_LINES = 20;
const MAX_AFTER_LINES = 50;

function redactError(error: ErrorInfo, redactor: Redactor): ErrorInfo {
  const redacted: ErrorInfo = {
    type: error.type,
    message: redactor.redact(error.message),
    stack: error.stack.map((frame) => (frame.code === undefined ? frame : { ...frame, code: redactor.redact(frame.code) })),
  };
  if (error.rawStack !== undefined) redacted.rawStack = redactor.redact(error.rawStack);
  return redacted;
}

/** The failing record as text: the message, then the error and its stack when the record carries one. */
export function eventText(event: LogEvent): string {
  if (event.format === 'text') return event.raw;
  const parts = [event.message];
  const error = event.error;
  if (error) {
    // A Python traceback repeats its message on its last line; a Go or Java stack (zap, slog) does not.
    if (error.rawStack === undefined || !error.rawStack.includes(error.message)) parts.push(`${error.type}: ${error.message}`);
    if (error.rawStack !== undefined) parts.push(error.rawStack);
  }
  // A JSON record with a plain-text tail (a traceback printed after it) keeps the tail.
  const newline = event.raw.indexOf('\n');
  if (newline !== -1) parts.push(event.raw.slice(newline + 1));
  return parts.join('\n');
}

/**
 * `after`: lines logged after the failing record, when the caller has them (a finished file); the
 * live agent cannot see them and passes none.
 */
export function buildDiagnoseRequest(incident: Incident, context: string[], redactor: Redactor, after?: readonly string[]): DiagnoseRequest {
  const event = incident.samples[0];
  const text = event ? eventText(event) : incident.title;
  const request: DiagnoseRequest = {
    fingerprint: incident.fingerprint,
    rule: incident.rule.id,
    severity: incident.severity,
    title: redactor.redact(incident.title),
    text: redactor.redact(text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text),
    context: context.slice(-MAX_CONTEXT_LINES).map((line) => redactor.redact(line)),
  };
  if (after && after.length > 0) request.after = after.slice(0, MAX_AFTER_LINES).map((line) => redactor.redact(line));
  if (incident.pipeline !== undefined) request.pipeline = incident.pipeline;
  if (incident.step !== undefined) request.step = incident.step;
  const error = event?.error;
  if (error) request.error = redactError(error, redactor);
  if (incident.rule.hint !== undefined) request.hint = incident.rule.hint;
  if (incident.rule.runbook !== undefined) request.runbook = incident.rule.runbook;
  return request;
}
