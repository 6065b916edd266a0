// Durations on the command line, the way promtool and amtool write them: 90s, 30m, 2h, 1d, 1h30m.
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when the text is not a duration above zero. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+[smhd])+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) ms += Number(amount) * (UNIT_MS[unit ?? 's'] ?? 0);
  return ms > 0 ? ms : undefined;
}

/** The shortest exact spelling: 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  let left = Math.max(0, Math.round(ms / 1000)) * 1000;
  let out = '';
  for (const [unit, size] of Object.entries(UNIT_MS).reverse()) {
    const amount = Math.floor(left / size);
    if (amount > 0) out += `${amount}${unit}`;
    left -= amount * size;
  }
  return out || '0s';
}
