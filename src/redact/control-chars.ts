// Terminal control sequences and other invisible characters are neutralised before a record is
// parsed and before any text is displayed or sent: ANSI colours (dbt, pytest and most CLIs colour
// their output) would otherwise break rule matching and litter Slack with `[31m`, an OSC-8
// hyperlink can carry an arbitrary URL behind harmless text, and NUL, other C0/C1 controls and
// Unicode bidi overrides can hide or reorder what a reader (or an LLM) sees. The visible text is
// kept: `ESC[31mFailure ESC[0m` becomes `Failure `, an OSC-8 link becomes its label.

// Every character the function removes or that starts a sequence it removes (tab and newline stay).
// Matching control characters is this module's whole job.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const SEQUENCES = new RegExp(
  [
    // OSC (ESC ] … BEL or ESC \): window titles, OSC-8 hyperlinks. Unterminated: to the end.
    String.raw`\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)`,
    // CSI (ESC [ params intermediates final): colours, cursor moves, erase.
    String.raw`\x1b\[[0-?]*[ -/]*[@-~]`,
    // DCS, SOS, PM, APC strings (ESC P|X|^|_ … ESC \).
    String.raw`\x1b[PX^_][^\x1b]*(?:\x1b\\|$)`,
    // Any other escape: ESC, intermediates, one final byte.
    String.raw`\x1b[ -/]*[0-~]?`,
  ].join('|'),
  'g',
);
// eslint-disable-next-line no-control-regex
const LEFTOVER = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text without control sequences and invisible controls; the same string when it has none. */
export function neutraliseControls(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text.replace(SEQUENCES, '').replace(LEFTOVER, '');
}
