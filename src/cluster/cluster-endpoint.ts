/**
 * The data node's cluster endpoint: it challenges each socket with a nonce; the control node joins with
 * `{type:'join', proof}`, an HMAC of the cluster token over that nonce (the token never travels; checked in
 * constant time), then speaks JSON-RPC 2.0: `sentries` → the connector's list, `call` {guid, method, params,
 * timeoutMs} → a call.
 *
 * A cluster token is not root on every sentry: `call` forwards only the plugin's sentry methods
 * ({@link SENTRY_METHOD_NAMES}), with params of at most {@link CLUSTER_CALL_PARAMS_LIMIT_BYTES} and a timeout of at
 * most {@link CLUSTER_CALL_TIMEOUT_LIMIT_MS}, and at most {@link CLUSTER_PENDING_CALLS_LIMIT} calls pending per
 * link (past it a call is refused at once).
 *
 * @module
 */
import { JSONRPCErrorCode, JSONRPCErrorException } from 'json-rpc-2.0';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer, ServerOptions as TlsOptions } from 'node:https';
import { z } from 'zod';
import { WebSocketServer } from 'ws';
import { RUNTIME_ERRORS } from '../errors/runtime-errors.js';
import { SENTRY_METHOD_NAMES } from '../plugin.js';
import { AdmissionGuard, type AdmissionOptions } from '../rpc/admission.js';
import { PROOF_PURPOSE, proofMatches, proofSchema, secretBytes } from '../rpc/challenge.js';
import { CLOSE_CODES } from '../rpc/close-codes.js';
import { awaitGreeting, sendWelcome, type Handshake } from '../rpc/handshake.js';
import { closeHttp, listenHttp } from '../rpc/http-listener.js';
import {
  CLUSTER_CALL_PARAMS_LIMIT_BYTES,
  CLUSTER_CALL_TIMEOUT_LIMIT_MS,
  CLUSTER_PENDING_CALLS_LIMIT,
  HANDSHAKE_DEADLINE_MS,
  REQUEST_FRAME_LIMIT_BYTES,
} from '../rpc/limits.js';
import type { PreAuthLogEvent } from '../rpc/pre-auth-log.js';
import { RpcChannel } from '../rpc/rpc-channel.js';
import type { RpcHandlers } from '../rpc/rpc-handlers.js';
import { WebSocketPort } from '../rpc/websocket-port.js';
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
  /** Call timeout in milliseconds (at most {@link CLUSTER_CALL_TIMEOUT_LIMIT_MS}). */
  timeoutMs: z.number().int().positive(),
});

/** Options of {@link ClusterEndpoint.listen}. */
export interface ClusterEndpointOptions {
  /** The sentries this data node serves. */
  readonly connector: SentryConnector;
  /** The shared cluster token the control node must prove (bytes; a string stands for its UTF-8). */
  readonly token: string | Uint8Array;
  /** Serve `wss://` with these TLS options (cert, key, ...). */
  readonly tls?: TlsOptions;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 */
  readonly port?: number;
  /** Ms the control node has to join. @default {@link HANDSHAKE_DEADLINE_MS} */
  readonly joinTimeoutMs?: number;
  /** The sentry methods `call` forwards. @default {@link SENTRY_METHOD_NAMES} */
  readonly sentryMethods?: readonly string[];
  /** Calls one link may have pending. @default {@link CLUSTER_PENDING_CALLS_LIMIT} */
  readonly pendingCallsLimit?: number;
  /** Told of refused and failed joins (summarised per source, src/rpc/pre-auth-log.ts). */
  readonly log?: (event: PreAuthLogEvent) => void;
  /** Caps before authentication (src/rpc/admission.ts); each defaults to its value in src/rpc/limits.ts. */
  readonly admission?: Omit<AdmissionOptions, 'log' | 'deadlineMs'>;
}

/**
 * A data node's endpoint for the control node: per socket, the join (handshake.ts) and then a serving
 * JSON-RPC channel. A failure of the connector's call (`timeout`, `not connected`, ...) is answered with its
 * kind, so the control node sees the same kind.
 */
export class ClusterEndpoint {
  readonly #server: HttpServer | HttpsServer;
  readonly #wss: WebSocketServer;
  readonly #guard: AdmissionGuard;
  readonly #ports = new Set<WebSocketPort>();

