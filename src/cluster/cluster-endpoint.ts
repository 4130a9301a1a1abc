/**
 * The data node's cluster endpoint: the control node joins with `{type:'join', token}` (checked in constant time),
 * then speaks JSON-RPC 2.0: `sentries` → the connector's list, `call` {guid, method, params, timeoutMs} → a call.
 *
 * @module
 */
import { JSONRPCErrorCode, JSONRPCErrorException, JSONRPCServer, type JSONRPCRequest } from 'json-rpc-2.0';
import { once } from 'node:events';
import { z } from 'zod';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES, readFrame, rpcRequestSchema } from '../connector/protocol.js';
import { secretDigest, secretMatches } from '../connector/secret.js';
import type { SentryConnector } from '../runtime/sentry-connector.js';

/** The first frame the control node sends. */
export const joinFrameSchema = z.object({
  /** Always `join`. */
  type: z.literal('join'),
  /** The shared cluster token (1–4096 characters). */
  token: z.string().min(1).max(4096),
});

/** Params of the `call` method. */
export const callParamsSchema = z.object({
  /** GUID of the sentry to call. */
  guid: z.string().min(1).max(256),
  /** RPC method to call on the sentry. */
  method: z.string().min(1).max(256),
  /** Named parameters of the call. @default {} */
  params: z.record(z.string(), z.unknown()).default({}),
  /** Call timeout in milliseconds (at most one hour). */
  timeoutMs: z.number().int().positive().max(3_600_000),
});


/** Options of {@link ClusterEndpoint.listen}. */
export interface ClusterEndpointOptions {
  /** The sentries this data node serves. */
  readonly connector: SentryConnector;
  /** The shared cluster token the control node must present. */
  readonly token: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 */
  readonly port?: number;
  /** Ms the control node has to join. @default 10 000 */
  readonly joinTimeoutMs?: number;
}

/** A data node's endpoint for the control node. */
export class ClusterEndpoint {
  readonly #server: WebSocketServer;
  readonly #sockets = new Set<WebSocket>();

  private constructor(server: WebSocketServer, options: ClusterEndpointOptions) {
    this.#server = server;
    const expected = secretDigest(options.token);
    // `sentries` and `call`, answered by json-rpc-2.0; a method's thrown message becomes the error's message.
    const rpc = new JSONRPCServer<AbortSignal>({ errorListener: () => undefined });
    rpc.addMethod('sentries', () => options.connector.list().map((s) => ({ ...s, ...(s.connected_at && { connected_at: s.connected_at.toISOString() }) })));
    rpc.addMethod('call', async (params: unknown, signal: AbortSignal) => {
      const parsed = callParamsSchema.safeParse(params);
      if (!parsed.success) throw new JSONRPCErrorException('invalid params', JSONRPCErrorCode.InvalidParams);
      const p = parsed.data;
      return (await options.connector.call(p.guid, p.method, p.params, { timeoutMs: p.timeoutMs, signal })) ?? null;
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      const link = new AbortController();
      let joined = false;
      const joinTimer = setTimeout(() => socket.close(CLOSE_CODES.policy, 'join timeout'), options.joinTimeoutMs ?? 10_000);
      socket.on('close', () => { clearTimeout(joinTimer); this.#sockets.delete(socket); link.abort(new Error('disconnected')); });
      socket.on('error', () => undefined);
      socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        if (!joined) {
          const join = readFrame(joinFrameSchema, data);
          if (!join.ok || !secretMatches(expected, join.frame.token)) {
            socket.close(CLOSE_CODES.policy, 'authentication failed');
            return;
          }
          joined = true;
          clearTimeout(joinTimer);
          socket.send(JSON.stringify({ type: 'welcome' }));
          return;
        }
        const request = readFrame(rpcRequestSchema, data);
        if (!request.ok) { socket.close(CLOSE_CODES.malformedFrame, request.error); return; }
        // The library correlates and answers; calls in flight are aborted through the link's signal when it closes.
        void rpc.receive(request.frame as JSONRPCRequest, link.signal).then((response) => {
          if (response && socket.readyState === socket.OPEN) socket.send(JSON.stringify(response));
        });
      });
    });
  }

  /** Starts listening. */
  static async listen(options: ClusterEndpointOptions): Promise<ClusterEndpoint> {
    const server = new WebSocketServer({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, maxPayload: 1 << 20 });
    await once(server, 'listening');
    return new ClusterEndpoint(server, options);
  }

  /**
   * Where the endpoint listens.
   * @returns its address and (possibly OS-chosen) port
   * @throws Error `not listening` if the server has no address
   */
  address(): {
    /** The IP address listened on. */
    address: string;
    /** The port listened on. */
    port: number;
  } {
    const a = this.#server.address();
    if (typeof a === 'string' || a === null) throw new Error('not listening');
    return { address: a.address, port: a.port };
  }

  /** Closes every link and stops listening. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
