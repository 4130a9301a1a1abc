/**
 * One JSON-RPC 2.0 channel over any {@link FramePort}: it calls the peer, answers the peer, or both.
 *
 * The calling side is ours, not json-rpc-2.0's `JSONRPCClient`: that client has no per-call abort, and it can
 * end a pending call only by being fed an error response or by `rejectAllPendingRequests(message)`, so the
 * links used to forge error responses for timeouts and aborts and to tell a dropped link by an unguessable
 * message. Here a call is an id from a counter and an entry in a pending map holding its timer and abort
 * listener; `#take` removes the entry and releases both, so a call settles exactly once, whichever of answer,
 * timeout, abort or {@link RpcChannel.failAll} comes first, and leaves no timer behind. The serving side is
 * json-rpc-2.0's `JSONRPCServer` (rpc-handlers.ts).
 *
 * @module
 */
import { SentryRpcError, type SentryCallOptions } from '../runtime/sentry-connector.js';
import { CLOSE_CODES } from './close-codes.js';
import type { FramePort } from './frame-port.js';
import { failureFromResponse } from './rpc-failure.js';
import { readRpcFrame, type RpcRequestFrame, type RpcResponseFrame } from './rpc-frames.js';
import { RpcDispatcher, type RpcHandlers } from './rpc-handlers.js';

/** Options of an {@link RpcChannel}. */
export interface RpcChannelOptions {
  /** The methods this side answers. Without it this side only calls, and a request from the peer breaks the protocol. */
  readonly handlers?: RpcHandlers;
  /** The message of method-not-found for `method`. @default `Method not found` */
  readonly methodNotFound?: (method: string) => string;
  /**
   * Whether a failure kind in the peer's error `data` is kept (a data node relaying its connector's `timeout`).
   * Off for sentries: their every error is `remote`, so one cannot pass for a local timeout or drop. @default false
   */
  readonly trustFailureKinds?: boolean;
  /** Told why an inbound frame was refused, before the port is closed with 1007. */
  readonly onViolation?: (detail: string) => void;
}

interface PendingCall {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/** A JSON-RPC channel; see the module comment. The transport's owner feeds it frames and tells it when the transport is gone. */
export class RpcChannel {
  readonly #port: FramePort;
  readonly #pending = new Map<number, PendingCall>();
  readonly #dispatcher: RpcDispatcher | undefined;
  /** Aborted when the channel ends: handlers still running learn that their answer has nowhere to go. */
  readonly #serving: AbortController | undefined;
  readonly #trustFailureKinds: boolean;
  readonly #onViolation: ((detail: string) => void) | undefined;
  #lastId = 0;
  #ended = false;

  constructor(port: FramePort, options: RpcChannelOptions = {}) {
    this.#port = port;
    this.#trustFailureKinds = options.trustFailureKinds ?? false;
    this.#onViolation = options.onViolation;
    if (options.handlers) {
      this.#dispatcher = new RpcDispatcher(options.handlers, options.methodNotFound ? { methodNotFound: options.methodNotFound } : {});
      this.#serving = new AbortController();
    }
  }

  /** False once the channel has ended (its transport closed or closing). */
  get open(): boolean {
    return !this.#ended;
  }

  /** Calls waiting for their answer. */
  get pendingCalls(): number {
    return this.#pending.size;
  }

  /**
   * Calls `method` on the peer. Resolves with its result; rejects with the signal's reason when aborted, or a
   * {@link SentryRpcError}: `timeout` after `timeoutMs`, `disconnected` if the channel ends first (or has),
   * the kind {@link RpcChannel.failAll} is given, or the peer's error (`remote`, or its relayed kind).
   */
  call(method: string, params: Readonly<Record<string, unknown>>, options: SentryCallOptions): Promise<unknown> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#ended) return Promise.reject(SentryRpcError.disconnected());
    const id = ++this.#lastId; // never reused: a late answer to an ended call cannot settle a newer one
    return new Promise((resolve, reject) => {
      const onAbort = signal && ((): void => this.#take(id)?.reject(signal.reason));
      const timer = setTimeout(() => this.#take(id)?.reject(SentryRpcError.timeout()), options.timeoutMs);
      this.#pending.set(id, { resolve, reject, timer, signal, onAbort });
      signal?.addEventListener('abort', onAbort!, { once: true });
      try {
        this.#port.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      } catch {
        this.#take(id)?.reject(SentryRpcError.disconnected());
      }
    });
  }

  /** Fails every pending call with a {@link SentryRpcError} of `kind`; the channel stays usable. */
  failAll(kind: SentryRpcError['kind']): void {
    for (const id of [...this.#pending.keys()]) this.#take(id)?.reject(new SentryRpcError(kind));
  }

  /**
   * Handles one inbound text frame: a response settles its call (an unknown id is ignored: its call already
   * ended), a request is dispatched to the handlers. A frame that is not JSON-RPC closes the port (1007).
   */
  receive(text: string): void {
    if (this.#ended) return;
    const read = readRpcFrame(text);
    if (!read.ok) {
      this.violation(read.error);
      return;
    }
    const frame = read.frame;
    if ('method' in frame) this.#serve(frame);
    else this.#settle(frame);
  }

  /** The peer broke the protocol: told to `onViolation`, then the port is closed with 1007 and the channel ends. */
  violation(detail: string): void {
    if (this.#ended) return;
    this.#onViolation?.(detail);
    this.close(CLOSE_CODES.malformedFrame, 'malformed frame');
  }

  /**
   * The transport is gone (or going): pending calls fail with `kind`, running handlers are aborted, later
   * calls fail with `disconnected` and inbound frames are ignored. Idempotent.
   */
  end(kind: SentryRpcError['kind'] = 'disconnected'): void {
    if (this.#ended) return;
    this.#ended = true;
    this.failAll(kind);
    this.#serving?.abort(SentryRpcError.disconnected());
  }

  /** Ends the channel and closes its port with `code` and `reason`. */
  close(code: number, reason: string): void {
    this.end();
    this.#port.close(code, reason);
  }

  #settle(response: RpcResponseFrame): void {
    const call = typeof response.id === 'number' ? this.#take(response.id) : undefined;
    if (!call) return;
    if ('error' in response) call.reject(failureFromResponse(response.error, this.#trustFailureKinds));
    else call.resolve(response.result);
  }

  #serve(request: RpcRequestFrame): void {
    if (!this.#dispatcher || !this.#serving) {
      this.violation('unexpected request');
      return;
    }
    void this.#dispatcher.answer(request, this.#serving.signal).then((text) => {
      if (text === undefined || this.#ended) return;
      try {
        this.#port.send(text);
      } catch {
        // The transport closed under the answer; its close ends the channel.
      }
    });
  }

  /** Removes call `id` and releases its timer and abort listener; undefined if it already settled. */
  #take(id: number): PendingCall | undefined {
    const call = this.#pending.get(id);
    if (!call) return undefined;
    this.#pending.delete(id);
    clearTimeout(call.timer);
    if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort);
    return call;
  }
}
