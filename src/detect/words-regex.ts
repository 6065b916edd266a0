// "Does this text contain any of these words?" as one regex, shaped as a trie (`t(?:imeout|hrottl)`)
// so the engine tries one branch per first character instead of every word at every position:
// about 1.5x faster than a flat alternation over the ~150 literals of the built-in packs.

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

type TrieNode = Map<string, TrieNode> & { end?: boolean };

/** The trie-shaped alternation's source, or null for no words. */
export function wordsRegexSource(words: Iterable<string>): string | null {
  const root: TrieNode = new Map();
  let any = false;
  for (const word of new Set(words)) {
    any = true;
    let node = root;
    for (const ch of word) {
      let next = node.get(ch);
      if (!next) {
        next = new Map();
        node.set(ch, next);
      }
      node = next;
    }
    node.end = true;
  }
  if (!any) return null;
  // A word ending at a node makes its longer continuations redundant for "contains one of".
  const build = (node: TrieNode): string => {
    if (node.end) return '';
    const branches = [...node.entries()].map(([ch, child]) => escapeRegex(ch) + build(child));
    return branches.length === 1 ? (branches[0] as string) : `(?:${branches.join('|')})`;
  };
  return build(root);
}
