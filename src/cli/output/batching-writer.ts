import type { Writable } from 'node:stream';
import type { Row } from '../../runtime/value.js';
import { writeText, type RecordWriter } from './record-writer.js';

/**
 * Lines are handed to the stream in chunks of about this many characters. 64 KB is a pipe's buffer on Linux:
 * larger chunks would only wait longer for the reader.
 */
const CHUNK_CHARS = 64 * 1024;

/**
 * A streaming format of one line (or a few) per record, as it comes, honouring backpressure (jsonl, csv with a
 * known header). Lines are gathered and handed to the stream in chunks of about {@link CHUNK_CHARS}, or at the
 * latest on the next turn of the event loop: records that arrive one by one still come out one by one, while a
 * burst (`agent --once`: 40,000 records at once) is not 40,000 writes. A write to a pipe is a system call; one
 * a line took 120–230 ms of `agent --once` at 40,000 sockets. The bytes are the same.
 *
 * Backpressure: `write` resolves at once while the chunk fills, unless the last chunk handed over is still
 * waiting for `drain`; the write that fills a chunk resolves when the stream can take more. So at most one
 * chunk is held here beyond what the stream buffers.
 */
export abstract class BatchingWriter implements RecordWriter {
  count = 0;
  #pending = '';
  #ready: Promise<void> = Promise.resolve();
  #flushTimer: NodeJS.Immediate | undefined;

  constructor(protected readonly out: Writable) {}

  write(row: Row): Promise<void> {
    this.count++;
    return this.push(this.lines(row));
  }

  end(): Promise<void> {
    return this.#flush();
  }

  /** A record's text, ending with a line break. */
  protected abstract lines(row: Row): string;

  /** What a chunk becomes on its way out (jsonl escapes a few characters there, once a chunk). */
  protected finish(text: string): string {
    return text;
  }

  /** Gathers `text` for the stream; resolves when more may be given. */
  protected push(text: string): Promise<void> {
    this.#pending += text;
    if (this.#pending.length >= CHUNK_CHARS) return this.#flush();
    this.#flushTimer ??= setImmediate(() => void this.#flush());
    return this.#ready;
  }

  /** Hands what is gathered to the stream; resolves when the stream can take more. */
  #flush(): Promise<void> {
    if (this.#flushTimer !== undefined) clearImmediate(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending !== '') {
      const text = this.finish(this.#pending);
      this.#pending = '';
      this.#ready = writeText(this.out, text);
    }
    return this.#ready;
  }
}
