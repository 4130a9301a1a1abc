/**
 * The real cluster: a data node's {@link ClusterEndpoint} and the control node's {@link RemoteCluster}.
 *
 * @packageDocumentation
 */
export { RemoteCluster, type RemoteClusterOptions } from './remote-cluster.js';
export { ClusterEndpoint, joinFrameSchema, callParamsSchema, type ClusterEndpointOptions, type JoinFrame } from './cluster-endpoint.js';
