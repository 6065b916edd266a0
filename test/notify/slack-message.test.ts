import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSlackMessage, buildSlackMessages, escapeMrkdwn, renderConsole, slackLimitViolations, truncate, TRUNCATION_MARKER } from '../../src/notify/slack-message.js';
import { createRedactor } from '../../src/redact/redactor.js';
import type { Alert } from '../../src/types.js';
import { alert, diagnosis, incident, logEvent } from './alerts.js';

const redactor = createRedactor();
const HOSTILE = ['<!channel>', '<!here>', '<!everyone>', '<@U123ABC>', '<#C0123|general>', '<https://evil.example|click me>', '```', '&', '&lt;', '<', '>', '*', '_', '~', '`', '\n', '\u0000', '😀', '\uD83D'];

/** Every mrkdwn text in the message, with where it sits. */
function mrkdwnTexts(message: { text: string; blocks: unknown[] }): string[] {
  const out = [message.text];
  for (const b of message.blocks as Array<{ text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text?: string }> }>) {
    if (b.text) out.push(b.text.text);
    for (const f of b.fields ?? []) out.push(f.text);
    for (const e of b.elements ?? []) if (e.text) out.push(e.text);
  }
  return out;
}

/** A control sequence is `<` followed by `!`, `@`, `#` or a URL: none may come from log text. */
function controlSequences(message: { text: string; blocks: unknown[] }): string[] {
  return mrkdwnTexts(message).flatMap((t) => t.match(/<[^>]*>/g) ?? []);
}

