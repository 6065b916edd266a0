// Builds the Slack message for an alert: Block Kit plus the plain `text` fallback that
// notifications and screen readers show. Pure: no I/O, no clock.
//
// Two rules hold for every string that came from a log or a model: it is redacted, then escaped for
// mrkdwn (`&` first, then `<`, `>`), so `<!channel>` or `<https://x|y>` in a log shows as text and
// pings no one; and runs of backticks are broken so a log line cannot close our code blocks. Only
// the rule's runbook URL (from the operator's config) may become a link.
import type { Redactor } from '../redact/redactor.js';
import { ENGINE_LABELS, type Alert, type Diagnosis, type Incident, type Severity } from '../types.js';
import { digestParts, groupDigest, summaryOf } from './digest-message.js';
import { occurrenceTotal, seenBy } from './fleet-text.js';

/** Slack's documented limits; one oversized block makes Slack reject the whole message. */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 2000,
  text: 40_000,
} as const;

export const TRUNCATION_MARKER = '… (truncated)';

const MAX_EVIDENCE_LINES = 5;
const MAX_FIX_STEPS = 8;
/** The fallback text is what a phone notification shows: keep it a sentence, not a page. */
const FALLBACK_TEXT_MAX = 3000;

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

const SEVERITY_EMOJI: Record<Severity, string> = { critical: '🔴', error: '🟠', warning: '🟡', info: '🔵' };

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A zero-width space between backticks: ``` in a log line can no longer open or close a code block. */
function breakFences(text: string): string {
  return text.replace(/`(?=`)/g, '`\u200b');
}

/**
 * Cuts to at most `max` characters with a visible marker. Never leaves half an entity (`&am`) or
 * half a surrogate pair behind, either of which Slack would render as garbage.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, Math.max(0, max - TRUNCATION_MARKER.length));
  head = head.replace(/&[a-z]{0,3}$/, '');
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return head + TRUNCATION_MARKER;
}

/**
 * Inline code. A backtick inside would end the span early, or join the delimiters into a fence:
 * it becomes the look-alike U+02CB, so log text can never change the message's structure.
 */
function inlineCode(safeContent: string): string {
  return '`' + safeContent.replace(/`/g, '\u02cb') + '`';
}

function codeBlock(safeContent: string, max: number): string {
  // Newlines around the fences: content ending in a backtick must not merge with the closing fence.
  return '```\n' + truncate(safeContent, Math.max(TRUNCATION_MARKER.length, max - 8)) + '\n```';
}

/** Plain text objects (the header) are not parsed as mrkdwn, but angle brackets stay suspect: swap them for look-alikes. */
function plain(redactor: Redactor, text: string, max: number): string {
  const cleaned = breakFences(redactor.redact(text)).replace(/</g, '‹').replace(/>/g, '›').replace(/\s+/g, ' ').trim();
  return truncate(cleaned || '(untitled)', max);
}

function isoSeconds(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : String(ms);
}

/** Only http(s) URLs without characters that could end the link early become links. */
function runbookLink(url: string): string | null {
  if (!/^https?:\/\/[^\s<>|]+$/i.test(url)) return null;
  return `<${url.replace(/&/g, '&amp;')}|Open the runbook>`;
}

function section(text: string): Record<string, unknown> {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

function fields(items: Array<[label: string, safeValue: string | undefined]>): Record<string, unknown> | null {
  const present = items.filter((i): i is [string, string] => i[1] !== undefined && i[1] !== '').slice(0, SLACK_LIMITS.fields);
  if (present.length === 0) return null;
  return {
    type: 'section',
    fields: present.map(([label, value]) => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, SLACK_LIMITS.fieldText) })),
  };
}

function context(safeTexts: string[]): Record<string, unknown> {
  return {
    type: 'context',
    elements: safeTexts.slice(0, SLACK_LIMITS.contextElements).map((text) => ({ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.contextText) })),
  };
}

function header(text: string): Record<string, unknown> {
  return { type: 'header', text: { type: 'plain_text', text, emoji: true } };
}

/** The engine's name for people; a newer brain's unknown engine shows by its id. */
function engineLabel(d: Diagnosis): string {
  return (ENGINE_LABELS as Record<string, string | undefined>)[d.engine] ?? d.engine;
}

