import { CollectingWriter } from './collecting-writer.js';
import { cell } from './record-writer.js';

/** CSV with a header line; values as `formatValue` prints them. */
export class CsvWriter extends CollectingWriter {
  protected async render(columns: string[]): Promise<string> {
    const { stringify } = await import('csv-stringify/sync');
    return stringify(
      this.rows.map((row) => columns.map((c) => cell(row, c))),
      { header: true, columns },
    );
  }
}
