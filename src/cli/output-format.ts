import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import type { Writable } from 'node:stream';
import { formatValue, rowToJson, type Row, type Value } from '../runtime/value.js';

/** The output formats of `sentry-query`. */
export const OUTPUT_FORMATS = ['table', 'jsonl', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

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

/**
 * Writes `text` and resolves when the stream can take more: at once when `write` returned true, else on
 * `drain`. Also resolves when the stream is closed or failed (a reader that went away must not hang us).
 */
export function writeText(stream: Writable, text: string): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

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

function cell(row: Row, field: string): string {
  const value: Value | undefined = row[field];
  return value === undefined ? '' : formatValue(value);
}

function isNumeric(rows: readonly Row[], field: string): boolean {
  let any = false;
  for (const row of rows) {
    const value = row[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' && typeof value !== 'bigint') return false;
    any = true;
  }
  return any;
}

/** JSON Lines: one object per record, written as it comes, honouring backpressure. */
class JsonlWriter implements RecordWriter {
  count = 0;
  constructor(private readonly out: Writable) {}

  write(row: Row): Promise<void> {
    this.count++;
    return writeText(this.out, `${JSON.stringify(rowToJson(row))}\n`);
  }

  end(): Promise<void> {
    return Promise.resolve();
  }
}

/** Collects the records, then prints them at the end (the columns need every record). */
abstract class CollectingWriter implements RecordWriter {
  protected readonly rows: Row[] = [];
  constructor(protected readonly out: OutputStream) {}

  get count(): number {
    return this.rows.length;
  }

  write(row: Row): Promise<void> {
    this.rows.push(row);
    return Promise.resolve();
  }

  end(): Promise<void> {
    if (this.rows.length === 0) return Promise.resolve();
    return writeText(this.out, this.render(columnsOf(this.rows)));
  }

  protected abstract render(columns: string[]): string;
}

/** Aligned columns for people: missing and null values are empty, numeric columns are right-aligned. */
class TableWriter extends CollectingWriter {
  protected render(columns: string[]): string {
    const colour = this.out.isTTY === true && !process.env['NO_COLOR'];
    const table = new Table({
      head: columns,
      colAligns: columns.map((c) => (isNumeric(this.rows, c) ? 'right' : 'left')),
      style: { head: colour ? ['bold'] : [], border: [], compact: true },
    });
    for (const row of this.rows) table.push(columns.map((c) => cell(row, c)));
    return `${table.toString()}\n`;
  }
}

/** CSV with a header line; values as {@link formatValue} prints them. */
class CsvWriter extends CollectingWriter {
  protected render(columns: string[]): string {
    return stringify(this.rows.map((row) => columns.map((c) => cell(row, c))), { header: true, columns });
  }
}

/** The writer for `format` on `out`. */
export function createRecordWriter(format: OutputFormat, out: OutputStream): RecordWriter {
  switch (format) {
    case 'jsonl': return new JsonlWriter(out);
    case 'table': return new TableWriter(out);
    case 'csv': return new CsvWriter(out);
  }
}
