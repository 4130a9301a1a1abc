import { escapeControlCharacters } from '../../runtime/untrusted-text.js';
import { CollectingWriter } from './collecting-writer.js';
import { cell, isNumeric } from './record-writer.js';

/**
 * Aligned columns for people: missing and null values are empty, numeric columns are right-aligned. Every cell
 * and heading has its control characters written out (`\x1b`, `\n`, see `escapeControlCharacters`): values come
 * from sentries and their hosts' processes, and a terminal must show an escape sequence, not obey it. One
 * record is one line.
 */
export class TableWriter extends CollectingWriter {
  protected async render(columns: string[]): Promise<string> {
    const { default: Table } = await import('cli-table3');
    const colour = this.out.isTTY === true && !process.env['NO_COLOR'];
    const table = new Table({
      head: columns.map(escapeControlCharacters),
      colAligns: columns.map((c) => (isNumeric(this.rows, c) ? 'right' : 'left')),
      style: { head: colour ? ['bold'] : [], border: [], compact: true },
    });
    for (const row of this.rows) table.push(columns.map((c) => escapeControlCharacters(cell(row, c))));
    return `${table.toString()}\n`;
  }
}
