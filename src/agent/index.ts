/**
 * The sentry agent: {@link startAgent} (connects, authenticates, answers a table of RPC methods, reconnects)
 * and its backoff.
 *
 * @packageDocumentation
 */
export { startAgent, type AgentOptions, type AgentHandle, type AgentStatus } from './agent-client.js';
export { AgentConfigError, checkAgentGuid, checkAgentUrl } from './agent-config.js';
export { fullJitterBackoff, type Backoff, type FullJitterOptions } from './backoff.js';
export { collectConnections, ONE_SHOT_PARALLEL_FROM, type Collected, type CollectOptions } from './collect-connections.js';
export { gateMethods, type CollectionGateOptions } from './collection-gate.js';
