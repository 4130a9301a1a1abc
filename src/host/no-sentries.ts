import { RUNTIME_ERRORS } from '../errors/runtime-errors.js';
import { SentryRpcError, type SentryConnector } from '../runtime/sentry-connector.js';

/**
 * The connector of the control node of a cluster, whose sentries are all on its data nodes: it lists none, and
 * every call fails (kind `not-connected`) with `this is a control node: use sonar-sentry-netstat`, so that
 * `sentry-netstat` run there says what to run instead of a bare `not connected`.
 *
 * @example
 * ```ts
 * const host = new Host({ connector: NO_SENTRIES, cluster: new NatsCluster({ nc }) });
 * ```
 */
export const NO_SENTRIES: SentryConnector = Object.freeze<SentryConnector>({
  list: () => [],
  call: () => Promise.reject(new SentryRpcError('not-connected', RUNTIME_ERRORS.CONTROL_NODE.message())),
});
