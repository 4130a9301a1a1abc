import { WebSocket, type ClientOptions } from 'ws';
import { challengeFrameSchema, PROOF_PURPOSE, proofOf, secretBytes } from '../rpc/challenge.js';
import { readFrame } from '../rpc/read-frame.js';
import { describeConnectError, requireSecureUrl } from '../rpc/transport-security.js';
import { HANDSHAKE_DEADLINE_MS, PRE_AUTH_BYTES_LIMIT, QUERY_RESPONSE_FRAME_LIMIT_BYTES } from '../rpc/limits.js';
import type { Row } from '../runtime/value.js';
import { queryResponseSchema } from './query-protocol.js';

/** A client text frame's header at most (2 + 8 length + 4 mask bytes). */
const FRAME_HEADER_BYTES = 14;

/** The node refused or failed the query; `code` is set for parse errors (e.g. 23101). */
export class RemoteQueryError extends Error {
  /** Always `RemoteQueryError`. */
  override readonly name = 'RemoteQueryError';
  /**
   * @param message - the node's message, or why the connection failed
   * @param code - the error code, for parse errors
   */
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

/** Options of {@link runRemoteQuery}. */
export interface RemoteQueryOptions {
  /**
   * The node's query endpoint: `wss://` (e.g. `wss://10.0.0.5:8444`), or `ws://` to loopback (elsewhere only with
   * {@link RemoteQueryOptions.insecure}).
   */
  readonly url: string;
  /** Allow plain `ws://` to a host that is not loopback. @default false */
  readonly insecure?: boolean;
  /**
   * The node's administrator token (bytes; a string stands for its UTF-8). Never sent: the request carries an HMAC
   * of it over the node's challenge and the query.
   */
  readonly token: string | Uint8Array;
  /** The query text to run. */
  readonly query: string;
  /** Receives each record in order (values as JSON: ipaddr as its text). */
  readonly onRecord: (row: Row) => void | Promise<void>;
  /** Aborting closes the socket, which cancels the query on the node. */
  readonly signal?: AbortSignal;
  /**
   * Ms the node has, from the start, to send its challenge (connecting, TLS and the upgrade included); then
   * the query is given up with a {@link RemoteQueryError}. Once the request is sent the query may run as long as
   * it needs. @default {@link HANDSHAKE_DEADLINE_MS}
   */
  readonly handshakeTimeoutMs?: number;
  /**
   * Extra `ws` client options, e.g. `ca` for a private TLS root. `maxPayload` defaults to
   * {@link QUERY_RESPONSE_FRAME_LIMIT_BYTES}.
   */
  readonly wsOptions?: ClientOptions;
}

/**
 * Runs a query on a node (see `QueryServer`) and streams its records. Resolves when the node says the query
 * ended (or when cancelled through `signal`, at once and without connecting if it is already aborted); rejects
 * with {@link RemoteQueryError} when the node refuses it, it fails, the connection drops first, or the node sends
 * no challenge in time ({@link RemoteQueryOptions.handshakeTimeoutMs}); with the consumer's error when
 * `onRecord` throws or rejects (the socket is dropped, which cancels the query on the node); with
 * `InsecureTransportError`, before any socket is opened, for `ws://` to a host that is not loopback unless
 * `insecure`.
 */
export function runRemoteQuery(options: RemoteQueryOptions): Promise<{
  /** `end` when the node finished the query, `cancel` when it was cancelled. */
  reason: 'end' | 'cancel';
}> {
  // The request is the greeting: the node takes PRE_AUTH_BYTES_LIMIT bytes (frame header included) before it.
  // Its size does not depend on the nonce or the token: a proof is always 32 bytes of base64url.
  const request = JSON.stringify({
    type: 'query',
    proof: proofOf(Buffer.alloc(32), PROOF_PURPOSE.query, '', options.query),
    query: options.query,
  });
  const size = Buffer.byteLength(request);
  if (size > PRE_AUTH_BYTES_LIMIT - FRAME_HEADER_BYTES) {
    return Promise.reject(
      new RemoteQueryError(
        `the query request is ${size} bytes; a node takes at most ${PRE_AUTH_BYTES_LIMIT - FRAME_HEADER_BYTES} (shorten the query)`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    try {
      requireSecureUrl(options.url, options.insecure);
    } catch (error) {
      reject(error);
      return;
    }
    // Cancelled before it started: no socket at all (closing one that is connecting makes `ws` emit 'error').
    if (options.signal?.aborted) {
      resolve({ reason: 'cancel' });
      return;
    }
    const token = secretBytes(options.token);
    const maxPayload = options.wsOptions?.maxPayload ?? QUERY_RESPONSE_FRAME_LIMIT_BYTES;
    const socket = new WebSocket(options.url, { ...options.wsOptions, maxPayload });
    let challenged = false;
    let settled = false;
    let failed = false;
    // Records are handed over one at a time, in order, even when the consumer is slower than the node.
    // This chain never rejects: a consumer's failure settles the query at once (see the 'records' frame).
    let delivered: Promise<void> = Promise.resolve();
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(handshakeTimer);
      options.signal?.removeEventListener('abort', onAbort);
      finish();
    };
    // Registered first, before anything can close the socket: 'error' without a listener ends the process.
    socket.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      const message =
        code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
          ? `the node sent a frame larger than ${sizeText(maxPayload)}`
          : `cannot reach ${options.url}: ${describeConnectError(error)}`;
      settle(() => reject(new RemoteQueryError(message)));
    });
    const deadlineMs = options.handshakeTimeoutMs ?? HANDSHAKE_DEADLINE_MS;
    const handshakeTimer = setTimeout(() => {
      const message =
        socket.readyState === WebSocket.CONNECTING
          ? `cannot reach ${options.url}: no WebSocket connection within ${deadlineMs / 1000} s`
          : `the node sent no challenge within ${deadlineMs / 1000} s`;
      socket.terminate();
      settle(() => reject(new RemoteQueryError(message)));
    }, deadlineMs);
    const onAbort = (): void => {
      socket.close();
      settle(() => resolve({ reason: 'cancel' }));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    socket.on('message', (data) => {
      if (settled) return;
      if (!challenged) {
        // The node's first frame is its challenge; the request proves the token over its nonce and the query.
        challenged = true;
        clearTimeout(handshakeTimer);
        const challenge = readFrame(challengeFrameSchema, String(data));
        if (!challenge.ok) {
          socket.terminate();
          return settle(() => reject(new RemoteQueryError('the node sent a malformed frame (expected its challenge)')));
        }
        const proof = proofOf(token, PROOF_PURPOSE.query, challenge.frame.nonce, options.query);
        socket.send(JSON.stringify({ type: 'query', proof, query: options.query }));
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        json = undefined;
      }
      const frame = queryResponseSchema.safeParse(json);
      if (!frame.success) {
        socket.terminate();
        return settle(() => reject(new RemoteQueryError('the node sent a malformed frame')));
      }
      const f = frame.data;
      if (f.type === 'records') {
        delivered = delivered
          .then(async () => {
            if (failed) return;
            for (const row of f.rows) await options.onRecord(row as Row);
          })
          .catch((error: unknown) => {
            // The consumer failed (e.g. its output is gone): drop the socket, which cancels the query on the node.
            failed = true;
            socket.terminate();
            settle(() => reject(error));
          });
      } else if (f.type === 'end') {
        void delivered.then(() => settle(() => resolve({ reason: f.reason })));
      } else {
        void delivered.then(() => settle(() => reject(new RemoteQueryError(f.message, f.code))));
      }
    });
    socket.on('close', () => {
      // After `end`/`error` the node closes; waiting for delivery happens in those handlers.
      void delivered.then(() => settle(() => reject(new RemoteQueryError('the connection closed before the query ended'))));
    });
  });
}

/** `64 MiB` for whole mebibytes, else `N bytes`. */
function sizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`;
}
