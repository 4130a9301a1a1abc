import { MockCluster } from '../../sdk-mock/mock-cluster.js';
import { MockSentryConnector } from '../../sdk-mock/mock-sentries.js';
import { clusterConnector } from '../runtime/cluster-connector.js';
import { hostConfigFrom } from '../runtime/session.js';
import type { SessionBackend } from '../splunk/session-backend.js';
import type { ScenarioOptions } from './scenario-host.js';

/**
 * `sentry-query splunk --scenario FILE`: a Splunk session against the offline scenario instead of splunkd and
 * the cluster.
 * - The caller is `searchinfo.username` looked up in the scenario's `users`: an `admin: true` user stands for a
 *   Splunk user with the capability `run_sentry_rpc`; any other name, or none, for one without (23100).
 * - `sentrynetstat` calls the scenario's `sentries`; a scenario with only `nodes` is a search head on a cluster,
 *   as the app is: `sentrynetstat` then reaches every node's sentries, and `sonarsentrynetstat` routes through
 *   the nodes.
 */
export function scenarioBackend(scenario: ScenarioOptions): SessionBackend {
  const users = scenario.users ?? { admin: { admin: true } };
  const cluster = scenario.nodes ? new MockCluster(scenario.nodes) : undefined;
  const sentries = scenario.sentries || !cluster ? new MockSentryConnector(scenario.sentries ?? []) : clusterConnector(cluster);
  return {
    config: hostConfigFrom(scenario.config ?? {}),
    caller: (searchInfo) => {
      const user = searchInfo.username ?? '';
      return Promise.resolve({ user, isAdmin: Object.hasOwn(users, user) && users[user]?.admin === true });
    },
    connect: () => Promise.resolve({ sentries, ...(cluster && { cluster }), close: () => undefined }),
  };
}
