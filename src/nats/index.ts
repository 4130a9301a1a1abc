/**
 * The cluster on NATS: data nodes serve their sentries on `sentry.<guid>.<method>` and announce them; any node
 * runs `sonar-sentry-netstat` over NATS ({@link NatsCluster}); agents may connect to NATS themselves
 * ({@link serveSentryOnNats}), with credentials limited to their own guid ({@link natsPermissions}).
 *
 * @packageDocumentation
 */
export {
  connectNats,
  requireSecureNatsUrls,
  describeNatsError,
  type ConnectNatsOptions,
  type NatsConnectionEvent,
} from './connect-nats.js';
export { NatsDataNode, type NatsDataNodeOptions } from './data-node.js';
export { NatsCluster, type NatsClusterOptions } from './nats-cluster.js';
export { PresenceDirectory, type PresenceDirectoryOptions, type PresenceEvent } from './presence-directory.js';
export { NatsRequester, type NatsRequesterOptions, type NatsRequestOptions, type NatsReply } from './requester.js';
export { serveSentryOnNats, type DirectAgent, type DirectAgentOptions } from './direct-agent.js';
export {
  natsPermissions,
  natsUserEntry,
  type NatsPermissions,
  type NatsRole,
  type NatsNodeRole,
  type NatsControlRole,
  type NatsAgentRole,
  type NatsSubjectList,
  type NatsResponsePermission,
} from './permissions.js';
export {
  callSubject,
  guidToken,
  guidOfToken,
  sentryCallsSubject,
  nodeSubjects,
  agentHeartbeatSubject,
  DIRECT_NODE,
  NODE_NAME_PATTERN,
  type NodeSubjects,
} from './subjects.js';
export { ChunkAssembler, ChunkError } from './chunk-assembler.js';
export * from './wire.js';
