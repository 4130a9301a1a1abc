/**
 * Reading CSV text into rows, as Python's `csv.reader` reads the bodies of Splunk chunks (splunklib's
 * `CsvDialect` in splunk/splunk-sdk-python, splunklib/searchcommands/internals.py: `,` between fields, `"` quotes,
 * a doubled `""` inside quotes for one `"`, rows ending in `\r\n`).
 *
 * Hand-written because csv-parse is not a dependency of this package (only csv-stringify, for writing); RFC 4180
 * is a page long, and reading it here keeps the tolerance of Python's reader under our control:
 * - rows may end in `\r\n`, `\n` or `\r`; a quoted field may hold any of them, and commas;
 * - a `"` inside an unquoted field, or text after a closing quote, is kept as it is (Python's non-strict mode);
 * - an empty line is no row (Python would read it as an empty record);
 * - a quoted field still open at the end of the text is an error.
 *
 * @module
 */
import { SplunkChunkError } from './chunk-error.js';

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** The rows of `text`, each a list of field values. Throws {@link SplunkChunkError} (`bad-csv`) on an unterminated quoted field. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  /** Whether the current row has begun (a field was started): an empty line has not. */
  let inRow = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE && field === '') {
      // A quoted field (or the quoted start of one): read to the closing quote.
      inRow = true;
      i++;
      let start = i;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close === -1) {
          throw new SplunkChunkError('bad-csv', `CSV records: a quoted field opened in row ${rows.length + 1} is never closed`);
        }
        field += text.slice(start, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          field += '"';
          i = close + 2;
          start = i;
          continue;
        }
        i = close + 1;
        break;
      }
      // Python keeps text after a closing quote, up to the next delimiter, as part of the field; the loop below does.
      // A field that was quoted and is empty ("") must still count as a value: mark it by leaving `inRow` set.
      continue;
    }
    if (c === COMMA) {
      row.push(field);
      field = '';
      inRow = true;
      i++;
      continue;
    }
    if (c === CR || c === LF) {
      if (inRow || field !== '') {
        row.push(field);
        rows.push(row);
      }
      row = [];
      field = '';
      inRow = false;
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      continue;
    }
    // Plain text up to the next special character.
    let end = i + 1;
    while (end < n) {
      const d = text.charCodeAt(end);
      if (d === COMMA || d === CR || d === LF) break;
      end++;
    }
    field += text.slice(i, end);
    inRow = true;
    i = end;
  }
  if (inRow || field !== '') {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
