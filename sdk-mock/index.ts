/**
 * sdk-mock: an offline host that implements the SDK contract, for tests, examples and the CLI.
 *
 * @packageDocumentation
 */
export { MockHost, type MockHostOptions, type MockUser, type RunOptions, type QueryRun } from './mock-host.js';
export { MockCluster, nodeUnreachable, type MockDataNode } from './mock-cluster.js';
export { MockSentryConnector, MALFORMED_ANSWER, type MockSentry, type MockSentryFailure } from './mock-sentries.js';
export { SavedSearchScheduler, type SavedSearch, type SavedSearchRun } from '../src/host/saved-search-scheduler.js';
export { scenarioSchema, scenarioHostOptions, loadScenarioFile, ScenarioError, type Scenario } from './scenario.js';
export { planQuery, type PlannedCommand } from '../src/host/query-plan.js';
export { QueryExecution, type QueryOutcome, type RecordSink, type ExecutionEnvironment } from '../src/host/query-execution.js';
export { parsePipeline } from '../src/host/pipeline.js';
export type { PipelineSegment } from '../src/host/query-ast.js';
