import type { Row, ValueType } from './value.js';
import type { HostConfig, Session } from './session.js';
import type { SentryConnector } from './sentry-connector.js';
import type { Cluster } from './cluster.js';
import type { ErrorCode } from '../errors/codes.js';

/**
 * Why a command is being closed.
 * - `end`: its input is exhausted; finish in-flight work and push its results.
 * - `cancel`: the user stopped the query; abort at once, push nothing more.
 * - `limit`: a command downstream has all it needs (e.g. `limit 10`); abort at once, like `cancel`.
 */
export type StopReason = 'end' | 'cancel' | 'limit';

/** What a running command gets from the host in {@link QueryCommand.onStart}. */
export interface CommandContext {
  /**
   * Pushes a record downstream. The promise resolves when the next command has taken it, which is the
   * backpressure: await it before producing more. After the command is closed for `cancel`/`limit`,
   * records are dropped and the promise resolves at once. It never rejects: a failure downstream stops the
   * query through `signal` instead.
   */
  emit(row: Row): Promise<void>;
  /** Aborted when this command must stop at once (`cancel`, or `limit` from downstream). */
  readonly signal: AbortSignal;
  /** The host's sentries (those connected to the node the query runs on). */
  readonly sentries: SentryConnector;
  /** The cluster, when the host is the control node of one; `undefined` on a standalone host. */
  readonly cluster?: Cluster;
  /** Who runs the query. */
  readonly session: Session;
  /** The host configuration. */
  readonly config: HostConfig;
  /**
   * Stops every command upstream of this one (they are closed with `limit`), e.g. when `limit N` has its N
   * records. This command and those downstream then close with `end` as usual.
   */
  finishUpstream(): void;
}

/**
 * A running command that takes records (transforming or filtering). The host calls `onStart` once, then
 * `onPush` once per input record, never concurrently (it waits for the returned promise), then `onClose`
 * once.
 *
 * `onPush` may return before the record's work is done (e.g. an RPC in flight), but should not return while
 * it holds more than a bounded amount of pending work: that is how a fast input is made to wait.
 */
export interface QueryCommand {
  /** Called once before any record. */
  onStart(ctx: CommandContext): void | Promise<void>;
  /** One input record. */
  onPush(row: Row): void | Promise<void>;
  /** Called once; the promise resolves when the command has pushed everything it will push. */
  onClose(reason: StopReason): void | Promise<void>;
}

/**
 * A command that starts a query and produces records from elsewhere (e.g. `sentry`, `json`). The host
 * calls `onStart`, then `run`, then `onClose`.
 */
export interface QueryDriver {
  /** Called once before `run`. */
  onStart(ctx: CommandContext): void | Promise<void>;
  /** Produces records with `ctx.emit` until done, or until `ctx.signal` is aborted. */
  run(): Promise<void>;
  /** Called once after `run` settles. */
  onClose(reason: StopReason): void | Promise<void>;
}

/** What `parse` gets from the host. */
export interface ParseContext {
  /** Who runs the query (checked for permission before anything else). */
  readonly session: Session;
  /** The host configuration. */
  readonly config: HostConfig;
  /**
   * The process environment, for settings that fall back to it.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The platform's command types. */
export type CommandType = 'driver' | 'transforming' | 'filtering' | 'aggregation';

/** Help for one option. */
export interface OptionHelp {
  /** Option name, as written in the query. */
  readonly name: string;
  /** Type of the option's value. */
  readonly type: ValueType;
  /** What the option does. */
  readonly description: string;
  /** Whether the option must be given. */
  readonly required: boolean;
  /** Value used when the option is omitted. */
  readonly default?: string | number | boolean;
  /** Inclusive range for numeric options. */
  readonly min?: number;
  /** Inclusive upper bound for numeric options. */
  readonly max?: number;
}

/** Help for one input or output field. */
export interface FieldHelp {
  /** Field name. */
  readonly name: string;
  /** Type of the field's value. */
  readonly type: ValueType;
  /** What the field holds. */
  readonly description: string;
  /** For input fields. */
  readonly required?: boolean;
  /**
   * For output fields the records have only when a boolean option of the command is true: its name (e.g.
   * `detail` for sentry-netstat's process, owners, …). Absent: every record has the field.
   */
  readonly onlyWith?: string;
}

/** The command's reference page, as data. */
export interface CommandHelp {
  /** One-paragraph description of the command. */
  readonly description: string;
  /** Usage synopsis. */
  readonly syntax: string;
  /** Platform properties of the command. */
  readonly properties: {
    /** The command's type. */
    readonly commandType: CommandType;
    /** Permission a user needs to run the command. */
    readonly requiredPermission: 'administrator' | 'none';
    /** How the command counts against the license. */
    readonly licenseUsage: string;
    /** Whether the command may run in parallel. */
    readonly parallelExecution: boolean;
    /** Whether the command may run distributed across nodes. */
    readonly distributedExecution: boolean;
  };
  /** The command's options. */
  readonly options: readonly OptionHelp[];
  /** Fields the command reads from input rows. */
  readonly inputFields: readonly FieldHelp[];
  /** Fields the command writes to output rows. */
  readonly outputFields: readonly FieldHelp[];
  /** Runtime error messages the command puts in `_error`, with what they mean. */
  readonly runtimeErrors: readonly RuntimeErrorHelp[];
}

/** One runtime error of a command: a message it puts in `_error`, and what it means. */
export interface RuntimeErrorHelp {
  /** The message as it appears in `_error`. */
  readonly message: string;
  /** What the message means. */
  readonly description: string;
}

/**
 * Parses a command's arguments into a runnable command. Separate from the command itself, as on the
 * platform: one parser serves every query that uses the command.
 *
 * @example
 * ```ts
 * const command = sentryNetstatParser.parse({ session, config }, ' timeout=60');
 * ```
 */
export interface CommandParser {
  /** The name typed in queries, e.g. `sentry-netstat`. */
  readonly name: string;
  /** Reference data: syntax, options, fields with types, properties. */
  readonly help: CommandHelp;
  /** The catalogue entries `parse` may throw. */
  readonly errors: readonly ErrorCode<never[]>[];
  /**
   * Builds the command from the text that follows its name (up to the next `|`). Throws a
   * `QueryParseError` with an offset relative to `argText` when it cannot.
   */
  parse(ctx: ParseContext, argText: string): QueryCommand | QueryDriver;
}
