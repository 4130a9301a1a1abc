import { WebSocket, type ClientOptions } from 'ws';
import { challengeFrameSchema, PROOF_PURPOSE, proofOf, secretBytes } from '../rpc/challenge.js';
import { readFrame } from '../rpc/read-frame.js';
import { describeConnectError, requireSecureUrl } from '../rpc/transport-security.js';
import { PRE_AUTH_BYTES_LIMIT } from '../rpc/limits.js';
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
  /** Extra `ws` client options, e.g. `ca` for a private TLS root. */
  readonly wsOptions?: ClientOptions;
}

/**
 * Runs a query on a node (see `QueryServer`) and streams its records. Resolves when the node says the query
 * ended (or when cancelled through `signal`); rejects with {@link RemoteQueryError} when the node refuses it,
 * it fails, or the connection drops first; with `InsecureTransportError`, before any socket is opened, for
 * `ws://` to a host that is not loopback unless `insecure`.
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
    const token = secretBytes(options.token);
    const socket = new WebSocket(options.url, options.wsOptions);
    let challenged = false;
    let settled = false;
    // Records are handed over one at a time, in order, even when the consumer is slower than the node.
    let delivered: Promise<void> = Promise.resolve();
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = (): void => {
      socket.close();
      settle(() => resolve({ reason: 'cancel' }));
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    socket.on('message', (data) => {
      if (!challenged) {
        // The node's first frame is its challenge; the request proves the token over its nonce and the query.
        challenged = true;
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
        delivered = delivered.then(async () => {
          for (const row of f.rows) await options.onRecord(row as Row);
        });
      } else if (f.type === 'end') {
        void delivered.then(
          () => settle(() => resolve({ reason: f.reason })),
          (error: unknown) => settle(() => reject(error)),
        );
      } else {
        void delivered.then(
          () => settle(() => reject(new RemoteQueryError(f.message, f.code))),
          (error: unknown) => settle(() => reject(error)),
        );
      }
    });
    socket.on('error', (error) =>
      settle(() => reject(new RemoteQueryError(`cannot reach ${options.url}: ${describeConnectError(error)}`))),
    );
    socket.on('close', () => {
      // After `end`/`error` the node closes; waiting for delivery happens in those handlers.
      void delivered.then(
        () => settle(() => reject(new RemoteQueryError('the connection closed before the query ended'))),
        (error: unknown) => settle(() => reject(error)),
      );
    });
  });
}
