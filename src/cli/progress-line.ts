import type { Writable } from 'node:stream';
import { PROGRESS_REDRAW_MS } from '../rpc/limits.js';
import type { CallTally } from './progress-tally.js';

/** Erases the terminal's current line (carriage return, then "erase to end of line"). */
const CLEAR_LINE = '\r\x1b[K';

/**
 * The progress of a fan-out on a terminal's stderr: one line, redrawn every {@link PROGRESS_REDRAW_MS} while
 * sentry calls are running ("12 of 40 sentries answered, 1 error, 27 outstanding"), erased before it stops, so
 * it never mixes with records or other messages; then {@link ProgressLine.stop} prints the one-line summary.
 * Only for a terminal (`stderr.isTTY`): the caller decides.
 */
export class ProgressLine {
  readonly #stderr: Writable;
  readonly #tally: CallTally;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #timer: NodeJS.Timeout;
  #shown = false;

  constructor(stderr: Writable, tally: CallTally, now: () => number = Date.now) {
    this.#stderr = stderr;
    this.#tally = tally;
    this.#now = now;
    this.#startedAt = now();
    this.#timer = setInterval(() => this.#redraw(), PROGRESS_REDRAW_MS);
    this.#timer.unref();
  }

  /** Erases the line and stops; with `summary`, prints "N sentries: A answered, E errors, in T s" (if any were called). */
  stop(summary: boolean): void {
    clearInterval(this.#timer);
    this.#erase();
    const { started, answered, failed } = this.#tally;
    if (!summary || started === 0) return;
    const seconds = ((this.#now() - this.#startedAt) / 1000).toFixed(1);
    this.#stderr.write(
      `${plural(started, 'sentry', 'sentries')}: ${answered} answered, ${plural(failed, 'error', 'errors')}, in ${seconds} s\n`,
    );
  }

  /** Erases the line if shown: before a record goes to the same terminal (it is drawn again on the next tick). */
  clear(): void {
    this.#erase();
  }

  #erase(): void {
    if (!this.#shown) return;
    this.#stderr.write(CLEAR_LINE);
    this.#shown = false;
  }

  #redraw(): void {
    const { started, answered, failed, outstanding } = this.#tally;
    if (started === 0) return;
    const line = `${answered} of ${plural(started, 'sentry', 'sentries')} answered, ${plural(failed, 'error', 'errors')}, ${outstanding} outstanding`;
    this.#stderr.write(`${CLEAR_LINE}${line}`);
    this.#shown = true;
  }
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