describe('escapeMrkdwn', () => {
  it('escapes & first, then < and >', () => {
    expect(escapeMrkdwn('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
    expect(escapeMrkdwn('&lt;')).toBe('&amp;lt;');
    expect(escapeMrkdwn('<!channel>')).toBe('&lt;!channel&gt;');
  });
});

describe('truncate', () => {
  it('cuts with a visible marker and never leaves half an entity or half a surrogate pair', () => {
    expect(truncate('short', 10)).toBe('short');
    const cut = truncate('x'.repeat(20) + '&amp;' + 'y'.repeat(50), 24 + TRUNCATION_MARKER.length);
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(cut).not.toMatch(/&[a-z]{0,3}…/);
    const emoji = truncate('😀'.repeat(50), 20);
    expect(emoji.length).toBeLessThanOrEqual(20);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('buildSlackMessage: content', () => {
  it('carries what failed, why, the fix, where, evidence, occurrences, engine, runbook and the idempotency key', () => {
    const a = alert();
    const m = buildSlackMessage(a, redactor);
    const all = JSON.stringify(m.blocks);
    expect((m.blocks[0] as { type: string; text: { text: string } }).type).toBe('header');
    expect((m.blocks[0] as { text: { text: string } }).text.text).toContain('CRITICAL');
    expect((m.blocks[0] as { text: { text: string } }).text.text).toContain('Step transform_data failed');
    for (const s of ['aio_pipeline', 'transform_data', 'run-20261125-0914', '/var/log/etl/aio_pipeline.log', 'divides by a row count', 'Root cause', 'Fix', '```\\nif (count === 0n) return 0n;', 'pipeline/steps/transform.ts:57', 'averageAmount', 'const avg = total / count;', 'Evidence', 'RangeError: Division by zero', '3 (first 2026-11-25T09:13:03Z, last 2026-11-25T09:14:03Z)', 'built-in analyser', a.key]) {
      expect(all).toContain(s);
    }
    // The operator's runbook URL is the one link allowed, its & escaped.
    expect(all).toContain('<https://runbooks.example.com/etl/step-failed?x=1&amp;y=2|Open the runbook>');
    expect(m.text).toContain('CRITICAL');
    expect(m.text).toContain(a.key);
    expect(slackLimitViolations(m)).toEqual([]);
  });

  it('names Gemini and its model when Gemini diagnosed', () => {
    const a = alert({ incident: incident({ diagnosis: diagnosis({ engine: 'gemini', model: 'gemini-flash-lite-latest' }) }) });
    expect(JSON.stringify(buildSlackMessage(a, redactor).blocks)).toContain('Gemini (gemini-flash-lite-latest)');
  });

  it('renders a resolved notification', () => {
    const resolved = buildSlackMessage(alert({ kind: 'resolved', incident: incident({ status: 'resolved', resolvedAt: Date.UTC(2026, 10, 25, 9, 30) }) }), redactor);
    expect(JSON.stringify(resolved.blocks)).toContain('RESOLVED');
    expect(JSON.stringify(resolved.blocks)).toContain('Resolved at 2026-11-25T09:30:00Z after 3 occurrences');
    expect(resolved.text).toContain('[RESOLVED]');

  });

  it('names every incident of a storm digest, grouped compactly, in a bounded number of messages within Slack limits', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const name = (n: number): string => `${letters[n % 26]}${letters[Math.floor(n / 26)]}jmpsError`;
    // 97 failures of one step differing only in the exception's name, plus 3 unrelated ones elsewhere.
    const same = Array.from({ length: 97 }, (_, n) =>
      incident({
        id: `inc-${n}`,
        title: `Step transform_data failed`,
        count: n + 1,
        diagnosis: diagnosis({ summary: `FAILED ${name(n)}: upstream table unavailable`, category: 'dependency_or_import', rootCause: 'The upstream table orders_raw is not there yet.' }),
      }),
    );
    const other = Array.from({ length: 3 }, (_, n) =>
      incident({ id: `inc-other-${n}`, step: `load_${n}`, file: `/var/log/etl/load_${n}.log`, diagnosis: diagnosis({ summary: `Disk quota exceeded on volume ${n}`, category: 'resource_exhaustion' }) }),
    );
    const parts = buildSlackMessages({ key: 'digest-1', kind: 'digest', severity: 'critical', createdAt: 0, incidents: [...same, ...other] }, redactor);
    expect(parts.length).toBeLessThanOrEqual(10);
    for (const part of parts) expect(slackLimitViolations(part)).toEqual([]);
    const all = parts.map((p) => JSON.stringify(p.blocks)).join('\n');
    expect(all).toContain('Incident storm: 100 incidents');
    // The group line: count, shape, step, file, category; the shared cause once.
    expect(all).toContain('97 × `FAILED &lt;…&gt;: upstream table unavailable`* · in aio_pipeline › transform_data');
    expect(all).toContain('The upstream table orders_raw is not there yet.');
    expect(all.split('The upstream table orders_raw').length - 1).toBe(1);
    // Every incident by what differs and by id; nothing is left to "…and N more".
    for (let n = 0; n < 97; n++) {
      expect(all).toContain(`\`${name(n)}\``);
      expect(all).toContain(`\`inc-${n}\``);
    }
    for (let n = 0; n < 3; n++) expect(all).toContain(`inc-other-${n}`);
    expect(all).toContain('resource_exhaustion');
    expect(all).not.toMatch(/more incidents/);
    console.log(`digest of 100 incidents: ${parts.length} message(s), ${all.length} characters of blocks`);
  });

  it('splits a digest too large for one message into numbered parts, each with its own key', () => {
    const many = Array.from({ length: 600 }, (_, n) =>
      incident({ id: `inc-${n}`, step: `step_${n}`, diagnosis: diagnosis({ summary: `Failure of a different kind number ${n} `.repeat(4), rootCause: `cause ${n} `.repeat(10) }) }),
    );
    const parts = buildSlackMessages({ key: 'dg', kind: 'digest', severity: 'error', createdAt: 0, incidents: many }, redactor);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(slackLimitViolations(part)).toEqual([]);
    expect(parts.map((p) => /sentinel alert (\S+)\)/.exec(p.text)?.[1])).toEqual(parts.map((_, n) => (n === 0 ? 'dg' : `dg#${n + 1}`)));
    const all = parts.map((p) => JSON.stringify(p.blocks)).join('\n');
    for (let n = 0; n < 600; n++) expect(all).toContain(`\`inc-${n}\``);
  });

  it('never asks Slack to parse names or links', () => {
    const m = buildSlackMessage(alert(), redactor) as unknown as Record<string, unknown>;
    expect(m.link_names).toBeUndefined();
    expect(m.parse).toBeUndefined();
  });
});

describe('buildSlackMessage: hostile text is inert', () => {
  it('escapes mentions, links and fences from logs and model output', () => {
    const evil = 'Boom <!channel> <!here> <@U123> <https://x|y> & ``` done';
    const a = alert({
      incident: incident({
        title: `Title ${evil}`,
        pipeline: `pipe ${evil}`,
        step: `step ${evil}`,
        runId: evil,
        file: evil,
        rule: { id: 'step-failed', severity: 'critical', labels: {}, hint: evil, runbook: 'javascript:alert(1)|<!channel>' },
        samples: [logEvent(evil)],
        diagnosis: diagnosis({ summary: evil, rootCause: evil, evidence: [evil, '```\n<!channel>\n```'], location: { file: evil, line: 1, function: evil, code: evil }, fix: [evil, `${evil}\nsecond line`] }),
      }),
    });
    const m = buildSlackMessage(a, redactor);
    expect(controlSequences(m)).toEqual([]);
    const texts = mrkdwnTexts(m).join('\n');
    expect(texts).toContain('&lt;!channel&gt;');
    expect(texts).toContain('&lt;@U123&gt;');
    expect(texts).toContain('&amp; ');
    // Our fences stay balanced: a ``` from a log is broken up, so the number of real fences is even per text.
    for (const t of mrkdwnTexts(m)) expect((t.match(/```/g) ?? []).length % 2).toBe(0);
    // The header is plain_text: brackets replaced by look-alikes.
    expect(JSON.stringify(m.blocks[0])).not.toMatch(/[<>]/);
  });

  it('redacts secrets from every part of the message', () => {
    const secret = 'postgresql://etl:S3cr3tPw@db:5432/w password=hunter2 AKIAIOSFODNN7EXAMPLE';
    const a = alert({
      incident: incident({
        title: secret,
        samples: [logEvent(secret)],
        diagnosis: diagnosis({ summary: secret, rootCause: secret, evidence: [secret], location: { file: 'a.py', line: 1, function: 'f', code: secret }, fix: [secret] }),
      }),
    });
    const raw = JSON.stringify(buildSlackMessage(a, redactor));
    for (const s of ['S3cr3tPw', 'hunter2', 'AKIAIOSFODNN7EXAMPLE']) expect(raw).not.toContain(s);
    const consoleText = renderConsole(a, redactor);
    for (const s of ['S3cr3tPw', 'hunter2', 'AKIAIOSFODNN7EXAMPLE']) expect(consoleText).not.toContain(s);
  });
});

describe('buildSlackMessage: property, every message fits Slack limits', () => {
  const hostileText = fc.oneof(
    fc.string({ maxLength: 50 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.array(fc.constantFrom(...HOSTILE), { maxLength: 400 }).map((parts) => parts.join('')),
    fc.integer({ min: 0, max: 20_000 }).map((n) => '<&>`'.repeat(Math.ceil(n / 4)).slice(0, n)),
    fc.tuple(fc.constantFrom(...HOSTILE), fc.integer({ min: 1, max: 8000 })).map(([h, n]) => h.repeat(n)),
  );

  it('holds for random long and hostile texts in every field', () => {
    fc.assert(
      fc.property(
        fc.record({
          title: hostileText,
          pipeline: hostileText,
          step: hostileText,
          runId: hostileText,
          file: hostileText,
          summary: hostileText,
          rootCause: hostileText,
          code: hostileText,
          fn: hostileText,
          evidence: fc.array(hostileText, { maxLength: 12 }),
          fix: fc.array(hostileText, { maxLength: 15 }),
          raw: hostileText,
          hint: hostileText,
          kind: fc.constantFrom('opened' as const, 'repeated' as const, 'resolved' as const, 'digest' as const),
          digestSize: fc.integer({ min: 0, max: 80 }),
        }),
        (p) => {
          const inc = incident({
            title: p.title,
            pipeline: p.pipeline,
            step: p.step,
            runId: p.runId,
            file: p.file,
            rule: { id: 'r', severity: 'critical', labels: {}, hint: p.hint },
            samples: [logEvent(p.raw)],
            diagnosis: diagnosis({ summary: p.summary, rootCause: p.rootCause, evidence: p.evidence, fix: p.fix, location: { file: p.file, line: 3, function: p.fn, code: p.code } }),
          });
          const a: Alert =
            p.kind === 'digest'
              ? { key: 'k', kind: 'digest', severity: 'error', createdAt: 0, incidents: Array.from({ length: p.digestSize }, () => inc) }
              : { key: 'k', kind: p.kind, severity: 'error', createdAt: 0, incident: inc };
          const m = buildSlackMessage(a, redactor);
          expect(slackLimitViolations(m)).toEqual([]);
          expect(controlSequences(m)).toEqual([]);
          for (const t of mrkdwnTexts(m)) expect((t.match(/```/g) ?? []).length % 2).toBe(0);
          // Survives the JSON round trip to Slack unchanged (no lone surrogate cut in half by us).
          expect(JSON.parse(JSON.stringify(m))).toEqual(m);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('renderConsole', () => {
  it('prints the same content readably', () => {
    const out = renderConsole(alert());
    for (const s of ['CRITICAL', 'Step transform_data failed', 'pipeline aio_pipeline', 'step transform_data', 'Root cause:', 'Fix:', 'pipeline/steps/transform.ts:57 in averageAmount', '> const avg = total / count;', 'built-in analyser', 'Runbook:']) {
      expect(out).toContain(s);
    }
  });
});

describe('buildSlackMessage: written for people (issue 15)', () => {
  const hint = 'Check the upstream export ran before this step.';
  const runbook = 'https://runbooks.example.com/etl/step-failed';
  // The built-in analyser appends the rule's hint and runbook to its fix (sentinel diagnose shows them there).
  const withNotes = (retryable: boolean): Alert =>
    alert({
      incident: incident({
        rule: { id: 'step-failed', severity: 'critical', labels: {}, hint, runbook },
        diagnosis: diagnosis({ retryable, fix: ['Guard the empty batch before dividing.', hint, `Runbook: ${runbook}`] }),
      }),
    });

  it('shows the hint and the runbook once each, not again as fix steps', () => {
    const m = buildSlackMessage(withNotes(false), redactor);
    const all = JSON.stringify(m.blocks);
    expect(all.split(hint)).toHaveLength(2);
    expect(all.split('runbooks.example.com/etl/step-failed')).toHaveLength(2);
    expect(all).toContain('Guard the empty batch before dividing.');
    const console = renderConsole(withNotes(false));
    expect(console.split(hint)).toHaveLength(2);
    expect(console.split(runbook)).toHaveLength(2);
  });

  it('says what a retry would do, never "not retryable" beside a retry', () => {
    const notRetryable = JSON.stringify(buildSlackMessage(withNotes(false), redactor).blocks);
    expect(notRetryable).toContain('a retry will fail the same way');
    expect(notRetryable).not.toMatch(/retryable/);
    expect(JSON.stringify(buildSlackMessage(withNotes(true), redactor).blocks)).toContain('a retry may succeed');
  });

  it('a resolved alert says why it resolved, and shows the try number', () => {
    const resolved = alert({
      kind: 'resolved',
      incident: incident({ status: 'resolved', attempt: 1, resolvedAt: Date.UTC(2026, 10, 25, 9, 30), resolvedBecause: 'attempt 2 of etl › load succeeded after attempt 1 failed (attempt=2.log:2)' }),
    });
    const all = JSON.stringify(buildSlackMessage(resolved, redactor).blocks);
    expect(all).toContain('*Why*: attempt 2 of etl › load succeeded after attempt 1 failed (attempt=2.log:2).');
    expect(all).toContain('*Try*\\n1');
  });
});

describe('buildSlackMessage: a code snippet stays with the step that introduces it (issue 15)', () => {
  it('numbers the step, not its snippet', () => {
    // diagnosis().fix: ['Guard the empty batch before dividing:', 'if (count === 0n) return 0n;\nconst avg = total / count;']
    const fixBlock = (buildSlackMessage(alert(), redactor).blocks as Array<{ text?: { text: string } }>).find((b) => b.text?.text.startsWith('*Fix*'));
    expect(fixBlock?.text?.text).toBe('*Fix*\n1. Guard the empty batch before dividing:\n```\nif (count === 0n) return 0n;\nconst avg = total / count;\n```');
    const console = renderConsole(alert());
    expect(console).toContain('  1. Guard the empty batch before dividing:\n     if (count === 0n) return 0n;\n     const avg = total / count;');
    expect(console).not.toMatch(/^ {2}2\. /m);
  });
});

describe('fallback text (issue 15)', () => {
  it('reads as a sentence when the title is one: no ". in" or ".:"', () => {
    const m = buildSlackMessage(alert({ incident: incident({ title: 'A step of the demo pipeline failed.' }) }), redactor);
    expect(m.text).toMatch(/^\[CRITICAL\] A step of the demo pipeline failed in aio_pipeline\/transform_data: /);
    expect(m.text).not.toMatch(/\.(?: in|:)/);
  });
});
