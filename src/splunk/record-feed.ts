import type { Row } from '../runtime/value.js';

/**
 * The input of a command driven across Splunk's `execute` chunks: the session {@link RecordFeed.push}es each
 * chunk's records, the command pulls them one at a time (as `driveCommand` does: only once it has taken the
 * previous one), and {@link RecordFeed.drained} tells the session when the command has taken a whole chunk, so
 * it can answer that chunk. The feed never holds more than one chunk of records.
 */
export class RecordFeed implements AsyncIterable<Row> {
  #queue: Row[] = [];
  #head = 0;
  #ended = false;
  /** The consumer stopped pulling (the command finished or failed): nothing more will be taken. */
  #closed = false;
  /** A pull waiting for the next record. */
  #pending: ((step: IteratorResult<Row>) => void) | undefined;
  #drainWaiters: (() => void)[] = [];

  /** Adds records for the command to take. */
  push(rows: readonly Row[]): void {
    for (const row of rows) {
      const pending = this.#pending;
      if (pending) {
        this.#pending = undefined;
        pending({ value: row, done: false });
      } else {
        this.#queue.push(row);
      }
    }
  }

  /** No more records: the command's next pull past the queued ones ends its input. */
  end(): void {
    this.#ended = true;
    if (this.#head === this.#queue.length && this.#pending) {
      const pending = this.#pending;
      this.#pending = undefined;
      pending({ value: undefined, done: true });
    }
    this.#notifyIfDrained();
  }

  /**
   * Resolves once every record pushed so far has been taken and the command asks for more (it has taken the
   * last one: its call is queued), or once the command stopped pulling, or the feed ended and is empty.
   */
  drained(): Promise<void> {
    if (this.#isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** The records, for the command to pull one at a time; its `return` (the command stopped pulling) closes the feed. */
  [Symbol.asyncIterator](): AsyncIterator<Row> {
    return {
      next: () => this.#next(),
      return: () => {
        this.#closed = true;
        this.#notifyIfDrained();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  #next(): Promise<IteratorResult<Row>> {
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head++] as Row;
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) {
      this.#notifyIfDrained();
      return Promise.resolve({ value: undefined, done: true });
    }
    const pull = new Promise<IteratorResult<Row>>((resolve) => (this.#pending = resolve));
    this.#notifyIfDrained();
    return pull;
  }

  #isDrained(): boolean {
    const empty = this.#head === this.#queue.length;
    return this.#closed || (empty && (this.#pending !== undefined || this.#ended));
  }

  #notifyIfDrained(): void {
    if (!this.#isDrained()) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
