// The evidence the category combiner (learned-category.ts) weighs, as named features: which
// signatures fired and where (on the error chain, on the failing record's own lines, only in the
// context before it, by exception type alone), which one the signatures' own order puts first, the
// exception classes of the chain (whole and split into words), the runtime the frames belong to,
// and the words of the failing record and its context. Names, not positions: the same evidence
// gives the same features in training (scripts/train-category-model.ts) and at run time.
import type { Category, ErrorInfo } from '../../types.js';
import { camelParts, evidenceTokens } from './evidence-tokens.js';
import type { Evidence } from './learned-category.js';

/** Where a signature fired, from the strongest evidence to the weakest. */
export type HitPlace = 'chain' | 'own' | 'context' | 'type' | 'weak';

export interface HeardSignature {
  id: string;
  category: Category;
  confidence: number;
  place: HitPlace;
}

/** Bound on chain links read: a chain longer than this repeats itself. */
const MAX_LINKS = 8;

function runtimeOf(chain: readonly ErrorInfo[]): string | undefined {
  for (const error of chain) {
    for (const frame of error.stack) {
      const m = /\.(py|[cm]?[jt]sx?|java|scala|kt|go|rs)$/.exec(frame.file);
      if (m?.[1]) return m[1].replace(/^[cm]?([jt])sx?$/, '$1s').replace(/^(?:scala|kt)$/, 'java');
    }
  }
  return undefined;
}

function addTypeFeatures(out: Map<string, number>, type: string): void {
  const parts = type.split(/[.:$/]/).filter(Boolean);
  const name = parts.at(-1);
  if (!name) return;
  out.set(`exc:${name.toLowerCase()}`, 1);
  if (parts.length > 1) out.set(`excpkg:${(parts[0] ?? '').toLowerCase()}`, 1);
  for (const word of camelParts(name)) if (word !== 'error' && word !== 'exception') out.set(`excw:${word}`, 1);
}

/**
 * The features of one failure: `first` is the signature the signatures' own order would pick (the
 * analyser's answer before the combiner), `heard` every signature that fired.
 */
export function categoryFeatures(input: {
  heard: readonly HeardSignature[];
  first: HeardSignature | undefined;
  chain: readonly ErrorInfo[];
  located: boolean;
  text: string;
}): Evidence {
  const out = new Map<string, number>();
  const { first } = input;
  if (first) {
    out.set(`first:${first.category}`, 1);
    out.set(`first:${first.category}@${first.place}`, 1);
    out.set(`firstsig:${first.id}`, 1);
    out.set(`firstconf:${first.confidence >= 0.8 ? 'high' : first.confidence >= 0.6 ? 'mid' : 'low'}`, 1);
  } else {
    out.set('nosig', 1);
  }
  for (const h of input.heard) {
    out.set(`heard:${h.category}@${h.place}`, 1);
    out.set(`sig:${h.id}`, 1);
  }
  const links = input.chain.slice(0, MAX_LINKS);
  out.set(links.length === 0 ? 'chain:none' : links.length === 1 ? 'chain:one' : 'chain:many', 1);
  for (const error of links) addTypeFeatures(out, error.type);
  const runtime = runtimeOf(links);
  out.set(`runtime:${runtime ?? 'none'}`, 1);
  out.set(input.located ? 'located' : 'unlocated', 1);
  // The words go to the word scorer (learned-category.ts), whose verdict the combiner weighs as one
  // more piece of evidence: a long log's hundreds of words must not drown the signatures.
  return { facts: out, words: evidenceTokens(input.text) };
}
