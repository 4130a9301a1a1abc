import type { CommandParser } from '../runtime/command.js';
import type { Cluster } from '../runtime/cluster.js';
import type { SentryConnector } from '../runtime/sentry-connector.js';
import { hostConfigFrom, type ConfigValue, type HostConfig, type Session } from '../runtime/session.js';
import type { Row } from '../runtime/value.js';
import { builtinCommands } from './commands/builtin-commands.js';
import { QueryExecution } from './query-execution.js';
import { planQuery } from './query-plan.js';
import type { QueryRun, QueryStarter, RunOptions } from './query-starter.js';
import { SavedSearchScheduler } from './saved-search-scheduler.js';

/** A user of the host. */
export interface HostUser {
  /** Whether the user has administrator privileges (the sentry commands need them). */
  readonly admin: boolean;
}

/** How to build a {@link Host}. */
export interface HostOptions {
  /** The sentries commands call, e.g. a `WebSocketConnector`. */
  readonly connector: SentryConnector;
  /**
   * The cluster this host is the control node of, e.g. a `NatsCluster`.
   * @default none: a standalone host (`sonar-*` commands fail with `not a cluster`)
   */
  readonly cluster?: Cluster;
  /**
   * The users who may run queries, by name.
   * @default { admin: { admin: true } }
   */
  readonly users?: Readonly<Record<string, HostUser>>;
  /**
   * Host configuration, e.g. `logpresso.core.sentry_rpc_parallel`.
   * @default {}
   */
  readonly config?: Readonly<Record<string, ConfigValue>>;
  /**
   * The process environment commands fall back to.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The commands the host is given besides its built-ins, e.g. the plugin's `PLUGIN_COMMANDS`. One with a
   * built-in's name replaces it.
   * @default []
   */
  readonly commands?: readonly CommandParser[];
}

/**
 * The query host: users and sessions, host config, the sentries (and cluster) commands call, a query engine
 * with the built-in commands (sentry, json, fields, search, stats, sort, limit, eval) plus the commands it is
 * given, and scheduled saved searches. It knows no plugin: whoever assembles it hands it the commands.
 *
 * @example
 * ```ts
 * import { sentryNetstatCommand, WebSocketConnector } from 'sentry-netstat';
 * import { Host } from 'sentry-netstat/host';
 *
 * const connector = await WebSocketConnector.listen({ keys, port: 8443 });
 * const host = new Host({ connector, commands: [sentryNetstatCommand] });
 * const rows = await host.query('sentry | fields guid | sentry-netstat timeout=60');
 * host.close();
 * ```
 */
export class Host implements QueryStarter {
  /** The sentries commands call (`options.connector`). */
  readonly connector: SentryConnector;
  /** Runs saved searches on this host; {@link Host.close} stops it. */
  readonly scheduler: SavedSearchScheduler;
  readonly #cluster: Cluster | undefined;
  readonly #users: Map<string, HostUser>;
  readonly #config: Map<string, ConfigValue>;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #parsers = new Map<string, CommandParser>();

  constructor(options: HostOptions) {
    this.connector = options.connector;
    this.#cluster = options.cluster;
    this.#users = new Map(Object.entries(options.users ?? { admin: { admin: true } }));
    this.#config = new Map(Object.entries(options.config ?? {}));
    this.#env = options.env ?? process.env;
    for (const parser of [...builtinCommands, ...(options.commands ?? [])]) this.register(parser);
    this.scheduler = new SavedSearchScheduler(this);
  }

  /** Adds a command (replacing one of the same name). */
  register(parser: CommandParser): void {
    this.#parsers.set(parser.name, parser);
  }

  /** The registered command parsers by name: the built-ins, then those given. */
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
  setUser(name: string, user: HostUser): void {
    this.#users.set(name, user);
  }

  /**
   * The session of `user`; throws when there is no such user.
   * @param user - a user's name (`admin` when omitted)
   */
  session(user = 'admin'): Session {
    const found = this.#users.get(user);
    if (!found) throw new Error(`unknown user '${user}'`);
    return { user, isAdmin: found.admin };
  }

  /**
   * Parses `query` as `options.user` and starts it. Parse errors (`QueryParseError`, with code and offset) are
   * thrown here, before anything runs.
   */
  start(query: string, options: RunOptions = {}): QueryRun {
    const session = this.session(options.user);
    const config = this.config;
    const plan = planQuery(query, this.#parsers, { session, config, env: this.#env });
    const execution = new QueryExecution(
      plan,
      { sentries: this.connector, session, config, ...(this.#cluster && { cluster: this.#cluster }) },
      options.onRecord ?? (() => undefined),
    );
    const { signal } = options;
    const onAbort = (): void => execution.cancel();
    if (signal?.aborted) execution.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = execution.run().finally(() => signal?.removeEventListener('abort', onAbort));
    return { done, cancel: () => execution.cancel() };
  }

  /** Runs `query` as `options.user` and resolves with its records (or with none when `onRecord` takes them). */
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
