import type { CommandContext, QueryCommand, QueryDriver, StopReason } from '../runtime/command.js';
import type { SentryConnector } from '../runtime/sentry-connector.js';
import type { Cluster } from '../runtime/cluster.js';
import type { HostConfig, Session } from '../runtime/session.js';
import type { Row } from '../runtime/value.js';
import type { PlannedCommand } from './query-plan.js';

/** What `emit` returns when the sink took the record synchronously. */
const TAKEN: Promise<void> = Promise.resolve();

/** Where a query's output records go; awaited, so a slow consumer slows the query down. */
export type RecordSink = (row: Row) => void | Promise<void>;

/** How a query ended. */
export interface QueryOutcome {
  /** `end` when the driver ran out (or a `limit` ended it), `cancel` when stopped by the user. */
  readonly reason: 'end' | 'cancel';
}

/** What the commands of a query share from the host. */
export interface ExecutionEnvironment {
  /** The sentries commands call. */
  readonly sentries: SentryConnector;
  /** The cluster, when the host is a control node. */
  readonly cluster?: Cluster;
  /** The session of the user running the query. */
  readonly session: Session;
  /** The host configuration. */
  readonly config: HostConfig;
}

/** One command in a running pipeline. */
class Stage {
  readonly controller = new AbortController();
  /** Set when the stage was stopped before its input ended (`cancel` or `limit`). */
  stoppedBy: Exclude<StopReason, 'end'> | undefined;
  /** The tail of the pushes into this stage: one at a time, in order. */
  tail: Promise<void> = Promise.resolve();

  constructor(readonly planned: PlannedCommand) {}

  stop(reason: Exclude<StopReason, 'end'>): void {
    if (this.stoppedBy) return;
    this.stoppedBy = reason;
    this.controller.abort(new DOMException(`query ${reason}`, 'AbortError'));
  }
}

/**
 * Runs a planned pipeline: the driver produces records, each command's pushes are serialised and awaited
 * (backpressure), `finishUpstream` stops the commands above a `limit`, `cancel` stops them all, and every
 * command gets exactly one `onClose`. A command that throws fails the query (the error is rethrown by
 * {@link QueryExecution.run} after every command was closed); it never crashes the host.
 */
export class QueryExecution {
  readonly #stages: Stage[];
  readonly #env: ExecutionEnvironment;
  readonly #sink: RecordSink;
  #failure: { error: unknown } | undefined;
  #cancelled = false;

  constructor(plan: readonly PlannedCommand[], env: ExecutionEnvironment, sink: RecordSink) {
    this.#stages = plan.map((p) => new Stage(p));
    this.#env = env;
    this.#sink = sink;
  }

  /** Stops the query: every command is aborted and closed with `cancel`; records already out stay out. */
  cancel(): void {
    this.#cancelled = true;
    for (const stage of this.#stages) stage.stop('cancel');
  }

  /** Runs the query to its end. Rejects with the first error a command threw. */
  async run(): Promise<QueryOutcome> {
    const [first] = this.#stages;
    if (!first) throw new Error('empty query plan');
    try {
      for (let i = this.#stages.length - 1; i >= 0; i--) {
        await this.#stages[i]!.planned.command.onStart(this.#contextFor(i));
      }
      if (!first.stoppedBy) await (first.planned.command as QueryDriver).run();
    } catch (error) {
      this.#fail(error);
    }
    for (const stage of this.#stages) {
      await stage.tail;
      try {
        await stage.planned.command.onClose(stage.stoppedBy ?? 'end');
      } catch (error) {
        this.#fail(error);
      }
    }
    if (this.#failure) throw this.#failure.error;
    return { reason: this.#cancelled ? 'cancel' : 'end' };
  }

  #contextFor(index: number): CommandContext {
    const stage = this.#stages[index]!;
    return {
      emit: (row) => (stage.stoppedBy ? Promise.resolve() : this.#deliver(index + 1, row)),
      signal: stage.controller.signal,
      sentries: this.#env.sentries,
      session: this.#env.session,
      config: this.#env.config,
      ...(this.#env.cluster && { cluster: this.#env.cluster }),
      finishUpstream: () => {
        for (let i = 0; i < index; i++) this.#stages[i]!.stop('limit');
      },
    };
  }

  #deliver(index: number, row: Row): Promise<void> {
    const target = this.#stages[index];
    if (!target) {
      // The sink is called at once rather than through a promise chain: one per record cost a tenth of
      // sentry-netstat's throughput. Records still reach it in emit order, and its failure fails the query.
      try {
        const taken = this.#sink(row);
        return taken instanceof Promise ? taken.catch((error: unknown) => this.#fail(error)) : TAKEN;
      } catch (error) {
        this.#fail(error);
        return TAKEN;
      }
    }
    const command = target.planned.command as QueryCommand;
    target.tail = target.tail.then(() => (target.stoppedBy ? undefined : command.onPush(row))).catch((error: unknown) => this.#fail(error));
    return target.tail;
  }

  #fail(error: unknown): void {
    this.#failure ??= { error };
    for (const stage of this.#stages) stage.stop('cancel');
  }
}
