/**
 * sentry-netstat: the host SDK contract, the sentry RPC commands, and their error catalogue.
 *
 * @packageDocumentation
 */
export * from './runtime/command.js';
export * from './runtime/session.js';
export * from './runtime/sentry-connector.js';
export * from './runtime/value.js';
export { IpAddress } from './runtime/ip-address.js';
export { RpcPool } from './runtime/rpc-pool.js';
export { readOptions, type RawOption } from './runtime/option-list.js';
export {
  SENTRY_RPC_PARALLEL_KEY,
  DEFAULT_SENTRY_RPC_PARALLEL,
  resolveSentryRpcParallel,
} from './runtime/sentry-rpc-parallel.js';
export { ERRORS, ALL_ERROR_CODES, type ErrorCode } from './errors/codes.js';
export { QueryParseError } from './errors/query-parse-error.js';
export { RUNTIME_ERRORS, ALL_RUNTIME_ERRORS, type RuntimeError } from './errors/runtime-errors.js';
export type { SentryMethods, SentryMethodHandler } from './runtime/sentry-methods.js';
export { PLUGIN_COMMANDS, AGENT_METHODS } from './plugin.js';
export { GUID_ERRORS, guidError } from './commands/guid-check.js';
export {
  netstatRows,
  netstatAnswerSchema,
  netstatConnectionSchema,
  MalformedAnswerError,
  TCP_STATES,
  UDP_STATES,
  PROTOCOLS,
  type Protocol,
  type NetstatConnection,
  type WireConnection,
} from './commands/netstat-answer.js';
export {
  parseSentryRpcOptions,
  SENTRY_RPC_TIMEOUT,
  SENTRY_RPC_PARSE_ERRORS,
  type SentryRpcSettings,
} from './commands/sentry-rpc-options.js';
export { SentryRpcCommand, type SentryRpcCall } from './commands/sentry-rpc-command.js';
export {
  sentryNetstatCommand,
  NETSTAT_METHOD,
  NETSTAT_OUTPUT_FIELDS,
  SENTRY_RPC_RUNTIME_ERRORS,
  runtimeErrorHelp,
} from './commands/sentry-netstat.js';
export { KeyRegistry, type KeyCheck } from './connector/key-registry.js';
export {
  WebSocketConnector,
  type WebSocketConnectorOptions,
  type ConnectorLogEvent,
} from './connector/websocket-connector.js';
export { helloFrameSchema, type HelloFrame } from './connector/protocol.js';
export { CLOSE_CODES } from './rpc/close-codes.js';
export { welcomeFrameSchema, type WelcomeFrame } from './rpc/welcome-frame.js';
export * from './rpc/limits.js';
export { type FramePort } from './rpc/frame-port.js';
export { RpcChannel, type RpcChannelOptions } from './rpc/rpc-channel.js';
export { type RpcHandler, type RpcHandlers } from './rpc/rpc-handlers.js';
export { JsonText } from './rpc/json-text.js';
export { awaitGreeting, sendGreeting, sendWelcome, type Handshake, type HandshakeEvents } from './rpc/handshake.js';
export { WebSocketPort, type WebSocketPortEvents } from './rpc/websocket-port.js';
export { startAgent, type AgentOptions, type AgentHandle, type AgentStatus } from './agent/agent-client.js';
export { fullJitterBackoff, type Backoff, type FullJitterOptions } from './agent/backoff.js';
export {
  startFleet,
  FleetConnectError,
  type Fleet,
  type FleetOptions,
  type FleetMember,
  type FleetStats,
} from './simulator/fleet.js';
export { type SimulatorCounters, type SimulatedMethods } from './simulator/simulated-sentry.js';
export { faultOf, checkFaultFractions, type FaultFractions, type SentryFault } from './simulator/fault-plan.js';
export { simulatedCredentials, readCredentialsFile, type SentryCredentials } from './simulator/fleet-keys.js';
export { fakeConnections, type FakeConnection } from './simulator/fake-connections.js';
export { loadKeysFile, readKeysFile, loadAgentKey, keysFileSchema, KeyFileError } from './connector/key-file.js';
export { QueryServer, type QueryServerOptions, type StartQuery } from './remote/query-server.js';
export { runRemoteQuery, RemoteQueryError, type RemoteQueryOptions } from './remote/remote-query.js';
export { queryRequestSchema, queryResponseSchema, type QueryRequest, type QueryResponse } from './remote/query-protocol.js';
export { type Cluster, type ClusterNode, type ClusterSentryInfo } from './runtime/cluster.js';
export { sonarSentryNetstatCommand, NOT_A_CLUSTER } from './commands/sonar-sentry-netstat.js';
export { RemoteCluster, type RemoteClusterOptions } from './cluster/remote-cluster.js';
export { ClusterEndpoint, joinFrameSchema, callParamsSchema, type ClusterEndpointOptions, type JoinFrame } from './cluster/cluster-endpoint.js';