function engineLine(d: Diagnosis, safe: (s: string) => string): string {
  const engine = `${safe(engineLabel(d))}${d.engine !== 'builtin' && d.model ? ` (${safe(d.model)})` : ''}`;
  const parts = [`Diagnosed by ${engine}`, `category ${inlineCode(safe(d.category))}`];
  if (Number.isFinite(d.confidence)) parts.push(`confidence ${Math.round(Math.min(1, Math.max(0, d.confidence)) * 100)}%`);
  // Said as what a retry would do: "not retryable" read as a contradiction beside an Airflow retry.
  parts.push(d.retryable ? 'a retry may succeed' : 'a retry will fail the same way');
  if (d.fallbackReason) parts.push(`the LLM fell back: ${safe(d.fallbackReason)}`);
  return parts.join(' · ');
}

function occurrences(i: Incident): string {
  return `${occurrenceTotal(i)} (first ${isoSeconds(i.firstSeen)}, last ${isoSeconds(i.lastSeen)})`;
}

function footer(alert: Alert, safe: (s: string) => string, key = alert.key): Record<string, unknown> {
  // The idempotency key: a replay after a crash carries the same key, so a duplicate is recognisable.
  const parts = [`Pipeline Sentinel · alert ${inlineCode(safe(key))}`];
  if (alert.incident) parts.push(`incident ${inlineCode(safe(alert.incident.id))}`);
  return context([parts.join(' · ')]);
}

function incidentBlocks(i: Incident, safe: (s: string) => string): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  const d = i.diagnosis;
  const facts = fields([
    ['Pipeline', i.pipeline && safe(i.pipeline)],
    ['Step', i.step && safe(i.step)],
    ['Run', i.runId && `${inlineCode(safe(i.runId))}`],
    ['Try', i.attempt !== undefined ? String(i.attempt) : undefined],
    ['Source', `${safe(i.source)} · ${inlineCode(safe(i.file))}`],
    ['Rule', `${inlineCode(safe(i.rule.id))}`],
    ['Occurrences', occurrences(i)],
    ['Seen by', seenBy(i) && safe(seenBy(i) as string)],
  ]);
  if (facts) blocks.push(facts);
  blocks.push(section(`*Summary*\n${safe(summaryOf(i))}`));
  if (d?.rootCause) blocks.push(section(`*Root cause*\n${safe(d.rootCause)}`));

  if (d?.location) {
    const loc = d.location;
    let where = inlineCode(`${safe(loc.file)}${loc.line != null ? `:${loc.line}` : ''}`);
    if (loc.function) where += ` in ${inlineCode(safe(loc.function))}`;
    const head = `*Where it failed*\n${truncate(where, 1000)}`;
    blocks.push(section(loc.code ? `${head}\n${codeBlock(safe(loc.code), SLACK_LIMITS.sectionText - head.length - 1)}` : head));
  }

  const fix = d ? stepsOfTheirOwn(d.fix, i) : [];
  if (fix.length > 0) blocks.push(section(fixText(fix, safe)));

  const evidence = (d?.evidence.length ? d.evidence : i.samples.map((s) => s.raw)).slice(0, MAX_EVIDENCE_LINES);
  if (evidence.length > 0) {
    const lines = evidence.map((l) => truncate(safe(l), 500)).join('\n');
    blocks.push(section(`*Evidence*\n${codeBlock(lines, SLACK_LIMITS.sectionText - 11)}`));
  }

  const notes: string[] = [];
  if (d) notes.push(engineLine(d, safe));
  if (notes.length) blocks.push(context(notes));

  const extra: string[] = [];
  if (i.rule.runbook) {
    const link = runbookLink(i.rule.runbook);
    extra.push(`*Runbook*: ${link ?? safe(i.rule.runbook)}`);
  }
  if (i.rule.hint) extra.push(`*Hint*: ${safe(i.rule.hint)}`);
  if (extra.length) blocks.push(section(extra.join('\n')));
  return blocks;
}

/** The fix less the rule's hint and runbook, which the message shows once, in their own lines. */
function stepsOfTheirOwn(fix: string[], i: Incident): string[] {
  const { hint, runbook } = i.rule;
  return fix.filter((step) => {
    const s = step.trim();
    return !(hint !== undefined && s === hint.trim()) && !(runbook !== undefined && s.replace(/^Runbook:\s*/i, '') === runbook.trim());
  });
}

