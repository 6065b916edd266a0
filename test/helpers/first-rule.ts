// The pack rule that fires first on one text record through the default packs, or null: the
// detection class tables (test/detect/*-classes tests) check rules on wordings of their own with it.
import { defaultConfig } from '../../src/config/load-config.js';
import { createDetector } from '../../src/detect/detector.js';
import { parseRecord } from '../../src/parse/parse-record.js';

const detector = createDetector(defaultConfig({}));
let offset = 0;

/** The detector the helper matches with (for tests of its screen words). */
export const defaultDetector = detector;

/** The rule that fires on the record, or null; each record in a file of its own, so no echo hides it. */
export function firstRuleOf(text: string): string | null {
  offset += 100_000;
  const event = parseRecord({ text, origin: { source: 's', file: `f${offset}.log`, offset, endOffset: offset + text.length + 1 }, readAt: 1 }).event;
  return detector.match(event)[0]?.rule.id ?? null;
}
