import { CollectingWriter } from './collecting-writer.js';
import { cell, isNumeric } from './record-writer.js';

/** Aligned columns for people: missing and null values are empty, numeric columns are right-aligned. */
export class TableWriter extends CollectingWriter {
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
