import type { Writable } from 'node:stream';
import { formatValue, rowAsJson, type Row, type Value } from '../runtime/value.js';

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

/**
 * Lines are handed to the stream in chunks of about this many characters. 64 KB is a pipe's buffer on Linux:
 * larger chunks would only wait longer for the reader.
 */
const JSONL_CHUNK = 64 * 1024;

/**
 * JSON Lines: one object per record, as it comes, honouring backpressure. Lines are gathered and handed to the
 * stream in chunks of about {@link JSONL_CHUNK}, or at the latest on the next turn of the event loop: records
 * that arrive one by one still come out one by one, while a burst (`agent --once`: 40,000 records at once) is
 * not 40,000 writes. A write to a pipe is a system call; one a line took 120–230 ms of `agent --once` at
 * 40,000 sockets. The bytes are the same.
 *
 * Backpressure: `write` resolves at once while the chunk fills, unless the last chunk handed over is still
 * waiting for `drain`; the write that fills a chunk resolves when the stream can take more. So at most one
 * chunk is held here beyond what the stream buffers.
 */
class JsonlWriter implements RecordWriter {
  count = 0;
  #pending = '';
  #ready: Promise<void> = Promise.resolve();
  #flushTimer: NodeJS.Immediate | undefined;

  constructor(private readonly out: Writable) {}

  write(row: Row): Promise<void> {
    this.count++;
    this.#pending += `${jsonLine(row)}\n`;
    if (this.#pending.length >= JSONL_CHUNK) return this.#flush();
    this.#flushTimer ??= setImmediate(() => void this.#flush());
    return this.#ready;
  }

  end(): Promise<void> {
    return this.#flush();
  }

  /** Hands what is gathered to the stream; resolves when the stream can take more. */
  #flush(): Promise<void> {
    if (this.#flushTimer !== undefined) clearImmediate(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending !== '') {
      const text = this.#pending;
      this.#pending = '';
      this.#ready = writeText(this.out, text);
    }
    return this.#ready;
  }
}

/** A record as one line of JSON (the same text as `JSON.stringify(rowToJson(row))`, see {@link rowAsJson}). */
function jsonLine(row: Row): string {
  return JSON.stringify(rowAsJson(row));
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

  async end(): Promise<void> {
    if (this.rows.length === 0) return;
    return writeText(this.out, await this.render(columnsOf(this.rows)));
  }

  /**
   * The whole output. Async so that its library (cli-table3, csv-stringify: 10–20 ms each to load) is loaded
   * only by the runs that print a table or CSV.
   */
  protected abstract render(columns: string[]): Promise<string>;
}

/** Aligned columns for people: missing and null values are empty, numeric columns are right-aligned. */
class TableWriter extends CollectingWriter {
  protected async render(columns: string[]): Promise<string> {
    const { default: Table } = await import('cli-table3');
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
  protected async render(columns: string[]): Promise<string> {
    const { stringify } = await import('csv-stringify/sync');
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
