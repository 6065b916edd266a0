import type { ErrorInfo } from '../../types.js';

export type ErrorSource = 'python' | 'node' | 'jvm' | 'go' | 'dbt' | 'postgres' | 'rust' | 'workflow';

/** One exception of a chain, with the parser that found it and where its header sits in the text. */
export interface ParsedError extends ErrorInfo {
  source: ErrorSource;
  /** 0-based index of the header line in the text the parser was given (orders chains from several parsers). */
  lineIndex: number;
}

/** Log-record starts that end a multi-line exception message (`2024-05-01 …`, `[2024-05-01, …]`, `12:01:09 `). */
export const RECORD_START = /^(?:\[?\d{4}-\d\d-\d\d[T ,]|\d\d:\d\d:\d\d[.,\s])/;

/** Caps the size of any message we keep: a log can carry a megabyte of SQL in one exception. */
export function clip(text: string, max = 2000): string {
  return text.length > max ? text.slice(0, max) + '…' : text;
}
