// Step 1: read the day's orders. In the `missing-input` scenario the input file is not there.
import { readFileSync } from 'node:fs';

export interface OrderRow {
  order_id: string;
  amount_cents: string;
  currency: string;
}

/** Parses a small CSV with a header row; the demo's input is generated, so no quoting rules. */
export function parseCsv(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n');
  const columns = (header ?? '').split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i] ?? `col${i}`, value])));
}

export function extractData(inputFile: string): Record<string, string>[] {
  return parseCsv(readFileSync(inputFile, 'utf8'));
}
