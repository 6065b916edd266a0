// The last few records of each file, kept so the brain sees what led up to a failure. A fixed ring
// per file: constant memory, one array write per record on the hot path.

export interface ContextWindow {
  push(file: string, text: string): void;
  /** The records before the newest one (oldest first), at most `size`. */
  before(file: string, text: string): string[];
  forget(file: string): void;
}

/** Records kept before a failure by default (the tailer keeps at least this many lines above a possible hit). */
export const CONTEXT_RECORDS = 20;

export function createContextWindow(size = CONTEXT_RECORDS, maxFiles = 2000): ContextWindow {
  const rings = new Map<string, { items: string[]; next: number }>();
  return {
    push(file, text) {
      let ring = rings.get(file);
      if (!ring) {
        // Bounded: the least recently created file's ring goes first.
        if (rings.size >= maxFiles) rings.delete(rings.keys().next().value as string);
        ring = { items: [], next: 0 };
        rings.set(file, ring);
      }
      ring.items[ring.next] = text;
      ring.next = (ring.next + 1) % size;
    },
    before(file, text) {
      const ring = rings.get(file);
      if (!ring) return [];
      const ordered = [...ring.items.slice(ring.next), ...ring.items.slice(0, ring.next)];
      const index = ordered.lastIndexOf(text);
      return index === -1 ? ordered : ordered.slice(0, index);
    },
    forget(file) {
      rings.delete(file);
    },
  };
}
