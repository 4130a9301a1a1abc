import { abortable } from '../runtime/abortable.js';
import type { Cluster } from '../runtime/cluster.js';
import type { CommandContext, CommandParser, QueryCommand, QueryDriver, StopReason } from '../runtime/command.js';
import type { SentryConnector } from '../runtime/sentry-connector.js';
import type { HostConfig, Session } from '../runtime/session.js';
import type { Row } from '../runtime/value.js';
import type { RecordSink } from './query-execution.js';

/** What a foreign host gives {@link driveCommand}: who runs it, the host's settings and sentries, and the sink. */
export interface DriveCommandOptions {
  /** Who runs the command (the sentry commands need an administrator). */
  readonly session: Session;
  /** The host configuration, e.g. `logpresso.core.sentry_rpc_parallel`. */
  readonly config: HostConfig;
  /**
   * The process environment commands fall back to.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The sentries the command calls. */
  readonly sentries: SentryConnector;
  /**
   * The cluster, when the foreign host is the control node of one.
   * @default none (`sonar-*` commands fail with `not a cluster`)
   */
  readonly cluster?: Cluster;
  /** Takes each record the command emits. Its promise is awaited before the command goes on: backpressure. */
  readonly onRecord: RecordSink;
  /**
   * Aborting it stops the command at once: its calls in flight are aborted and it is closed with `cancel`, or
   * with `limit` when the abort reason is the string `'limit'` (the foreign host has all the records it needs).
   * @default never aborted
   */
  readonly signal?: AbortSignal;
  /**
   * Called each time the command calls `finishUpstream` (it needs no more input, e.g. `limit` has its N);
   * the driver then stops pulling input.
   * @default nothing
   */
  readonly onFinishUpstream?: () => void;
}

/** How a driven command ended. */
export interface DriveOutcome {
  /** The reason `onClose` was given: `end` (input exhausted or finished), `cancel` or `limit` (aborted). */
  readonly reason: StopReason;
  /** How many input records the command was given. */
  readonly pushed: number;
}

/** The input of a command: records, pulled one at a time. */
export type RecordSource = Iterable<Row> | AsyncIterable<Row>;

/** What an interrupted wait resolves with. */
const STOPPED: unique symbol = Symbol('stopped');

/**
 * Runs one command of ours inside a foreign host (e.g. a custom search command protocol): parses `argText`
 * with `parser`, then calls `onStart`, then `run` (a driver, which reads no input) or one awaited `onPush` per
 * record pulled from `input`, then `onClose` exactly once. Input is pulled only when the command has taken the
 * previous record, so a command that applies backpressure (e.g. sentry-netstat's bounded pool) slows the
 * input down. A parse error rejects with `QueryParseError` before any input is read; an error thrown by the
 * command or by `onRecord` closes the command with `cancel` and then rejects.
 *
 * @example
 * ```ts
 * const outcome = await driveCommand(sentryNetstatCommand, ' timeout=60', guidRecords(), {
 *   session: { user: 'admin', isAdmin: true },
 *   config: hostConfigFrom({}),
 *   sentries: connector,
 *   onRecord: (row) => writeToHost(row),
 *   signal: request.signal,
 * });
 * ```
 */
export async function driveCommand(
  parser: CommandParser,
  argText: string,
  input: RecordSource,
  options: DriveCommandOptions,
): Promise<DriveOutcome> {
  const command = parser.parse({ session: options.session, config: options.config, env: options.env ?? process.env }, argText);
  return new CommandDrive(command, options).run(input);
}

/** One command driven over one input. */
class CommandDrive {
  readonly #command: QueryCommand | QueryDriver;
  readonly #options: DriveCommandOptions;
  /** Aborted when the command must stop at once (its `ctx.signal`). */
  readonly #controller = new AbortController();
  #stoppedBy: Exclude<StopReason, 'end'> | undefined;
  #finishedUpstream = false;
  #failure: { error: unknown } | undefined;
  #pushed = 0;

  constructor(command: QueryCommand | QueryDriver, options: DriveCommandOptions) {
    this.#command = command;
    this.#options = options;
  }

  async run(input: RecordSource): Promise<DriveOutcome> {
    const { signal } = this.#options;
    const onAbort = (): void => this.#stop(signal?.reason === 'limit' ? 'limit' : 'cancel');
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      try {
        await this.#command.onStart(this.#context());
        if (isDriver(this.#command)) {
          if (!this.#stoppedBy) await this.#command.run();
        } else {
          await this.#pushAll(this.#command, input);
        }
      } catch (error) {
        this.#fail(error);
      }
      try {
        await this.#command.onClose(this.#stoppedBy ?? 'end');
      } catch (error) {
        this.#fail(error);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (this.#failure) throw this.#failure.error;
    return { reason: this.#stoppedBy ?? 'end', pushed: this.#pushed };
  }

  async #pushAll(command: QueryCommand, input: RecordSource): Promise<void> {
    const sync = Symbol.iterator in input;
    const iterator = sync ? (input as Iterable<Row>)[Symbol.iterator]() : (input as AsyncIterable<Row>)[Symbol.asyncIterator]();
    let exhausted = false;
    try {
      while (!this.#stoppedBy && !this.#finishedUpstream) {
        const step = sync ? (iterator as Iterator<Row>).next() : await this.#unlessStopped((iterator as AsyncIterator<Row>).next());
        if (step === STOPPED) return;
        if (step.done) {
          exhausted = true;
          return;
        }
        this.#pushed++;
        await command.onPush(step.value);
      }
    } finally {
      // Tell a generator we stop pulling early (its finally blocks run); not awaited, as a pull may be pending.
      if (!exhausted) void Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
  }

  #context(): CommandContext {
    return {
      emit: (row) => this.#emit(row),
      signal: this.#controller.signal,
      sentries: this.#options.sentries,
      session: this.#options.session,
      config: this.#options.config,
      ...(this.#options.cluster && { cluster: this.#options.cluster }),
      finishUpstream: () => {
        this.#finishedUpstream = true;
        this.#options.onFinishUpstream?.();
      },
    };
  }

  /** Never rejects (the contract of `emit`): a failing sink stops the command instead. */
  async #emit(row: Row): Promise<void> {
    if (this.#stoppedBy) return;
    try {
      const taken = this.#options.onRecord(row);
      // A sink that never settles must not keep a cancelled command waiting.
      if (taken instanceof Promise) await this.#unlessStopped(taken);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** `promise`, or {@link STOPPED} as soon as the command is stopped; leaves no listener behind. */
  #unlessStopped<T>(promise: Promise<T>): Promise<T | typeof STOPPED> {
    const { signal } = this.#controller;
    return abortable(promise, signal).catch((error: unknown) => {
      if (signal.aborted) return STOPPED;
      throw error;
    });
  }

  #stop(reason: Exclude<StopReason, 'end'>): void {
    if (this.#stoppedBy) return;
    this.#stoppedBy = reason;
    this.#controller.abort(new DOMException(`command ${reason}`, 'AbortError'));
  }

  #fail(error: unknown): void {
    this.#failure ??= { error };
    this.#stop('cancel');
  }
}

function isDriver(command: QueryCommand | QueryDriver): command is QueryDriver {
  return 'run' in command;
}
