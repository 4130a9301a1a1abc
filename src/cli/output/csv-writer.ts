import type { Row } from '../../runtime/value.js';
import { CollectingWriter } from './collecting-writer.js';
import { cell } from './record-writer.js';

/**
 * What a spreadsheet reads as the start of a formula (OWASP, CSV injection): `=`, `+`, `-`, `@`, tab, CR, and
 * their full-width forms, which some spreadsheets fold into them.
 */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/**
 * A record's value of `field` as a CSV cell: a string value that a spreadsheet would run as a formula
 * (`=cmd|' /C calc'!A0`, `@SUM(…)`, `-2+3`) gets a `'` in front, so it opens as the text it is. Only strings: a
 * number such as `-1` is printed as it is, because a spreadsheet must read it as the number (an inserted `'`
 * would turn every negative number into text), and a number, bigint, boolean, address or timestamp cannot carry
 * a formula.
 */
export function csvCell(row: Row, field: string): string {
  const text = cell(row, field);
  return typeof row[field] === 'string' ? neutralised(text) : text;
}

/** `text` with a `'` in front when a spreadsheet would run it as a formula (for field names in a header). */
export function neutralised(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * CSV when the fields are not known before the records (`fields`, `eval`, `stats` at the end of the query): the
 * records are collected and printed at the end under a header of every field (the streaming one is
 * `StreamingCsvWriter`, for known fields). Values as `formatValue` prints them, text that would run as a formula neutralised
 * ({@link csvCell}; field names too, since a remote node chooses them).
 */
export class CsvWriter extends CollectingWriter {
  protected async render(columns: string[]): Promise<string> {
    const { stringify } = await import('csv-stringify/sync');
    return stringify([columns.map(neutralised), ...this.rows.map((row) => columns.map((c) => csvCell(row, c)))]);
  }
}
