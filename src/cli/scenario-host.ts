import { Host } from '../host/host.js';
import { PLUGIN_COMMANDS } from '../plugin.js';
import { MockCluster } from '../../sdk-mock/mock-cluster.js';
import { MockSentryConnector } from '../../sdk-mock/mock-sentries.js';
import { CallTally, countedCluster, countedConnector } from './progress-tally.js';
import type { loadScenarioFile } from '../../sdk-mock/scenario.js';

/** A scenario file's host options: users, config, in-memory sentries and data nodes. */
export type ScenarioOptions = Awaited<ReturnType<typeof loadScenarioFile>>;

/**
 * The plugin's host over an offline scenario (`--scenario`): the scenario's users and config, its sentries as
 * in-memory doubles, and its data nodes, if any, as the cluster this host is the control node of; their calls
 * counted in `tally` (for the progress line).
 */
export function scenarioHost(scenario: ScenarioOptions, tally: CallTally = new CallTally()): Host {
  const { users, config, sentries, nodes } = scenario;
  return new Host({
    connector: countedConnector(new MockSentryConnector(sentries), tally),
    ...(nodes && { cluster: countedCluster(new MockCluster(nodes), tally) }),
    ...(users && { users }),
    ...(config && { config }),
    commands: PLUGIN_COMMANDS,
  });
}
