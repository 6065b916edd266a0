/** The first reason dist/ under `root` is behind its sources, or undefined when it is current. */
export function staleReason(root: string): string | undefined;