  private constructor(server: HttpServer | HttpsServer, options: ClusterEndpointOptions) {
    this.#server = server;
    this.#wss = new WebSocketServer({ server, maxPayload: REQUEST_FRAME_LIMIT_BYTES });
    const joinTimeoutMs = options.joinTimeoutMs ?? HANDSHAKE_DEADLINE_MS;
    this.#guard = new AdmissionGuard({ ...options.admission, deadlineMs: joinTimeoutMs, ...(options.log && { log: options.log }) });
    this.#guard.attach(server);
    const token = secretBytes(options.token);
    const allowed = new Set(options.sentryMethods ?? SENTRY_METHOD_NAMES);
    const pendingLimit = options.pendingCallsLimit ?? CLUSTER_PENDING_CALLS_LIMIT;
    // ws re-emits the HTTP server's 'error' here; without a listener it would end the process.
    this.#wss.on('error', (error) => options.log?.({ event: 'socket-error', detail: error.message }));
    this.#wss.on('connection', (socket, request) => {
      const admission = this.#guard.admit(request.socket, () => port.close(CLOSE_CODES.tooBig, 'too much before authentication'));
      let channel: RpcChannel | undefined;
      const port: WebSocketPort = new WebSocketPort(socket, {
        onText: (text) => (channel ? channel.receive(text) : handshake.receive(text)),
        onError: (error) => (channel ? undefined : admission?.failed({ event: 'socket-error', detail: error.message })),
        onClose: () => {
          handshake.cancel();
          channel?.end();
          this.#ports.delete(port);
        },
      });
      this.#ports.add(port);
      const handshake: Handshake = awaitGreeting(port, joinFrameSchema, admission?.remainingMs() ?? joinTimeoutMs, {
        onFrame: (join, nonce) => {
          // A join on a closing port (a bad frame came first, in the same read) is not honoured.
          if (!port.open) return;
          if (!proofMatches(token, PROOF_PURPOSE.join, nonce, '', join.proof)) {
            admission?.failed({ event: 'rejected', detail: 'wrong cluster token' });
            port.close(CLOSE_CODES.policy, 'authentication failed');
            return;
          }
          admission?.authenticated();
          channel = new RpcChannel(port, { handlers: linkHandlers(options.connector, allowed, pendingLimit) });
          sendWelcome(port);
        },
        onMalformed: (detail) => admission?.failed({ event: 'malformed-frame', detail }),
        onTimeout: () => admission?.failed({ event: 'handshake-timeout', detail: 'no join in time' }),
      });
      if (!admission) port.terminate(); // refused: already being dropped
    });
  }

  /** Starts listening. */
  static async listen(options: ClusterEndpointOptions): Promise<ClusterEndpoint> {
    const server = await listenHttp({
      ...(options.host !== undefined && { host: options.host }),
      ...(options.port !== undefined && { port: options.port }),
      ...(options.tls && { tls: options.tls }),
    });
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
    this.#guard.close();
    for (const port of this.#ports) port.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await closeHttp(this.#server);
  }
}

/** One control-node link's handlers: its own count of pending calls. */
function linkHandlers(connector: SentryConnector, allowed: ReadonlySet<string>, pendingLimit: number): RpcHandlers {
  let pending = 0;
  const invalid = (message: string): JSONRPCErrorException => new JSONRPCErrorException(message, JSONRPCErrorCode.InvalidParams);
  return {
    sentries: () => connector.list().map((s) => ({ ...s, ...(s.connected_at && { connected_at: s.connected_at.toISOString() }) })),
    // Calls in flight are aborted through the link's signal when the control node's link closes.
    call: async (params, signal) => {
      const parsed = callParamsSchema.safeParse(params);
      if (!parsed.success) throw invalid('invalid params');
      const p = parsed.data;
      if (!allowed.has(p.method)) throw invalid(RUNTIME_ERRORS.METHOD_NOT_FORWARDED.message(p.method));
      if (p.timeoutMs > CLUSTER_CALL_TIMEOUT_LIMIT_MS) {
        throw invalid(RUNTIME_ERRORS.INVALID_FORWARDED_CALL.message(`timeout over ${CLUSTER_CALL_TIMEOUT_LIMIT_MS / 1000} s`));
      }
      const size = Buffer.byteLength(JSON.stringify(p.params));
      if (size > CLUSTER_CALL_PARAMS_LIMIT_BYTES) {
        throw invalid(RUNTIME_ERRORS.INVALID_FORWARDED_CALL.message(`params over ${CLUSTER_CALL_PARAMS_LIMIT_BYTES} bytes`));
      }
      if (pending >= pendingLimit) throw new Error(RUNTIME_ERRORS.TOO_MANY_PENDING_CALLS.message(pendingLimit));
      pending++;
      try {
        return await connector.call(p.guid, p.method, p.params, { timeoutMs: p.timeoutMs, signal });
      } finally {
        pending--;
      }
    },
  };
}