/** Steps as a numbered list; a multi-line step (a patch, a command block) goes in a code block. */
function fixText(steps: string[], safe: (s: string) => string): string {
  const budget = SLACK_LIMITS.sectionText - TRUNCATION_MARKER.length - 1;
  let text = '*Fix*';
  const shown = steps.slice(0, MAX_FIX_STEPS);
  let number = 0;
  for (const [n, step] of shown.entries()) {
    const s = safe(step.replace(/\s+$/, ''));
    // A snippet that the step before introduces ("Guard the empty batch before dividing:") belongs
    // to that step: no number of its own.
    const continues = s.includes('\n') && n > 0 && /:\s*$/.test(shown[n - 1] ?? '');
    const piece = continues ? `\n${codeBlock(s, 1200)}` : s.includes('\n') ? `\n${++number}.\n${codeBlock(s, 1200)}` : `\n${++number}. ${truncate(s, 800)}`;
    if (text.length + piece.length > budget) return `${text}\n${TRUNCATION_MARKER}`;
    text += piece;
  }
  if (steps.length > shown.length) text += `\n…and ${steps.length - shown.length} more steps`;
  return text;
}

function resolvedBlocks(i: Incident, safe: (s: string) => string): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  const facts = fields([
    ['Pipeline', i.pipeline && safe(i.pipeline)],
    ['Step', i.step && safe(i.step)],
    ['Run', i.runId && `${inlineCode(safe(i.runId))}`],
    ['Try', i.attempt !== undefined ? String(i.attempt) : undefined],
    ['Rule', `${inlineCode(safe(i.rule.id))}`],
  ]);
  if (facts) blocks.push(facts);
  const at = i.resolvedAt !== undefined ? ` at ${isoSeconds(i.resolvedAt)}` : '';
  const total = occurrenceTotal(i);
  const seen = seenBy(i);
  const why = i.resolvedBecause ? `\n*Why*: ${safe(i.resolvedBecause)}.` : '';
  blocks.push(section(`Resolved${at} after ${total} occurrence${total === 1 ? '' : 's'} (first ${isoSeconds(i.firstSeen)}, last ${isoSeconds(i.lastSeen)}).${seen ? `\nSeen by ${safe(seen)}` : ''}${why}`));
  return blocks;
}

/** The digest's intro: how many, when, and where the full alert of each is. */
function digestIntro(incidents: Incident[], part: number, parts: number): Record<string, unknown> {
  if (incidents.length === 0) return section('No incidents in this digest.');
  if (part > 1) return section(`Continued: part ${part} of ${parts}.`);
  const first = incidents.reduce((t, i) => Math.min(t, i.firstSeen), Infinity);
  const last = incidents.reduce((t, i) => Math.max(t, i.lastSeen), -Infinity);
  const more = parts > 1 ? ` Listed in ${parts} messages.` : '';
  return section(
    `${incidents.length} incidents between ${isoSeconds(first)} and ${isoSeconds(last)}, arriving faster than one alert a second, so they are listed together.${more} ` +
      'Each line ends with its incident id: `sentinel incidents` on the agent shows the full alert.',
  );
}

function titleOf(alert: Alert, part = 1, parts = 1): string {
  if (alert.kind === 'digest') return `Incident storm: ${alert.incidents?.length ?? 0} incidents${parts > 1 ? ` (${part}/${parts})` : ''}`;
  return alert.incident?.title ?? 'Alert';
}

function headerText(alert: Alert, redactor: Redactor, part = 1, parts = 1): string {
  const sev = alert.severity.toUpperCase();
  const title = titleOf(alert, part, parts);
  switch (alert.kind) {
    case 'resolved':
      return plain(redactor, `✅ RESOLVED · ${title}`, SLACK_LIMITS.headerText);
    case 'repeated':
      return plain(redactor, `${SEVERITY_EMOJI[alert.severity]} ${sev} (still failing, ×${alert.incident ? occurrenceTotal(alert.incident) : '?'}) · ${title}`, SLACK_LIMITS.headerText);
    case 'digest':
      return plain(redactor, `🌩️ ${sev} · ${title}`, SLACK_LIMITS.headerText);
    default:
      return plain(redactor, `${SEVERITY_EMOJI[alert.severity]} ${sev} · ${title}`, SLACK_LIMITS.headerText);
  }
}

