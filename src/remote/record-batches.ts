/**
 * The records of a remote query, grouped into frames.
 *
 * @module
 */
/** Rows per `records` frame at most. */
export const MAX_BATCH_ROWS = 500;

/**
 * Groups the records of a query into `records` frames: one frame per event-loop turn, or per
 * {@link MAX_BATCH_ROWS} rows, instead of one frame (and one socket write) per record, which was over a third
 * of a node's CPU at 10,000 sentries. Backpressure is kept per frame: while a frame is being written, `push`
 * resolves only once the socket has taken it, so a slow client slows the query instead of filling memory.
 */
export class RecordBatches {
  readonly #send: (rows: Readonly<Record<string, unknown>>[]) => Promise<void>;
  #rows: Readonly<Record<string, unknown>>[] = [];
  #flushTimer: NodeJS.Immediate | undefined;
  #writing: Promise<void> | undefined;

  /** @param send - writes one frame of rows; resolves when the socket has taken it (or is gone). */
  constructor(send: (rows: Readonly<Record<string, unknown>>[]) => Promise<void>) {
    this.#send = send;
  }

  /** Adds a row; resolves at once, or when the frame being written has been taken. */
  push(row: Readonly<Record<string, unknown>>): Promise<void> {
    this.#rows.push(row);
    if (this.#rows.length >= MAX_BATCH_ROWS) return this.flush();
    this.#flushTimer ??= setImmediate(() => void this.flush());
    return this.#writing ?? Promise.resolve();
  }

  /** Sends the rows held so far; resolves when every frame sent so far has been taken. */
  flush(): Promise<void> {
    this.#cancelTimer();
    if (this.#rows.length === 0) return this.#writing ?? Promise.resolve();
    const rows = this.#rows;
    this.#rows = [];
    const previous = this.#writing ?? Promise.resolve();
    // A send that fails (the socket went away) loses only what that socket could no longer take; the socket's
    // close cancels the query. It must not become an unhandled rejection, which would end the process.
    const writing = previous.then(() => this.#send(rows)).catch(() => undefined);
    this.#writing = writing;
    void writing.then(() => {
      if (this.#writing === writing) this.#writing = undefined;
    });
    return writing;
  }

  /** Drops the rows not sent yet (the query was cancelled); no timer is left behind. */
  discard(): void {
    this.#cancelTimer();
    this.#rows = [];
  }

  #cancelTimer(): void {
    if (this.#flushTimer !== undefined) clearImmediate(this.#flushTimer);
    this.#flushTimer = undefined;
  }
}
