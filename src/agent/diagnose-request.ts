// Turns an incident into the question the brain is asked. Everything that leaves this function is
// redacted: it is the last point before text can reach Gemini, a remote brain, or Slack.
import type { Redactor } from '../redact/redactor.js';
import type { DiagnoseRequest, ErrorInfo, Incident, LogEvent } from '../types.js';

const MAX_TEXT_CHARS = 16_000;
const MAX_CONTEXT_LINES = 20;

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
  if (event.error) {
    parts.push(event.error.rawStack ?? `${event.error.type}: ${event.error.message}`);
  }
  // A JSON record with a plain-text tail (a traceback printed after it) keeps the tail.
  const newline = event.raw.indexOf('\n');
  if (newline !== -1) parts.push(event.raw.slice(newline + 1));
  return parts.join('\n');
}

export function buildDiagnoseRequest(incident: Incident, context: string[], redactor: Redactor): DiagnoseRequest {
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
  if (incident.pipeline !== undefined) request.pipeline = incident.pipeline;
  if (incident.step !== undefined) request.step = incident.step;
  if (event?.error) request.error = redactError(event.error, redactor);
  if (incident.rule.hint !== undefined) request.hint = incident.rule.hint;
  if (incident.rule.runbook !== undefined) request.runbook = incident.rule.runbook;
  return request;
}
