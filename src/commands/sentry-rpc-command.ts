import type { CommandContext, QueryCommand, StopReason } from '../runtime/command.js';
import { abortable } from '../runtime/abortable.js';
import { RpcPool } from '../runtime/rpc-pool.js';
import { RUNTIME_ERRORS } from '../errors/runtime-errors.js';
import { SENTRY_ERROR_MAX_CHARS } from '../runtime/input-limits.js';
import { boundText } from '../runtime/untrusted-text.js';
import type { Row } from '../runtime/value.js';
import { guidError } from './guid-check.js';
import type { SentryRpcSettings } from './sentry-rpc-options.js';

/**
 * What differs between the sentry RPC commands: how to call, and how to read the answer.
 *
 * @typeParam Answer - what `call` resolves with and `toRows` reads (the raw answer off the wire is `unknown`;
 * a call that adds something, e.g. the node that answered, says so in its type)
 */
export interface SentryRpcCall<Answer = unknown> {
  /**
   * Calls the sentry `guid` for `input` and resolves with its answer; rejects with the failure whose
   * message becomes `_error`.
   */
  call(ctx: CommandContext, guid: string, input: Row, options: { timeoutMs: number; signal: AbortSignal }): Promise<Answer>;
  /** Output records for an answer; throws (with a clear message) when the answer is malformed. */
  toRows(guid: string, answer: Answer, input: Row): Row[];
}

/**
 * The running part of a sentry RPC command: for each input record, check `guid`, call the sentry through a
 * bounded pool, and push its rows (or the input record with `_error`) as answers arrive.
 *
 * - Order: a sentry's rows go out together, in the order answers arrive; a slow sentry holds no one back.
 * - Backpressure: `onPush` resolves once the call has a slot, and a slot is held until its rows have been
 *   taken downstream, so memory stays bounded by the pool size.
 * - `onClose('end')` waits for calls in flight; `cancel`/`limit` abort them at once and push nothing more.
 */
export class SentryRpcCommand<Answer = unknown> implements QueryCommand {
  readonly #settings: SentryRpcSettings;
  readonly #rpc: SentryRpcCall<Answer>;
  #ctx: CommandContext | undefined;
  #pool: RpcPool | undefined;
  /** The tail of the output chain: rows of one answer are pushed before the next answer's. */
  #output: Promise<void> = Promise.resolve();

  constructor(settings: SentryRpcSettings, rpc: SentryRpcCall<Answer>) {
    this.#settings = settings;
    this.#rpc = rpc;
  }

  /** The settings the command was parsed with (timeout, parallel bound). */
  get settings(): SentryRpcSettings {
    return this.#settings;
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
    const pool = new RpcPool(this.#settings.parallel);
    this.#pool = pool;
    // An AbortSignal fires only once: one already aborted (stopped before it started) must be seen now.
    if (ctx.signal.aborted) pool.abort(ctx.signal.reason);
    else ctx.signal.addEventListener('abort', () => pool.abort(ctx.signal.reason), { once: true });
  }

  async onPush(row: Row): Promise<void> {
    const { ctx, pool } = this.#started();
    const problem = guidError(row['guid']);
    if (problem !== undefined) return this.#pushInOrder(() => [{ ...row, _error: problem }], pool.signal);
    const guid = row['guid'] as string;
    await pool.submit((signal) => this.#callOne(ctx, guid, row, signal));
  }

  async onClose(reason: StopReason): Promise<void> {
    const { pool } = this.#started();
    if (reason !== 'end') pool.abort(new DOMException(`query ${reason}`, 'AbortError'));
    await pool.drain();
    await this.#output;
  }

  async #callOne(ctx: CommandContext, guid: string, input: Row, signal: AbortSignal): Promise<void> {
    let answer: Answer;
    try {
      answer = await abortable(this.#rpc.call(ctx, guid, input, { timeoutMs: this.#settings.timeoutMs, signal }), signal);
    } catch (error) {
      if (signal.aborted) return;
      return this.#pushInOrder(() => [failed(input, error)], signal);
    }
    // Read when its turn to go out comes, not on arrival: then only one answer at a time exists as rows (the
    // others wait as they came), which keeps memory and garbage-collection work low at high fan-out.
    await this.#pushInOrder(() => {
      try {
        return this.#rpc.toRows(guid, answer, input);
      } catch (error) {
        return [failed(input, error)];
      }
    }, signal);
  }

  #pushInOrder(rowsOf: () => Row[], signal: AbortSignal): Promise<void> {
    const ctx = this.#ctx!;
    this.#output = this.#output.then(async () => {
      if (signal.aborted) return;
      for (const row of rowsOf()) {
        if (signal.aborted) return;
        await ctx.emit(row);
      }
    });
    return this.#output;
  }

  #started(): { ctx: CommandContext; pool: RpcPool } {
    if (!this.#ctx || !this.#pool) throw new Error('onStart was not called');
    return { ctx: this.#ctx, pool: this.#pool };
  }
}

/**
 * The input record with `_error` saying why its sentry gave no rows. Whatever the failure (a sentry's exception,
 * a malformed answer quoting it, a data node's relayed message), `_error` is bounded here, where it enters the
 * record: control characters escaped, at most `SENTRY_ERROR_MAX_CHARS` characters.
 */
function failed(input: Row, error: unknown): Row {
  return { ...input, _error: boundText(errorMessage(error), SENTRY_ERROR_MAX_CHARS) };
}

function errorMessage(error: unknown): string {
  const message =
    error instanceof Error
      ? error.message
      : typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
        ? (error as { message: string }).message
        : typeof error === 'string'
          ? error
          : (JSON.stringify(error) ?? String(error));
  return RUNTIME_ERRORS.SENTRY_EXCEPTION.message(message);
}
