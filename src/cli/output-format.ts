/**
 * The output formats of `sentry-query`: one writer a format (src/cli/output/), chosen from `WRITERS`.
 * A new format is a writer file and one entry here.
 *
 * @module
 */
import { CsvWriter } from './output/csv-writer.js';
import { JsonlWriter } from './output/jsonl-writer.js';
import type { OutputStream, RecordWriter } from './output/record-writer.js';
import { TableWriter } from './output/table-writer.js';

export { columnsOf, writeText, type OutputStream, type RecordWriter } from './output/record-writer.js';

/** Every format's writer, by the name `--format` takes. */
const WRITERS = {
  table: (out: OutputStream): RecordWriter => new TableWriter(out),
  jsonl: (out: OutputStream): RecordWriter => new JsonlWriter(out),
  csv: (out: OutputStream): RecordWriter => new CsvWriter(out),
} as const;

/** The output formats of `sentry-query`. */
export type OutputFormat = keyof typeof WRITERS;

/** The output formats, as `--format` lists them. */
export const OUTPUT_FORMATS = Object.keys(WRITERS) as readonly OutputFormat[];

/** The writer for `format` on `out`. */
export function createRecordWriter(format: OutputFormat, out: OutputStream): RecordWriter {
  return WRITERS[format](out);
}
