/**
 * The records of a Splunk chunk's body: CSV whose fields may come with a multivalue companion `__mv_<field>`.
 *
 * Taken from splunk/splunk-sdk-python:
 * - reading: splunklib/searchcommands/search_command.py, `SearchCommand._read_csv_records` and `_decode_list`
 *   (the `_encoded_value` pattern). The first row names the fields; a column `__mv_x` that is not empty holds the
 *   values of `x` as `$a$;$b$` (a `$` inside a value doubled) and replaces the plain `x`; an empty one leaves `x`
 *   a single value. Without any `__mv_` column the rows are read as they are.
 * - writing: splunklib/searchcommands/internals.py, `RecordWriter._write_record` (as `RecordWriterV2` uses it, with
 *   `CsvDialect`): every field `x` gets the column pair `x`, `__mv_x` in the header, always; the `__mv_x` value is
 *   written only for a list of two or more values (`$` + values with `$` doubled joined by `$;$` + `$`), with `x`
 *   then holding the values joined by `\n`; a list of one value is written as that value, an empty list or
 *   `null`/`undefined` as two empty fields; `true`/`false` as `1`/`0` (`str(value.real)`); an object (or a list inside
 *   a list) as compact JSON; rows end in `\r\n` and fields are quoted only when they must be (`QUOTE_MINIMAL`).
 *   `RecordWriterV2._clear` resets the header after each chunk, so each chunk's body has its own header row.
 *
 * One difference: splunklib takes the header from the first record of a chunk (fields only later records have
 * are dropped); here the header is the union of the fields of all records of the chunk, in first-seen order, and a
 * record without one of them writes it as empty (read back as an empty string, as splunklib reads it).
 *
 * @module
 */
import { stringify } from 'csv-stringify/sync';
import { parseCsvRows } from './csv-rows.js';

/** A record read from splunkd: a field's value is a string, or its values when it has several. */
export type SplunkRecord = Record<string, string | string[]>;

/** A record to write: values are converted as splunklib does (see the module comment). */
export type OutputRecord = Readonly<Record<string, unknown>>;

/** The prefix of a multivalue companion column. */
export const MV_PREFIX = '__mv_';

/** One value of an encoded list: `$...$` followed by `;` or the end (splunklib's `SearchCommand._encoded_value`). */
const ENCODED_VALUE = /\$((?:\$\$|[^$])*)\$(?:;|$)/g;

/** The values of a multivalue companion `$a$;$b$` (splunklib's `SearchCommand._decode_list`). */
export function decodeMultivalue(encoded: string): string[] {
  return Array.from(encoded.matchAll(ENCODED_VALUE), (m) => (m[1] as string).replaceAll('$$', () => '$'));
}

/** The multivalue companion of `values` (what `RecordWriter._write_record` builds as `mv`). */
export function encodeMultivalue(values: readonly string[]): string {
  return `$${values.map((v) => v.replaceAll('$', () => '$$')).join('$;$')}$`;
}

/**
 * The records of a chunk's body. An empty body has none. Records are objects without a prototype, so a field
 * named `__proto__` is a field like any other. Throws SplunkChunkError (`bad-csv`) on an unterminated quoted field.
 */
export function parseRecords(body: string): SplunkRecord[] {
  const [header, ...rows] = parseCsvRows(body);
  if (header === undefined) return [];
  const hasMv = header.some((name) => name.startsWith(MV_PREFIX));
  return rows.map((row) => {
    const record = Object.create(null) as SplunkRecord;
    const n = Math.min(header.length, row.length);
    for (let i = 0; i < n; i++) {
      const name = header[i] as string;
      const value = row[i] as string;
      if (hasMv && name.startsWith(MV_PREFIX)) {
        if (value.length > 0) record[name.slice(MV_PREFIX.length)] = decodeMultivalue(value);
      } else if (!hasMv || !Object.hasOwn(record, name)) {
        // Without companions, a repeated column's last value wins (Python's zip into a dict); with them, the first.
        record[name] = value;
      }
    }
    return record;
  });
}

/**
 * The body of one chunk holding `records`: a header row then one row a record, or nothing at all when there are
 * no records (splunklib writes the header with the first record).
 */
export function formatRecords(records: Iterable<OutputRecord>): string {
  const list = Array.from(records);
  if (list.length === 0) return '';
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const record of list) {
    for (const name of Object.keys(record)) {
      if (!seen.has(name)) {
        seen.add(name);
        fields.push(name);
      }
    }
  }
  const rows: string[][] = [fields.flatMap((name) => [name, MV_PREFIX + name])];
  for (const record of list) {
    rows.push(fields.flatMap((name) => fieldPair(Object.hasOwn(record, name) ? record[name] : undefined)));
  }
  // csv-stringify quotes a field holding the record delimiter (`\r\n`) but not a lone `\n` or `\r`; Python's
  // QUOTE_MINIMAL quotes a field holding either, and a reader that ends rows at a bare `\n` needs it.
  return stringify(rows, { record_delimiter: '\r\n', quoted_match: /[\r\n]/ });
}

/** The two columns of one value: its single-value text and its multivalue companion. */
function fieldPair(value: unknown): [string, string] {
  if (value === null || value === undefined) return ['', ''];
  if (Array.isArray(value)) {
    if (value.length === 0) return ['', ''];
    if (value.length === 1) return [scalarText(value[0]), ''];
    const texts = value.map((v: unknown) => scalarText(v));
    return [texts.join('\n'), encodeMultivalue(texts)];
  }
  return [scalarText(value), ''];
}

/** One value as text. */
function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value) ?? '';
  return String(value);
}
