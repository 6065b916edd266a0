// Step 2: compute the average order value. It carries the seed project's hidden `1 / 0` bug: the
// filter compares currencies case-sensitively, the feed writes them upper-case, so no row survives
// and the BigInt division by a zero count throws `RangeError: Division by zero`.

export class MissingColumnError extends Error {
  constructor(
    readonly column: string,
    readonly available: string[],
  ) {
    super(`column "${column}" not found in extracted rows (available columns: ${available.join(', ')})`);
    this.name = 'MissingColumnError';
  }
}

export interface TransformResult {
  rows: number;
  averageCents: bigint;
}

const REQUIRED_COLUMNS = ['order_id', 'amount_cents', 'currency'];

export function transformData(rows: Record<string, string>[]): TransformResult {
  const available = Object.keys(rows[0] ?? {});
  for (const column of REQUIRED_COLUMNS) {
    if (rows.length > 0 && !available.includes(column)) throw new MissingColumnError(column, available);
  }
  const usdRows = rows.filter((row) => row.currency === 'usd');
  const totalCents = usdRows.reduce((sum, row) => sum + BigInt(row.amount_cents ?? 0), 0n);
  const averageCents = totalCents / BigInt(usdRows.length);
  return { rows: usdRows.length, averageCents };
}
