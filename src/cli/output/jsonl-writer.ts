import { escapeJsonControls } from '../../runtime/untrusted-text.js';
import { rowAsJson, type Row } from '../../runtime/value.js';
import { BatchingWriter } from './batching-writer.js';

/** JSON Lines: one object per record, as it comes, in chunks, honouring backpressure ({@link BatchingWriter}). */
export class JsonlWriter extends BatchingWriter {
  protected lines(row: Row): string {
    return `${jsonLine(row)}\n`;
  }

  // JSON.stringify escapes the C0 controls (ESC is \u001b); DEL, C1 and the bidirectional ones are escaped here,
  // once a chunk, so that a line is safe on a terminal (the values are the same).
  protected override finish(text: string): string {
    return escapeJsonControls(text);
  }
}

/** A record as one line of JSON (the same text as `JSON.stringify(rowToJson(row))`, see {@link rowAsJson}). */
function jsonLine(row: Row): string {
  return JSON.stringify(rowAsJson(row));
}