function fallbackText(alert: Alert, safe: (s: string) => string, key = alert.key, part = 1, parts = 1): string {
  const i = alert.incident;
  const sev = alert.severity.toUpperCase();
  let body: string;
  if (alert.kind === 'digest') {
    const groups = groupDigest(alert.incidents ?? []);
    const shown = groups.slice(0, 5).map((g) => `${g.incidents.length} × ${safe(g.shape)}${g.where ? ` in ${safe(g.where)}` : ''}`);
    const rest = groups.length > shown.length ? `; ${groups.length - shown.length} more groups in the message` : '';
    const partNote = parts > 1 ? ` (part ${part} of ${parts})` : '';
    body = `[${sev}] Incident storm: ${alert.incidents?.length ?? 0} incidents${partNote}: ${shown.join('; ')}${rest}`;
  } else if (i) {
    const where = [i.pipeline, i.step].filter(Boolean).map((s) => safe(s as string)).join('/');
    const prefix = alert.kind === 'resolved' ? 'RESOLVED' : sev;
    const fleet = i.fleet?.shared ? ` (×${occurrenceTotal(i)} on ${i.fleet.memberCount} member${i.fleet.memberCount === 1 ? '' : 's'})` : '';
    // A title written as a sentence ("A step of the demo pipeline failed.") must not end in ". in".
    body = `[${prefix}] ${safe(i.title).replace(/[.:\s]+$/, '')}${where ? ` in ${where}` : ''}${fleet}: ${safe(summaryOf(i))}`;
  } else {
    body = `[${sev}] Pipeline Sentinel alert`;
  }
  const keyNote = ` (sentinel alert ${safe(key)})`;
  return truncate(body.replace(/\s+/g, ' '), FALLBACK_TEXT_MAX - keyNote.length) + keyNote;
}

/** The idempotency key of part `part` of a multi-part alert (part 1 keeps the alert's own key). */
export function partKey(key: string, part: number): string {
  return part <= 1 ? key : `${key}#${part}`;
}

/**
 * The Slack messages for an alert: one for an incident; a storm digest takes as many as it needs
 * to name every incident it covers (bounded: a hundred incidents fit in one). Each is Block Kit
 * within Slack's limits with the plain fallback text and its own idempotency key (`partKey`).
 */
export function buildSlackMessages(alert: Alert, redactor: Redactor): SlackMessage[] {
  const safe = (s: string): string => breakFences(escapeMrkdwn(redactor.redact(String(s))));
  if (alert.kind !== 'digest') return [buildSlackMessage(alert, redactor)];
  const incidents = alert.incidents ?? [];
  const parts = digestParts(incidents, safe, inlineCode);
  if (parts.length === 0) parts.push([]);
  return parts.map((sections, n) => {
    const part = n + 1;
    const key = partKey(alert.key, part);
    const blocks = [header(headerText(alert, redactor, part, parts.length)), digestIntro(incidents, part, parts.length), ...sections.map(section), footer(alert, safe, key)];
    return { text: fallbackText(alert, safe, key, part, parts.length), blocks };
  });
}

/** The Slack message for an alert (the first part of a digest): Block Kit within Slack's limits and the plain fallback text. */
export function buildSlackMessage(alert: Alert, redactor: Redactor): SlackMessage {
  if (alert.kind === 'digest') return buildSlackMessages(alert, redactor)[0] as SlackMessage;
  const safe = (s: string): string => breakFences(escapeMrkdwn(redactor.redact(String(s))));
  const blocks: Record<string, unknown>[] = [header(headerText(alert, redactor))];
  if (alert.incident && alert.kind === 'resolved') blocks.push(...resolvedBlocks(alert.incident, safe));
  else if (alert.incident) blocks.push(...incidentBlocks(alert.incident, safe));
  const foot = footer(alert, safe);
  // The footer (with the idempotency key) always survives the cap.
  const capped = blocks.slice(0, SLACK_LIMITS.blocks - 1);
  capped.push(foot);
  return { text: fallbackText(alert, safe), blocks: capped };
}

/** Every way a message can break Slack's limits, as readable strings; empty when it fits. For tests and a last check before sending. */
export function slackLimitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (!message.text) problems.push('text fallback is empty');
  if (message.text.length > SLACK_LIMITS.text) problems.push(`text has ${message.text.length} characters`);
  if (message.blocks.length > SLACK_LIMITS.blocks) problems.push(`${message.blocks.length} blocks`);
  for (const [n, raw] of message.blocks.entries()) {
    const b = raw as { type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text?: string }> };
    if (b.type === 'header' && (b.text?.text.length ?? 0) > SLACK_LIMITS.headerText) problems.push(`block ${n}: header ${b.text?.text.length}`);
    if (b.type === 'section') {
      if ((b.text?.text.length ?? 0) > SLACK_LIMITS.sectionText) problems.push(`block ${n}: section text ${b.text?.text.length}`);
      if (!b.text && !b.fields?.length) problems.push(`block ${n}: section without text or fields`);
      if ((b.fields?.length ?? 0) > SLACK_LIMITS.fields) problems.push(`block ${n}: ${b.fields?.length} fields`);
      for (const f of b.fields ?? []) if (f.text.length > SLACK_LIMITS.fieldText) problems.push(`block ${n}: field ${f.text.length}`);
    }
    if (b.type === 'context') {
      if ((b.elements?.length ?? 0) > SLACK_LIMITS.contextElements) problems.push(`block ${n}: ${b.elements?.length} context elements`);
      for (const e of b.elements ?? []) if ((e.text?.length ?? 0) > SLACK_LIMITS.contextText) problems.push(`block ${n}: context ${e.text?.length}`);
    }
  }
  return problems;
}

