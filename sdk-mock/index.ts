/**
 * sdk-mock: the host's in-memory test doubles (sentries, a cluster of data nodes), scenario files, and
 * MockHost, the real host assembled with them and the plugin's commands, for tests, examples and the CLI.
 *
 * @packageDocumentation
 */
export { MockHost, type MockHostOptions, type MockUser, type RunOptions, type QueryRun } from './mock-host.js';
export { MockCluster, nodeUnreachable, type MockDataNode } from './mock-cluster.js';
export {
  MockSentryConnector,
  MALFORMED_ANSWER,
  MOCK_METHODS,
  type MockMethods,
  type MockSentry,
  type MockSentryFailure,
} from './mock-sentries.js';
export { scenarioSchema, scenarioHostOptions, loadScenarioFile, ScenarioError, type Scenario } from './scenario.js';
