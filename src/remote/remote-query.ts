import { WebSocket, type ClientOptions } from 'ws';
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
  /** The node's query endpoint, e.g. `ws://10.0.0.5:8444`. */
  readonly url: string;
  /** The node's administrator token. */
  readonly token: string;
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
 * it fails, or the connection drops first.
 */
export function runRemoteQuery(options: RemoteQueryOptions): Promise<{
  /** `end` when the node finished the query, `cancel` when it was cancelled. */
  reason: 'end' | 'cancel';
}> {
  // The request is the greeting: the node takes PRE_AUTH_BYTES_LIMIT bytes (frame header included) before it.
  const request = JSON.stringify({ type: 'query', token: options.token, query: options.query });
  const size = Buffer.byteLength(request);
  if (size > PRE_AUTH_BYTES_LIMIT - FRAME_HEADER_BYTES) {
    return Promise.reject(
      new RemoteQueryError(
        `the query request is ${size} bytes; a node takes at most ${PRE_AUTH_BYTES_LIMIT - FRAME_HEADER_BYTES} (shorten the query)`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(options.url, options.wsOptions);
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

    socket.on('open', () => socket.send(request));
    socket.on('message', (data) => {
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
    socket.on('error', (error) => settle(() => reject(new RemoteQueryError(`cannot reach ${options.url}: ${error.message}`))));
    socket.on('close', () => {
      // After `end`/`error` the node closes; waiting for delivery happens in those handlers.
      void delivered.then(
        () => settle(() => reject(new RemoteQueryError('the connection closed before the query ended'))),
        (error: unknown) => settle(() => reject(error)),
      );
    });
  });
}
