import { sentryNetstatCommand } from '../src/commands/sentry-netstat.js';
import { sonarSentryNetstatCommand } from '../src/commands/sonar-sentry-netstat.js';
import type { CommandParser } from '../src/runtime/command.js';
import type { Cluster } from '../src/runtime/cluster.js';
import type { SentryConnector } from '../src/runtime/sentry-connector.js';
import { hostConfigFrom, type ConfigValue, type HostConfig, type Session } from '../src/runtime/session.js';
import type { Row } from '../src/runtime/value.js';
import { builtinCommands } from '../src/host/commands/builtin-commands.js';
import { MockCluster, type MockDataNode } from './mock-cluster.js';
import { MockSentryConnector, type MockSentry } from './mock-sentries.js';
import { QueryExecution } from '../src/host/query-execution.js';
import { planQuery } from '../src/host/query-plan.js';
import { SavedSearchScheduler } from '../src/host/saved-search-scheduler.js';
import type { QueryRun, RunOptions } from '../src/host/query-starter.js';

export type { QueryRun, RunOptions };

/** A user of the mock host. */
export interface MockUser {
  /** Whether the user has administrator privileges. */
  readonly admin: boolean;
}

/** How to build a {@link MockHost}. */
export interface MockHostOptions {
  /** @default { admin: { admin: true } } */
  readonly users?: Readonly<Record<string, MockUser>>;
  /** Host configuration, e.g. `logpresso.core.sentry_rpc_parallel`. */
  readonly config?: Readonly<Record<string, ConfigValue>>;
  /** The in-memory sentries. @default [] */
  readonly sentries?: readonly MockSentry[];
  /**
   * A real connector (e.g. `WebSocketConnector`) to use instead of the in-memory sentries.
   * @default the in-memory {@link MockHost.sentries}
   */
  readonly connector?: SentryConnector;
  /**
   * Data nodes: the host becomes the control node of an in-memory cluster (its own `sentries` stay those of
   * the control node, usually none).
   */
  readonly nodes?: readonly MockDataNode[];
  /** A real cluster (e.g. `RemoteCluster`): the host is its control node. Takes precedence over `nodes`. */
  readonly cluster?: Cluster;
  /** The process environment commands fall back to. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra command parsers, besides the built-ins and sentry-netstat. */
  readonly commands?: readonly CommandParser[];
}

/**
 * An offline host implementing the SDK contract: users and sessions, host config, in-memory sentries, a query
 * engine with the built-in commands (sentry, json, fields, search, stats, sort, limit, eval) and
 * sentry-netstat, and scheduled saved searches.
 *
 * @example
 * ```ts
 * const host = new MockHost({ sentries: [{ guid: 'web-01', connections: [...] }] });
 * const rows = await host.query('sentry | fields guid | sentry-netstat');
 * ```
 */
export class MockHost {
  /** The in-memory sentries (from `options.sentries`). */
  readonly sentries: MockSentryConnector;
  /** What commands call: `options.connector`, else {@link MockHost.sentries}. */
  readonly connector: SentryConnector;
  /** The in-memory cluster, when built with `nodes`. */
  readonly cluster: MockCluster | undefined;
  readonly #cluster: Cluster | undefined;
  /** Runs saved searches on this host. */
  readonly scheduler: SavedSearchScheduler;
  readonly #users: Map<string, MockUser>;
  readonly #config: Map<string, ConfigValue>;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #parsers = new Map<string, CommandParser>();

  constructor(options: MockHostOptions = {}) {
    this.#users = new Map(Object.entries(options.users ?? { admin: { admin: true } }));
    this.#config = new Map(Object.entries(options.config ?? {}));
    this.#env = options.env ?? process.env;
    this.sentries = new MockSentryConnector(options.sentries);
    this.connector = options.connector ?? this.sentries;
    this.cluster = options.nodes ? new MockCluster(options.nodes) : undefined;
    this.#cluster = options.cluster ?? this.cluster;
    for (const parser of [...builtinCommands, sentryNetstatCommand, sonarSentryNetstatCommand, ...(options.commands ?? [])]) this.register(parser);
    this.scheduler = new SavedSearchScheduler(this);
  }

  /** Adds a command (replacing one of the same name). */
  register(parser: CommandParser): void {
    this.#parsers.set(parser.name, parser);
  }

  /** The registered command parsers by name. */
  get commands(): ReadonlyMap<string, CommandParser> {
    return this.#parsers;
  }

  /** The host configuration as commands see it. */
  get config(): HostConfig {
    return hostConfigFrom(this.#config);
  }

  /** Sets (or, with `undefined`, removes) a config value. */
  setConfig(key: string, value: ConfigValue | undefined): void {
    if (value === undefined) this.#config.delete(key);
    else this.#config.set(key, value);
  }

  /** Adds or changes a user. */
  setUser(name: string, user: MockUser): void {
    this.#users.set(name, user);
  }

  /** The session of `user`; throws when there is no such user. */
  session(user = 'admin'): Session {
    const found = this.#users.get(user);
    if (!found) throw new Error(`unknown user '${user}'`);
    return { user, isAdmin: found.admin };
  }

  /**
   * Parses `query` as `user` and starts it. Parse errors (`QueryParseError`, with code and offset) are
   * thrown here, before anything runs.
   */
  start(query: string, options: RunOptions = {}): QueryRun {
    const session = this.session(options.user);
    const config = this.config;
    const plan = planQuery(query, this.#parsers, { session, config, env: this.#env });
    const execution = new QueryExecution(plan, { sentries: this.connector, session, config, ...(this.#cluster && { cluster: this.#cluster }) }, options.onRecord ?? (() => undefined));
    const { signal } = options;
    const onAbort = (): void => execution.cancel();
    if (signal?.aborted) execution.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = execution.run().finally(() => signal?.removeEventListener('abort', onAbort));
    return { done, cancel: () => execution.cancel() };
  }

  /** Runs `query` as `user` and resolves with its records (or with none when `onRecord` takes them). */
  async query(query: string, options: RunOptions = {}): Promise<Row[]> {
    const records: Row[] = [];
    const onRecord = options.onRecord ?? ((row: Row) => void records.push(row));
    await this.start(query, { ...options, onRecord }).done;
    return records;
  }

  /** Stops the scheduler; the host holds no timers afterwards. */
  close(): void {
    this.scheduler.stopAll();
  }
}
