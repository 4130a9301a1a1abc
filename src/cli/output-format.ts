/**
 * The output formats of `sentry-query`: one writer a format (src/cli/output/), chosen from `WRITERS`.
 * A new format is a writer file and one entry here.
 *
 * @module
 */
import { CsvWriter } from './output/csv-writer.js';
import { JsonlWriter } from './output/jsonl-writer.js';
import type { OutputStream, RecordWriter } from './output/record-writer.js';
import { StreamingCsvWriter } from './output/streaming-csv-writer.js';
import { TableWriter } from './output/table-writer.js';

export { knownOutputFields } from './output/known-fields.js';
export { columnsOf, writeText, type OutputStream, type RecordWriter } from './output/record-writer.js';

/** What a writer may know besides its stream. */
export interface WriterOptions {
  /**
   * The fields the records can have, known before them (`knownOutputFields`): CSV writes its header at once and
   * streams, the table orders its columns so.
   */
  readonly fields?: readonly string[];
  /** Receives a line for the user (on stderr), e.g. the fields CSV left out. */
  readonly onNote?: (line: string) => void;
}

/** Every format's writer, by the name `--format` takes. */
const WRITERS = {
  table: (out: OutputStream, options: WriterOptions): RecordWriter => new TableWriter(out, options.fields),
  jsonl: (out: OutputStream): RecordWriter => new JsonlWriter(out),
  csv: (out: OutputStream, options: WriterOptions): RecordWriter =>
    options.fields ? new StreamingCsvWriter(out, options.fields, options.onNote ?? (() => undefined)) : new CsvWriter(out),
} as const;

/** The output formats of `sentry-query`. */
export type OutputFormat = keyof typeof WRITERS;

/** The output formats, as `--format` lists them. */
export const OUTPUT_FORMATS = Object.keys(WRITERS) as readonly OutputFormat[];

/** The writer for `format` on `out`. */
export function createRecordWriter(format: OutputFormat, out: OutputStream, options: WriterOptions = {}): RecordWriter {
  return WRITERS[format](out, options);
}
