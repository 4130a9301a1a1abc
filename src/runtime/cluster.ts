import type { SentryCallOptions, SentryInfo } from './sentry-connector.js';

/** A node of a cluster: queries run on the control node; sentries connect to data nodes. */
export interface ClusterNode {
  /** The node's name. */
  readonly name: string;
  /** Whether it is the control node or a data node. */
  readonly type: 'control' | 'data';
}

/** A sentry as the cluster's directory knows it: which data node holds it. */
export interface ClusterSentryInfo extends SentryInfo {
  /** Name of the data node that holds the sentry. */
  readonly node: string;
}

/**
 * The cluster as commands see it (on the control node). `sonar-sentry-netstat` routes each guid to the data
 * node that holds its sentry and calls it there.
 */
export interface Cluster {
  /** Every node, control and data. */
  nodes(): readonly ClusterNode[];
  /** Every sentry of every data node, with its node. */
  sentries(): readonly ClusterSentryInfo[];
  /** The data node holding the connected sentry `guid`, from the directory; `undefined` when none does. */
  locate(guid: string): string | undefined;
  /**
   * Calls the sentry `guid` through data node `node`. Rejects like `SentryConnector.call` (`not connected`,
   * `timeout`, `disconnected`, the sentry's message), or with a node-level message naming the node
   * (e.g. `node dn2 is unreachable`).
   */
  call(node: string, guid: string, method: string, params: Readonly<Record<string, unknown>>, options: SentryCallOptions): Promise<unknown>;
}
