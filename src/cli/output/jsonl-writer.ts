import type { Writable } from 'node:stream';
import { escapeJsonControls } from '../../runtime/untrusted-text.js';
import { rowAsJson, type Row } from '../../runtime/value.js';
import { writeText, type RecordWriter } from './record-writer.js';

/**
 * Lines are handed to the stream in chunks of about this many characters. 64 KB is a pipe's buffer on Linux:
 * larger chunks would only wait longer for the reader.
 */
const JSONL_CHUNK = 64 * 1024;

/**
 * JSON Lines: one object per record, as it comes, honouring backpressure. Lines are gathered and handed to the
 * stream in chunks of about {@link JSONL_CHUNK}, or at the latest on the next turn of the event loop: records
 * that arrive one by one still come out one by one, while a burst (`agent --once`: 40,000 records at once) is
 * not 40,000 writes. A write to a pipe is a system call; one a line took 120–230 ms of `agent --once` at
 * 40,000 sockets. The bytes are the same.
 *
 * Backpressure: `write` resolves at once while the chunk fills, unless the last chunk handed over is still
 * waiting for `drain`; the write that fills a chunk resolves when the stream can take more. So at most one
 * chunk is held here beyond what the stream buffers.
 */
export class JsonlWriter implements RecordWriter {
  count = 0;
  #pending = '';
  #ready: Promise<void> = Promise.resolve();
  #flushTimer: NodeJS.Immediate | undefined;

  constructor(private readonly out: Writable) {}

  write(row: Row): Promise<void> {
    this.count++;
    this.#pending += `${jsonLine(row)}\n`;
    if (this.#pending.length >= JSONL_CHUNK) return this.#flush();
    this.#flushTimer ??= setImmediate(() => void this.#flush());
    return this.#ready;
  }

  end(): Promise<void> {
    return this.#flush();
  }

  /** Hands what is gathered to the stream; resolves when the stream can take more. */
  #flush(): Promise<void> {
    if (this.#flushTimer !== undefined) clearImmediate(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending !== '') {
      // JSON.stringify escapes the C0 controls (ESC is \u001b); DEL, C1 and the bidirectional ones are escaped
      // here, once a chunk, so that a line is safe on a terminal (the values are the same).
      const text = escapeJsonControls(this.#pending);
      this.#pending = '';
      this.#ready = writeText(this.out, text);
    }
    return this.#ready;
  }
}

/** A record as one line of JSON (the same text as `JSON.stringify(rowToJson(row))`, see {@link rowAsJson}). */
function jsonLine(row: Row): string {
  return JSON.stringify(rowAsJson(row));
}
