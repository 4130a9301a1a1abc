import type { Row } from '../../runtime/value.js';
import { columnsOf, writeText, type OutputStream, type RecordWriter } from './record-writer.js';

/** Collects the records, then prints them at the end (the columns need every record). */
export abstract class CollectingWriter implements RecordWriter {
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
