/**
 * sentry-netstat: the host SDK contract (commands, values, sentry connector, cluster), the plugin's commands and
 * their registration (`PLUGIN_COMMANDS`, `AGENT_METHODS`), and the error catalogues. The other parts have their
 * own entry points: `sentry-netstat/host`, `/rpc`, `/connector`, `/agent`, `/cluster`, `/remote`,
 * `/simulator` and `/sdk-mock`.
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
export { SENTRY_RPC_PARALLEL_KEY, DEFAULT_SENTRY_RPC_PARALLEL, resolveSentryRpcParallel } from './runtime/sentry-rpc-parallel.js';
export { ERRORS, ALL_ERROR_CODES, type ErrorCode } from './errors/codes.js';
export { QueryParseError } from './errors/query-parse-error.js';
export { RUNTIME_ERRORS, ALL_RUNTIME_ERRORS, type RuntimeError } from './errors/runtime-errors.js';
export type { SentryMethods, SentryMethodHandler } from './runtime/sentry-methods.js';
export { PLUGIN_COMMANDS, AGENT_METHODS, SENTRY_METHOD_NAMES } from './plugin.js';
export { GUID_ERRORS, guidError } from './commands/guid-check.js';
export {
  netstatRows,
  netstatAnswerSchema,
  netstatConnectionSchema,
  DETAIL_FIELD_NAMES,
  MalformedAnswerError,
  TCP_STATES,
  UDP_STATES,
  PROTOCOLS,
  type Protocol,
  type NetstatConnection,
  type NetstatRowsOptions,
  type ConnectionDetail,
  type WireConnection,
} from './commands/netstat-answer.js';
export {
  parseSentryRpcOptions,
  SENTRY_RPC_TIMEOUT,
  TIMEOUT_OPTION_HELP,
  SENTRY_RPC_PARSE_ERRORS,
  SENTRY_RPC_PARSE_ERRORS_WITH_FLAGS,
  type SentryRpcSettings,
} from './commands/sentry-rpc-options.js';
export { SentryRpcCommand, type SentryRpcCall } from './commands/sentry-rpc-command.js';
export {
  sentryNetstatCommand,
  NETSTAT_METHOD,
  NETSTAT_OUTPUT_FIELDS,
  NETSTAT_DETAIL_OUTPUT_FIELDS,
  DETAIL_OPTION_HELP,
  netstatParams,
} from './commands/sentry-netstat.js';
export {
  sentryRpcHelp,
  runtimeErrorHelp,
  SENTRY_RPC_RUNTIME_ERRORS,
  GUID_INPUT_FIELD,
  ERROR_OUTPUT_FIELD,
  type SentryRpcHelpParts,
} from './commands/sentry-rpc-help.js';
export { type Cluster, type ClusterNode, type ClusterSentryInfo } from './runtime/cluster.js';
export { sonarSentryNetstatCommand, NOT_A_CLUSTER } from './commands/sonar-sentry-netstat.js';
