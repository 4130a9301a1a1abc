import { Host, type HostUser } from '../src/host/host.js';
import { PLUGIN_COMMANDS } from '../src/plugin.js';
import type { CommandParser } from '../src/runtime/command.js';
import type { Cluster } from '../src/runtime/cluster.js';
import type { SentryConnector } from '../src/runtime/sentry-connector.js';
import type { ConfigValue } from '../src/runtime/session.js';
import { MockCluster, type MockDataNode } from './mock-cluster.js';
import { MockSentryConnector, type MockSentry } from './mock-sentries.js';

export type { QueryRun, RunOptions } from '../src/host/query-starter.js';

/** A user of the mock host. */
export type MockUser = HostUser;

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
  /** A real cluster (e.g. `NatsCluster`): the host is its control node. Takes precedence over `nodes`. */
  readonly cluster?: Cluster;
  /** The process environment commands fall back to. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra command parsers, besides the built-ins and the plugin's commands. */
  readonly commands?: readonly CommandParser[];
}

/**
 * The real {@link Host} assembled with in-memory doubles, for tests and examples: {@link MockSentryConnector}
 * sentries (or a given connector), an optional {@link MockCluster} of data nodes (or a given cluster), and the
 * plugin's commands (every one in `PLUGIN_COMMANDS`) besides the host's built-ins.
 *
 * @example
 * ```ts
 * const host = new MockHost({ sentries: [{ guid: 'web-01', connections: [...] }] });
 * const rows = await host.query('sentry | fields guid | sentry-netstat');
 * ```
 */
export class MockHost extends Host {
  /** The in-memory sentries (from `options.sentries`). */
  readonly sentries: MockSentryConnector;
  /** The in-memory cluster, when built with `nodes`. */
  readonly cluster: MockCluster | undefined;

  constructor(options: MockHostOptions = {}) {
    const { sentries: mockSentries, nodes, connector, cluster, commands, ...hostOptions } = options;
    const sentries = new MockSentryConnector(mockSentries);
    const mockCluster = nodes ? new MockCluster(nodes) : undefined;
    const controlOf = cluster ?? mockCluster;
    super({
      ...hostOptions,
      connector: connector ?? sentries,
      ...(controlOf && { cluster: controlOf }),
      commands: [...PLUGIN_COMMANDS, ...(commands ?? [])],
    });
    this.sentries = sentries;
    this.cluster = mockCluster;
  }
}
