import { SentryRpcError, type SentryConnector } from '../runtime/sentry-connector.js';

/**
 * The connector of a host that holds no sentries itself, e.g. the control node of a cluster, whose sentries
 * are all on its data nodes: it lists none, and every call fails with `not connected`.
 *
 * @example
 * ```ts
 * const host = new Host({ connector: NO_SENTRIES, cluster: new NatsCluster({ nc }) });
 * ```
 */
export const NO_SENTRIES: SentryConnector = Object.freeze<SentryConnector>({
  list: () => [],
  call: () => Promise.reject(SentryRpcError.notConnected()),
});
