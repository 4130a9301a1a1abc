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
  /**
   * Tasks that have started and not yet returned. p-queue frees a task's slot the moment its signal aborts,
   * even while the task still runs; this keeps {@link RpcPool.drain} waiting for the task itself.
   */
  readonly #running = new Set<Promise<void>>();

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

  /** Tasks running now (started, not yet returned). */
  get running(): number {
    return this.#running.size;
  }

  /**
   * Queues `task` and resolves when it has started (or was dropped by {@link RpcPool.abort}).
   * The task must handle its own errors; a rejection is ignored.
   */
  async submit(task: (signal: AbortSignal) => Promise<void>): Promise<void> {
    if (this.signal.aborted) return;
    const signal = this.signal;
    // No `signal` for p-queue: abort() clears the waiting tasks itself, and a running task has its own signal
    // (p-queue would add one more listener per task to the shared signal: see src/runtime/abort-listeners.ts).
    this.#queue.add(() => (signal.aborted ? Promise.resolve() : this.#run(task, signal))).catch(() => undefined);
    await this.#queue.onSizeLessThan(1);
  }

  /** Resolves when every started task has finished (also after an abort: aborted tasks are waited for). */
  async drain(): Promise<void> {
    await this.#queue.onIdle();
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Runs `task`, counted in {@link RpcPool.running} until it returns (a throw included). */
  #run(task: (signal: AbortSignal) => Promise<void>, signal: AbortSignal): Promise<void> {
    const running = (async () => task(signal))();
    this.#running.add(running);
    return running.finally(() => this.#running.delete(running));
  }

  /** Drops waiting tasks and aborts running ones (through their signal). */
  abort(reason?: unknown): void {
    this.#controller.abort(reason);
    this.#queue.clear();
  }
}
