import type { Cluster } from './cluster.js';
import { SentryRpcError, type SentryCallOptions, type SentryConnector, type SentryInfo } from './sentry-connector.js';

/**
 * Every sentry of a cluster as one {@link SentryConnector}: a call goes to the data node that holds the sentry
 * (from the cluster's directory), and `list` is every sentry of every node. This is how `sentry-netstat` reaches
 * a whole fleet from a process that holds no sentry itself, e.g. a Splunk search head on the NATS cluster; records
 * are those of `sentry-netstat` (no `node` field: that is `sonar-sentry-netstat`).
 *
 * @example
 * ```ts
 * const sentries = clusterConnector(natsCluster);
 * await sentries.call('web-01', 'netstat', {}, { timeoutMs: 30_000 });
 * ```
 */
export function clusterConnector(cluster: Cluster): SentryConnector {
  return {
    call(guid: string, method: string, params: Readonly<Record<string, unknown>>, options: SentryCallOptions): Promise<unknown> {
      const node = cluster.locate(guid);
      if (node === undefined) return Promise.reject(new SentryRpcError('not-connected'));
      return cluster.call(node, guid, method, params, options);
    },
    list(): readonly SentryInfo[] {
      return cluster.sentries().map(({ node: _node, ...info }) => info);
    },
  };
}