/** A readable terminal rendering of the same content (used when `notify.console` is on, and by the demo). */
export function renderConsole(alert: Alert, redactor?: Redactor): string {
  const r = (s: string): string => (redactor ? redactor.redact(s) : s);
  const lines: string[] = [];
  const rule = '─'.repeat(72);
  const sev = alert.severity.toUpperCase();
  const i = alert.incident;
  lines.push(rule);
  if (alert.kind === 'digest') {
    const list = alert.incidents ?? [];
    lines.push(`🌩️  ${sev} · Incident storm: ${list.length} incidents`);
    for (const x of list) {
      const cause = x.diagnosis ? ` · ${x.diagnosis.category}: ${r(x.diagnosis.rootCause)}` : '';
      lines.push(`  ${SEVERITY_EMOJI[x.severity]} ${x.severity.toUpperCase()} · ${[x.pipeline, x.step].filter(Boolean).join(' › ')} · ${x.file} · ×${x.count} · ${x.id}`);
      lines.push(`     ${r(summaryOf(x))}${cause}`);
    }
  } else if (i) {
    const head = alert.kind === 'resolved' ? '✅ RESOLVED' : `${SEVERITY_EMOJI[alert.severity]} ${sev}${alert.kind === 'repeated' ? ' (still failing)' : ''}`;
    lines.push(`${head} · ${r(i.title)}`);
    const facts = [
      i.pipeline && `pipeline ${r(i.pipeline)}`,
      i.step && `step ${r(i.step)}`,
      i.runId && `run ${r(i.runId)}`,
      i.attempt !== undefined && `try ${i.attempt}`,
      `rule ${i.rule.id}`,
    ].filter(Boolean);
    lines.push(`  ${facts.join(' · ')}`);
    lines.push(`  source ${i.source} · ${i.file}`);
    lines.push(`  occurrences ${occurrences(i)}`);
    const seen = seenBy(i);
    if (seen) lines.push(`  seen by ${r(seen)}`);
    if (alert.kind === 'resolved') {
      if (i.resolvedAt !== undefined) lines.push(`  resolved at ${isoSeconds(i.resolvedAt)}${i.resolvedBecause ? `: ${r(i.resolvedBecause)}` : ''}`);
    } else {
      const d = i.diagnosis;
      lines.push('', `Summary:    ${r(summaryOf(i))}`);
      if (d?.rootCause) lines.push(`Root cause: ${r(d.rootCause)}`);
      if (d?.location) {
        const l = d.location;
        lines.push(`Where:      ${r(l.file)}${l.line != null ? `:${l.line}` : ''}${l.function ? ` in ${r(l.function)}` : ''}`);
        if (l.code) lines.push(`            > ${r(l.code)}`);
      }
      const fix = d ? stepsOfTheirOwn(d.fix, i) : [];
      if (fix.length) {
        lines.push('Fix:');
        let number = 0;
        for (const [n, step] of fix.entries()) {
          const continues = step.includes('\n') && n > 0 && /:\s*$/.test(fix[n - 1] ?? '');
          if (!continues) number++;
          lines.push(...r(step).split('\n').map((x, k) => (k === 0 && !continues ? `  ${number}. ${x}` : `     ${x}`)));
        }
      }
      const evidence = (d?.evidence.length ? d.evidence : i.samples.map((s) => s.raw)).slice(0, MAX_EVIDENCE_LINES);
      if (evidence.length) {
        lines.push('Evidence:');
        for (const e of evidence) lines.push(`  | ${truncate(r(e), 500)}`);
      }
      if (d) lines.push(`Engine:     ${d.engine === 'builtin' ? 'built-in analyser' : `${engineLabel(d)} (${d.model ?? 'unknown model'})`} · ${d.category} · confidence ${Math.round(d.confidence * 100)}%${d.fallbackReason ? ` · fallback: ${d.fallbackReason}` : ''}`);
      if (i.rule.runbook) lines.push(`Runbook:    ${i.rule.runbook}`);
      if (i.rule.hint) lines.push(`Hint:       ${r(i.rule.hint)}`);
    }
  } else {
    lines.push(`${SEVERITY_EMOJI[alert.severity]} ${sev} · alert`);
  }
  lines.push(`  alert ${alert.key}`);
  lines.push(rule);
  return lines.join('\n') + '\n';
}
