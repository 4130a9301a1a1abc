/**
 * What every output format implements ({@link RecordWriter}), and what they share: backpressure-aware writes
 * and the column order.
 *
 * @module
 */
import type { Writable } from 'node:stream';
import { formatValue, type Row, type Value } from '../../runtime/value.js';

/** A stream the CLI writes to (`process.stdout`, or a test double). */
export type OutputStream = Writable & { readonly isTTY?: boolean };

/** Receives the records of a query and prints them. */
export interface RecordWriter {
  /** Takes one record; resolves when the stream can take more (backpressure). */
  write(row: Row): Promise<void>;
  /** Prints whatever is still held back (table, csv) and resolves once it is handed to the stream. */
  end(): Promise<void>;
  /** Records taken so far. */
  readonly count: number;
}

export { writeText } from './write-text.js';

/**
 * Table and CSV columns: every field name, in the order first seen, except that fields starting with `_`
 * (`_error`) go after the others so the data columns come first whatever record arrived first.
 */
export function columnsOf(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const field of Object.keys(row)) seen.add(field);
  const all = [...seen];
  return [...all.filter((f) => !f.startsWith('_')), ...all.filter((f) => f.startsWith('_'))];
}

/** A record's value of `field` as table and CSV print it: missing is empty. */
export function cell(row: Row, field: string): string {
  const value: Value | undefined = row[field];
  return value === undefined ? '' : formatValue(value);
}

/** Whether every present value of `field` is a number (the table right-aligns such columns). */
export function isNumeric(rows: readonly Row[], field: string): boolean {
  let any = false;
  for (const row of rows) {
    const value = row[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' && typeof value !== 'bigint') return false;
    any = true;
  }
  return any;
}
