// A storm digest that names every incident it covers, compactly: incidents of one rule, pipeline,
// step, file and root-cause category are grouped under one line with their common message shape
// and a count ("12 × `column <…> missing from orders batch`"), and each incident gets one short
// line under it: what differs, its count, its own cause when it differs, and its incident id
// (`sentinel incidents` shows the full alert). What does not fit in one Slack message goes into
// follow-up messages ("part 2 of 3"), never into an "…and N more" that names nothing.
import type { Incident } from '../types.js';
import { occurrenceTotal } from './fleet-text.js';

/** Text per section and per message: under Slack's 3,000 per section; a message stays readable. */
const SECTION_CHARS = 2900;
const MESSAGE_CHARS = 12_000;
/** Sections per message, leaving room for the header, the intro and the footer within 50 blocks. */
const MESSAGE_SECTIONS = 40;
const SHAPE_CHARS = 160;
const VARYING_CHARS = 80;
const CAUSE_CHARS = 160;
/** A shared prefix + suffix shorter than this says nothing: list whole summaries instead. */
const MIN_SHAPE_CHARS = 12;

export interface DigestGroup {
  /** The common message shape; `<…>` where the incidents differ. */
  shape: string;
  rule: string;
  where: string;
  file: string;
  category: string | undefined;
  /** The root cause shared by every incident of the group, when they share one. */
  cause: string | undefined;
  incidents: Incident[];
}

type Safe = (s: string) => string;

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function summaryOf(i: Incident): string {
  return i.diagnosis?.summary || i.samples[0]?.message || i.title;
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function commonSuffix(a: string, b: string, max: number): number {
  let n = 0;
  while (n < max && n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** The shape of a group's summaries and what differs in each; null when too little is shared. */
function shapeOf(summaries: string[]): { shape: string; varying: string[] } | null {
  const first = summaries[0] ?? '';
  let prefix = first.length;
  for (const s of summaries) prefix = Math.min(prefix, commonPrefix(first, s));
  let suffix = first.length - prefix;
  for (const s of summaries) suffix = Math.min(suffix, commonSuffix(first, s, s.length - prefix));
  // Whole words differ, not their tails: `<…>Error`, never `A<…>jmpsError`.
  const word = /\w/;
  while (prefix > 0 && word.test(first[prefix - 1] ?? '') && word.test(first[prefix] ?? '')) prefix--;
  while (suffix > 0 && word.test(first[first.length - suffix] ?? '') && word.test(first[first.length - suffix - 1] ?? '')) suffix--;
  if (prefix + suffix < MIN_SHAPE_CHARS) return null;
  const varying = summaries.map((s) => s.slice(prefix, s.length - suffix));
  const shape = varying.every((v) => v === '') ? first : `${first.slice(0, prefix)}<…>${first.slice(first.length - suffix)}`;
  return { shape, varying };
}

export function groupDigest(incidents: Incident[]): DigestGroup[] {
  const groups = new Map<string, Incident[]>();
  for (const i of incidents) {
    const key = JSON.stringify([i.rule.id, i.pipeline ?? '', i.step ?? '', i.file, i.diagnosis?.category ?? '']);
    const list = groups.get(key);
    if (list) list.push(i);
    else groups.set(key, [i]);
  }
  return [...groups.values()].map((list) => {
    const first = list[0] as Incident;
    const causes = new Set(list.map((i) => i.diagnosis?.rootCause ?? ''));
    const shaped = list.length > 1 ? shapeOf(list.map(summaryOf)) : null;
    return {
      shape: shaped?.shape ?? (list.length === 1 ? summaryOf(first) : first.title),
      rule: first.rule.id,
      where: [first.pipeline, first.step].filter(Boolean).join(' › '),
      file: first.file,
      category: first.diagnosis?.category,
      cause: causes.size === 1 ? first.diagnosis?.rootCause : undefined,
      incidents: list,
    };
  });
}

/** The lines of one group: a heading, then one line per incident. */
function groupLines(g: DigestGroup, safe: Safe, code: (s: string) => string): string[] {
  const total = g.incidents.reduce((n, i) => n + occurrenceTotal(i), 0);
  const n = g.incidents.length;
  const head = [`*${n} × ${code(safe(oneLine(g.shape, SHAPE_CHARS)))}*`];
  if (g.where) head.push(`in ${safe(g.where)}`);
  head.push(code(safe(g.file)));
  if (g.category) head.push(code(safe(g.category)));
  if (total !== n) head.push(`${total} occurrences`);
  const lines = [head.join(' · ')];
  if (g.cause) lines.push(`Cause: ${safe(oneLine(g.cause, CAUSE_CHARS))}`);
  const shaped = n > 1 ? shapeOf(g.incidents.map(summaryOf)) : null;
  g.incidents.forEach((i, k) => {
    const parts: string[] = [];
    const varying = shaped?.varying[k];
    if (n > 1) parts.push(varying ? code(safe(oneLine(varying, VARYING_CHARS))) : safe(oneLine(summaryOf(i), VARYING_CHARS)));
    if (occurrenceTotal(i) > 1) parts.push(`×${occurrenceTotal(i)}`);
    if (i.fleet?.shared && i.fleet.memberCount > 1) parts.push(`on ${i.fleet.memberCount} members`);
    if (!g.cause && i.diagnosis?.rootCause) parts.push(safe(oneLine(i.diagnosis.rootCause, CAUSE_CHARS)));
    parts.push(code(safe(i.id)));
    lines.push(`• ${parts.join(' · ')}`);
  });
  return lines;
}

/** Sections of at most SECTION_CHARS, a group's lines kept together where they fit. */
function sections(groups: DigestGroup[], safe: Safe, code: (s: string) => string): string[] {
  const out: string[] = [];
  let current = '';
  for (const g of groups) {
    for (const line of groupLines(g, safe, code)) {
      const piece = line.length > SECTION_CHARS ? `${line.slice(0, SECTION_CHARS - 1)}…` : line;
      if (current && current.length + 1 + piece.length > SECTION_CHARS) {
        out.push(current);
        current = '';
      }
      current = current ? `${current}\n${piece}` : piece;
    }
    // A blank line between groups, when it fits.
    if (current && current.length + 1 < SECTION_CHARS) current += '\n';
  }
  if (current.trim()) out.push(current.replace(/\n+$/, ''));
  return out;
}

/** The digest's sections split into messages: each within the block and character budgets. */
export function digestParts(incidents: Incident[], safe: Safe, code: (s: string) => string): string[][] {
  const parts: string[][] = [];
  let part: string[] = [];
  let chars = 0;
  for (const s of sections(groupDigest(incidents), safe, code)) {
    if (part.length > 0 && (part.length >= MESSAGE_SECTIONS || chars + s.length > MESSAGE_CHARS)) {
      parts.push(part);
      part = [];
      chars = 0;
    }
    part.push(s);
    chars += s.length;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
