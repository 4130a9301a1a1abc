/**
 * The data node's cluster endpoint: it challenges each socket with a nonce; the control node joins with
 * `{type:'join', proof}`, an HMAC of the cluster token over that nonce (the token never travels; checked in
 * constant time), then speaks JSON-RPC 2.0: `sentries` → the connector's list, `call` {guid, method, params, timeoutMs} → a call.
 *
 * @module
 */
import { JSONRPCErrorCode, JSONRPCErrorException } from 'json-rpc-2.0';
import type { ServerOptions as TlsOptions } from 'node:https';
import { z } from 'zod';
import { PROOF_PURPOSE, proofMatches, proofSchema, secretBytes } from '../rpc/challenge.js';
import { CLOSE_CODES } from '../rpc/close-codes.js';
import { awaitGreeting, sendWelcome, type Handshake } from '../rpc/handshake.js';
import { HANDSHAKE_DEADLINE_MS, REQUEST_FRAME_LIMIT_BYTES } from '../rpc/limits.js';
import { RpcChannel } from '../rpc/rpc-channel.js';
import type { RpcHandlers } from '../rpc/rpc-handlers.js';
import { WebSocketPort } from '../rpc/websocket-port.js';
import { listenWebSocket, type WebSocketListener } from '../rpc/websocket-server.js';
import type { SentryConnector } from '../runtime/sentry-connector.js';

/** The control node's answer to the challenge. */
export const joinFrameSchema = z.object({
  /** Always `join`. */
  type: z.literal('join'),
  /** HMAC-SHA256(cluster token, `sentry-netstat join v1` NUL nonce NUL), base64url: see `proofOf` in src/rpc/challenge.ts. */
  proof: proofSchema,
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
  /** The shared cluster token the control node must prove (bytes; a string stands for its UTF-8). */
  readonly token: string | Uint8Array;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 */
  readonly port?: number;
  /** Serve `wss://` with these TLS options (cert, key, ...). */
  readonly tls?: TlsOptions;
  /** Ms the control node has to join. @default {@link HANDSHAKE_DEADLINE_MS} */
  readonly joinTimeoutMs?: number;
}

/**
 * A data node's endpoint for the control node: per socket, the join (handshake.ts) and then a serving
 * JSON-RPC channel. A failure of the connector's call (`timeout`, `not connected`, ...) is answered with its
 * kind, so the control node sees the same kind.
 */
export class ClusterEndpoint {
  readonly #listener: WebSocketListener;
  readonly #ports = new Set<WebSocketPort>();

  private constructor(listener: WebSocketListener, options: ClusterEndpointOptions) {
    this.#listener = listener;
    const token = secretBytes(options.token);
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
    listener.wss.on('connection', (socket) => {
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
        onFrame: (join, nonce) => {
          if (!proofMatches(token, PROOF_PURPOSE.join, nonce, '', join.proof)) {
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
    const listener = await listenWebSocket({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      tls: options.tls,
      maxPayload: REQUEST_FRAME_LIMIT_BYTES,
    });
    return new ClusterEndpoint(listener, options);
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
    const a = this.#listener.address() as ReturnType<WebSocketListener['address']> | null; // null once closed
    if (a === null) throw new Error('not listening');
    return { address: a.address, port: a.port };
  }

  /** Closes every link and stops listening. */
  async close(): Promise<void> {
    for (const port of this.#ports) port.terminate();
    await this.#listener.close();
  }
}
