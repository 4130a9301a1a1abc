/**
 * What starting a query takes and gives back, apart from {@link Host} so that what only starts queries (the
 * saved-search scheduler, a query endpoint) depends on this small interface and not on the host.
 *
 * @module
 */
import type { QueryOutcome, RecordSink } from './query-execution.js';

/** Who runs a query, and where its records go. */
export interface RunOptions {
  /**
   * The user the query runs as.
   * @default "admin"
   */
  readonly user?: string;
  /** Receives each output record as it comes; when given, `query` resolves with no records. */
  readonly onRecord?: RecordSink;
  /** Aborting it cancels the query. */
  readonly signal?: AbortSignal;
}

/** A started query. */
export interface QueryRun {
  /** Settles when the query has ended and every command was closed. */
  readonly done: Promise<QueryOutcome>;
  /** Stops the query now. */
  cancel(): void;
}

/**
 * Starts queries: parses the text as the user and runs it. Parse errors (`QueryParseError`) are thrown by
 * `start`, before anything runs. {@link Host} is one.
 *
 * @example
 * ```ts
 * const starter: QueryStarter = host;
 * const run = starter.start('sentry | fields guid', { user: 'admin', onRecord: (row) => console.log(row) });
 * await run.done;
 * ```
 */
export interface QueryStarter {
  /** Parses `query` as `options.user` and starts it. */
  start(query: string, options: Pick<RunOptions, 'user' | 'onRecord'>): QueryRun;
}
