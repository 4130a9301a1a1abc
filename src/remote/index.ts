/**
 * Queries over a socket: a node's {@link QueryServer} and the client {@link runRemoteQuery}.
 *
 * @packageDocumentation
 */
export { QueryServer, type QueryServerOptions, type QueryAuditEvent, type StartQuery } from './query-server.js';
export { runRemoteQuery, RemoteQueryError, type RemoteQueryOptions } from './remote-query.js';
export { queryRequestSchema, queryResponseSchema, type QueryRequest, type QueryResponse } from './query-protocol.js';
