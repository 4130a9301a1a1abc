import { Host } from '../host/host.js';
import { PLUGIN_COMMANDS } from '../plugin.js';
import { MockCluster } from '../../sdk-mock/mock-cluster.js';
import { MockSentryConnector } from '../../sdk-mock/mock-sentries.js';
import type { loadScenarioFile } from '../../sdk-mock/scenario.js';

/** A scenario file's host options: users, config, in-memory sentries and data nodes. */
export type ScenarioOptions = Awaited<ReturnType<typeof loadScenarioFile>>;

/**
 * The plugin's host over an offline scenario (`--scenario`): the scenario's users and config, its sentries as
 * in-memory doubles, and its data nodes, if any, as the cluster this host is the control node of.
 */
export function scenarioHost(scenario: ScenarioOptions): Host {
  const { users, config, sentries, nodes } = scenario;
  return new Host({
    connector: new MockSentryConnector(sentries),
    ...(nodes && { cluster: new MockCluster(nodes) }),
    ...(users && { users }),
    ...(config && { config }),
    commands: PLUGIN_COMMANDS,
  });
}
