import type { Row } from '../../runtime/value.js';
import { escapeControlCharacters } from '../../runtime/untrusted-text.js';
import { TABLE_BLOCK } from '../../rpc/limits.js';
import { cell, columnsOf, isNumeric, writeText, type OutputStream, type RecordWriter } from './record-writer.js';

/**
 * Aligned columns for people: missing and null values are empty, numeric columns are right-aligned. Every cell
 * and heading has its control characters written out (`\x1b`, `\n`, see `escapeControlCharacters`): values come
 * from sentries and their hosts' processes, and a terminal must show an escape sequence, not obey it. One
 * record is one line.
 *
 * Streamed in blocks: each block is a table of its own (heading, widths fitted to its records), printed when it
 * has {@link TABLE_BLOCK}.rows records or {@link TABLE_BLOCK}.waitMs after its first, so a slow fan-out shows
 * what came while it waits, and memory holds one block. Columns: the query's known fields (`knownOutputFields`)
 * in their order, with any other field a block's records have; else every field of the block.
 */
export class TableWriter implements RecordWriter {
  count = 0;
  #block: Row[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** The tail of the blocks handed to the stream, in order. */
  #printed: Promise<void> = Promise.resolve();

  constructor(
    private readonly out: OutputStream,
    private readonly fields?: readonly string[],
  ) {}

  write(row: Row): Promise<void> {
    this.count++;
    this.#block.push(row);
    if (this.#block.length >= TABLE_BLOCK.rows) return this.#flush();
    this.#timer ??= setTimeout(() => void this.#flush(), TABLE_BLOCK.waitMs);
    return Promise.resolve();
  }

  end(): Promise<void> {
    return this.#flush();
  }

  /** Prints the block (if any); resolves when the stream can take more. */
  #flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#block;
    if (rows.length === 0) return this.#printed;
    this.#block = [];
    this.#printed = this.#printed.then(async () => writeText(this.out, await this.#render(rows)));
    return this.#printed;
  }

  /** One block as a table. Async so that cli-table3 (10–20 ms to load) is loaded only by runs that print one. */
  async #render(rows: readonly Row[]): Promise<string> {
    const { default: Table } = await import('cli-table3');
    const seen = columnsOf(rows);
    const columns = this.fields ? columnsOf([Object.fromEntries([...this.fields, ...seen].map((f) => [f, null]))]) : seen;
    const colour = this.out.isTTY === true && !process.env['NO_COLOR'];
    const table = new Table({
      head: columns.map(escapeControlCharacters),
      colAligns: columns.map((c) => (isNumeric(rows, c) ? 'right' : 'left')),
      style: { head: colour ? ['bold'] : [], border: [], compact: true },
    });
    for (const row of rows) table.push(columns.map((c) => escapeControlCharacters(cell(row, c))));
    return `${table.toString()}\n`;
  }
}
