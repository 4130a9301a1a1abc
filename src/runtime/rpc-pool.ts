import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';

/** Abort listeners one call may hold on the pool's signal at once. */
const LISTENERS_PER_CALL = 4;

/**
 * A bounded pool of asynchronous calls: at most `concurrency` tasks run at once, and {@link RpcPool.submit}
 * resolves only once its task has started, so a caller that awaits it can never pile up more than one
 * waiting task. That is the backpressure `sentry-netstat` gives its upstream.
 *
 * @example
 * ```ts
 * const pool = new RpcPool(100);
 * for (const guid of guids) await pool.submit((signal) => callSentry(guid, signal));
 * await pool.drain();
 * ```
 */
export class RpcPool {
  readonly #queue: PQueue;
  readonly #controller = new AbortController();

  /** @param concurrency - tasks allowed to run at once (≥ 1). */
  constructor(concurrency: number) {
    this.#queue = new PQueue({ concurrency });
    // Each running call listens on this one signal a few times over (queue, abortable race, connector):
    // size Node's leak warning to the pool instead of letting 11 listeners look like a leak.
    setMaxListeners(LISTENERS_PER_CALL * concurrency + 10, this.#controller.signal);
  }

  /** Aborted by {@link RpcPool.abort}; every task gets it. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#queue.pending;
  }

  /**
   * Queues `task` and resolves when it has started (or was dropped by {@link RpcPool.abort}).
   * The task must handle its own errors; a rejection is ignored.
   */
  async submit(task: (signal: AbortSignal) => Promise<void>): Promise<void> {
    if (this.signal.aborted) return;
    const signal = this.signal;
    // Rejections here are the AbortError of a task dropped while waiting; the task itself never rejects.
    this.#queue.add(() => task(signal), { signal }).catch(() => undefined);
    await this.#queue.onSizeLessThan(1);
  }

  /** Resolves when every started task has finished. */
  drain(): Promise<void> {
    return this.#queue.onIdle();
  }

  /** Drops waiting tasks and aborts running ones (through their signal). */
  abort(reason?: unknown): void {
    this.#controller.abort(reason);
    this.#queue.clear();
  }
}
