import { randomUUID } from 'node:crypto';
import {
  createJSONRPCErrorResponse,
  createJSONRPCRequest,
  JSONRPCClient,
  type JSONRPCResponse,
} from 'json-rpc-2.0';
import WebSocket from 'ws';
import { SentryRpcError, type SentryCallOptions } from '../runtime/sentry-connector.js';
import { CLOSE_CODES, readFrame, rpcResponseSchema } from './protocol.js';

/** Marks local (never remote) error responses: objects cannot cross the wire, so a sentry cannot forge them. */
const TIMED_OUT = Object.freeze({ local: 'timeout' });
const ABORTED = Object.freeze({ local: 'aborted' });

/** Options of one authenticated link. */
export interface SentryLinkOptions {
  /** Ping period; a link that has not answered the previous ping by the next one is terminated. 0 disables. */
  readonly pingIntervalMs: number;
  /** Told once when the link ends, with why. */
  readonly onClose: (code: number, reason: string) => void;
  /** Told when the sentry breaks the protocol (before the link is closed for it). */
  readonly onViolation: (detail: string) => void;
}

/**
 * One authenticated sentry socket speaking JSON-RPC. Request ids and correlation are json-rpc-2.0's
 * `JSONRPCClient`; this adds the per-call timeout, abort, and turning a dropped socket into `disconnected`.
 */
export class SentryLink {
  readonly #ws: WebSocket;
  readonly #client: JSONRPCClient;
  /** The message every call pending at close is failed with; unguessable so a sentry cannot fake it. */
  readonly #disconnectToken = `disconnected ${randomUUID()}`;
  readonly #options: SentryLinkOptions;
  #nextId = 0;
  #pingTimer: NodeJS.Timeout | undefined;
  #alive = true;
  #closed = false;

  constructor(ws: WebSocket, options: SentryLinkOptions) {
    this.#ws = ws;
    this.#options = options;
    this.#client = new JSONRPCClient((payload: unknown) => {
      if (this.#closed || ws.readyState !== WebSocket.OPEN) throw new Error(this.#disconnectToken);
      ws.send(JSON.stringify(payload));
    });
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => { this.#alive = true; });
    ws.on('close', (code, reason) => this.#onClose(code, reason.toString('utf8')));
    if (options.pingIntervalMs > 0) {
      this.#pingTimer = setInterval(() => this.#ping(), options.pingIntervalMs);
    }
  }

  /** False once the socket is closing or closed. */
  get open(): boolean {
    return !this.#closed && this.#ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends one request and settles with its result, or a {@link SentryRpcError} (`timeout`, `disconnected`, or the
   * sentry's message), or the signal's reason. The library's timeout timer is released however the call ends.
   */
  call(method: string, params: Readonly<Record<string, unknown>>, options: SentryCallOptions): Promise<unknown> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.open) return Promise.reject(SentryRpcError.disconnected());
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      let aborted = false;
      const onAbort = (): void => {
        aborted = true;
        reject(signal!.reason);
        // Settles the pending id inside the client, which clears its timeout timer and forgets the id.
        this.#client.receive(createJSONRPCErrorResponse(id, 0, 'aborted', ABORTED));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const requester = this.#client.timeout(options.timeoutMs, (timedOut) =>
        createJSONRPCErrorResponse(timedOut, 0, 'timeout', TIMED_OUT));
      requester.requestAdvanced(createJSONRPCRequest(id, method, { ...params })).then(
        (response) => {
          signal?.removeEventListener('abort', onAbort);
          if (aborted) return;
          const outcome = this.#outcome(response);
          if (outcome instanceof SentryRpcError) reject(outcome);
          else resolve(outcome.result);
        },
        () => {
          signal?.removeEventListener('abort', onAbort);
          if (!aborted) reject(SentryRpcError.disconnected());
        },
      );
    });
  }

  /** Closes the link (gracefully, so the reason reaches the sentry); calls in flight fail with `disconnected`. */
  close(code: number, reason: string): void {
    this.#fail();
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) this.#ws.close(code, reason);
  }

  /** Drops the socket at once, without a closing handshake. */
  terminate(): void {
    this.#fail();
    this.#ws.terminate();
  }

  #outcome(response: JSONRPCResponse): SentryRpcError | { result: unknown } {
    if (!response.error) return { result: response.result };
    const { error } = response;
    if (error.data === TIMED_OUT) return SentryRpcError.timeout();
    if (error.message === this.#disconnectToken) return SentryRpcError.disconnected();
    return SentryRpcError.remote(error.message);
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    const read = isBinary ? { ok: false as const, error: 'binary frame' } : readFrame(rpcResponseSchema, data);
    if (!read.ok) {
      this.#options.onViolation(read.error);
      this.close(CLOSE_CODES.malformedFrame, 'malformed frame');
      return;
    }
    this.#client.receive(read.frame as JSONRPCResponse);
  }

  #ping(): void {
    if (!this.#alive) {
      this.terminate();
      return;
    }
    this.#alive = false;
    this.#ws.ping();
  }

  /** Marks the link dead, stops pinging and fails every pending call with `disconnected`; idempotent. */
  #fail(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pingTimer);
    this.#client.rejectAllPendingRequests(this.#disconnectToken);
  }

  #onClose(code: number, reason: string): void {
    this.#fail();
    this.#options.onClose(code, reason);
  }
}
