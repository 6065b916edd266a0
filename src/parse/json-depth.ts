// A JSON record nested 10,000 deep parses, but every later JSON.stringify of its event (the
// announcement journal, incidents.json, a diagnosis request) overflows the stack. So before
// parsing, any object or array deeper than MAX_JSON_DEPTH is replaced by a JSON string holding its
// own text: the record keeps its top-level fields (level, message, error) and the deep part is
// still there to read, as text. One pass over the line, no recursion.

export const MAX_JSON_DEPTH = 32;

/** The JSON text with containers deeper than `maxDepth` turned into strings; `clipped` when any was. */
export function clipJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH): { text: string; clipped: boolean } {
  let depth = 0;
  let inString = false;
  let clipStart = -1;
  const parts: string[] = [];
  let copiedTo = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth === maxDepth + 1 && clipStart === -1) clipStart = i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (depth === maxDepth + 1 && clipStart !== -1) {
        parts.push(text.slice(copiedTo, clipStart), JSON.stringify(text.slice(clipStart, i + 1)));
        copiedTo = i + 1;
        clipStart = -1;
      }
      depth--;
    }
  }
  if (copiedTo === 0 && clipStart === -1) return { text, clipped: false };
  // A line cut inside a deep part (never closed) still gets its tail turned into text.
  if (clipStart !== -1) parts.push(text.slice(copiedTo, clipStart), JSON.stringify(text.slice(clipStart)));
  else parts.push(text.slice(copiedTo));
  return { text: parts.join(''), clipped: true };
}
