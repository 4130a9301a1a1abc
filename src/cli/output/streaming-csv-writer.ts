import type { Writable } from 'node:stream';
import type { Row } from '../../runtime/value.js';
import { escapeControlCharacters } from '../../runtime/untrusted-text.js';
import { BatchingWriter } from './batching-writer.js';
import { csvCell, neutralised } from './csv-writer.js';

type Stringify = (records: string[][]) => string;

/**
 * CSV of a query whose fields are known before its records (`knownOutputFields`: e.g. `sentry-netstat`'s guid,
 * pid, …, state, `_error`): the header is written at once, whatever the records turn out to hold (`_error` is
 * always there), and each record is written as it comes ({@link BatchingWriter}). A record's field that is not
 * in the header is left out, and `onNote` gets one line at the end naming every such field, so nothing is
 * dropped silently (`--format jsonl` prints every field). Cells as {@link csvCell}.
 */
export class StreamingCsvWriter extends BatchingWriter {
  readonly #fields: readonly string[];
  readonly #inHeader: ReadonlySet<string>;
  readonly #leftOut = new Set<string>();
  readonly #onNote: (line: string) => void;
  readonly #loaded: Promise<void>;
  #stringify: Stringify | undefined;

  constructor(out: Writable, fields: readonly string[], onNote: (line: string) => void) {
    super(out);
    this.#fields = fields;
    this.#inHeader = new Set(fields);
    this.#onNote = onNote;
    // csv-stringify takes 10–20 ms to load: only runs that print CSV pay for it. The header goes first.
    this.#loaded = import('csv-stringify/sync').then(({ stringify }) => {
      this.#stringify = stringify;
      void this.push(stringify([fields.map(neutralised)]));
    });
  }

  override async write(row: Row): Promise<void> {
    if (!this.#stringify) await this.#loaded;
    return super.write(row);
  }

  override async end(): Promise<void> {
    await this.#loaded;
    await super.end();
    if (this.#leftOut.size > 0) {
      this.#onNote(
        `note: csv left out fields not in its header: ${escapeControlCharacters([...this.#leftOut].join(', '))} (--format jsonl prints every field)`,
      );
    }
  }

  protected lines(row: Row): string {
    for (const field of Object.keys(row)) if (!this.#inHeader.has(field)) this.#leftOut.add(field);
    return this.#stringify!([this.#fields.map((field) => csvCell(row, field))]);
  }
}
