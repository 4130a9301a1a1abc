/**
 * The data node's cluster endpoint: the control node joins with `{type:'join', token}` (checked in constant time),
 * then speaks JSON-RPC 2.0: `sentries` → the connector's list, `call` {guid, method, params, timeoutMs} → a call.
 *
 * @module
 */
import { JSONRPCErrorCode, JSONRPCErrorException } from 'json-rpc-2.0';
import { once } from 'node:events';
import { z } from 'zod';
import { WebSocketServer } from 'ws';
import { secretDigest, secretMatches } from '../connector/secret.js';
import { CLOSE_CODES } from '../rpc/close-codes.js';
import { awaitGreeting, sendWelcome, type Handshake } from '../rpc/handshake.js';
import { HANDSHAKE_DEADLINE_MS, REQUEST_FRAME_LIMIT_BYTES } from '../rpc/limits.js';
import { RpcChannel } from '../rpc/rpc-channel.js';
import type { RpcHandlers } from '../rpc/rpc-handlers.js';
import { WebSocketPort } from '../rpc/websocket-port.js';
import type { SentryConnector } from '../runtime/sentry-connector.js';

/** The first frame the control node sends. */
export const joinFrameSchema = z.object({
  /** Always `join`. */
  type: z.literal('join'),
  /** The shared cluster token (1–4096 characters). */
  token: z.string().min(1).max(4096),
});
/** A validated join frame. */
export type JoinFrame = z.output<typeof joinFrameSchema>;

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
  /** Ms the control node has to join. @default {@link HANDSHAKE_DEADLINE_MS} */
  readonly joinTimeoutMs?: number;
}

/**
 * A data node's endpoint for the control node: per socket, the join (handshake.ts) and then a serving
 * JSON-RPC channel. A failure of the connector's call (`timeout`, `not connected`, ...) is answered with its
 * kind, so the control node sees the same kind.
 */
export class ClusterEndpoint {
  readonly #server: WebSocketServer;
  readonly #ports = new Set<WebSocketPort>();

  private constructor(server: WebSocketServer, options: ClusterEndpointOptions) {
    this.#server = server;
    const expected = secretDigest(options.token);
    const handlers: RpcHandlers = {
      sentries: () =>
        options.connector.list().map((s) => ({ ...s, ...(s.connected_at && { connected_at: s.connected_at.toISOString() }) })),
      // Calls in flight are aborted through the link's signal when the control node's link closes.
      call: (params, signal) => {
        const parsed = callParamsSchema.safeParse(params);
        if (!parsed.success) throw new JSONRPCErrorException('invalid params', JSONRPCErrorCode.InvalidParams);
        const p = parsed.data;
        return options.connector.call(p.guid, p.method, p.params, { timeoutMs: p.timeoutMs, signal });
      },
    };
    server.on('connection', (socket) => {
      let channel: RpcChannel | undefined;
      const port: WebSocketPort = new WebSocketPort(socket, {
        onText: (text) => (channel ? channel.receive(text) : handshake.receive(text)),
        onClose: () => {
          handshake.cancel();
          channel?.end();
          this.#ports.delete(port);
        },
      });
      this.#ports.add(port);
      const handshake: Handshake = awaitGreeting(port, joinFrameSchema, options.joinTimeoutMs ?? HANDSHAKE_DEADLINE_MS, {
        onFrame: (join) => {
          if (!secretMatches(expected, join.token)) {
            port.close(CLOSE_CODES.policy, 'authentication failed');
            return;
          }
          channel = new RpcChannel(port, { handlers });
          sendWelcome(port);
        },
      });
    });
  }

  /** Starts listening. */
  static async listen(options: ClusterEndpointOptions): Promise<ClusterEndpoint> {
    const server = new WebSocketServer({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      maxPayload: REQUEST_FRAME_LIMIT_BYTES,
    });
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
    for (const port of this.#ports) port.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
