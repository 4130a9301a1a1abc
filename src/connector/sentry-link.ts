import type WebSocket from 'ws';
import { CLOSE_CODES } from '../rpc/close-codes.js';
import { awaitGreeting, sendWelcome, type Handshake } from '../rpc/handshake.js';
import { RpcChannel } from '../rpc/rpc-channel.js';
import { WebSocketPort } from '../rpc/websocket-port.js';
import { SentryRpcError, type SentryCallOptions } from '../runtime/sentry-connector.js';
import { helloFrameSchema, type HelloFrame } from './protocol.js';

/** What a link reports for the connector's log. */
export type SentryLinkEvent = 'malformed-frame' | 'handshake-timeout' | 'socket-error' | 'disconnected';

/** Options of one {@link SentryLink}. */
export interface SentryLinkOptions {
  /** A socket that has not sent a valid hello in time is closed (1008). */
  readonly handshakeTimeoutMs: number;
  /** Ping period once authenticated; a missed pong drops the link. 0 disables. */
  readonly pingIntervalMs: number;
  /**
   * A well-formed hello arrived, answering `nonce` (this link's challenge): the connector checks its proof and
   * calls {@link SentryLink.accept} or {@link SentryLink.refuse}.
   */
  readonly onHello: (link: SentryLink, hello: HelloFrame, nonce: string) => void;
  /** Told of what the connector logs. */
  readonly log: (event: SentryLinkEvent, detail: string) => void;
  /** The socket closed. */
  readonly onClose: (link: SentryLink) => void;
}

/**
 * One sentry socket on the connector, from connection to close: the challenge and the hello with their deadline, then (once the
 * connector accepts it) a calling JSON-RPC channel with ping/pong liveness. A thin adapter: the port, the
 * handshake and the channel do the work.
 */
export class SentryLink {
  readonly #port: WebSocketPort;
  readonly #handshake: Handshake;
  readonly #options: SentryLinkOptions;
  #channel: RpcChannel | undefined;
  #guid: string | undefined;

  constructor(ws: WebSocket, options: SentryLinkOptions) {
    this.#options = options;
    const { log } = options;
    this.#port = new WebSocketPort(ws, {
      onText: (text) => (this.#channel ? this.#channel.receive(text) : this.#handshake.receive(text)),
      // ws reports oversize frames and protocol errors here, then closes the socket (1009 / 1002).
      onError: (error) => log('socket-error', error.message),
      onMalformed: (detail) => log('malformed-frame', detail),
      onClose: (code, reason) => {
        this.#handshake.cancel();
        if (this.#channel) {
          this.#channel.end();
          log('disconnected', `${code}${reason ? ` ${reason}` : ''}`);
        }
        options.onClose(this);
      },
    });
    this.#handshake = awaitGreeting(this.#port, helloFrameSchema, options.handshakeTimeoutMs, {
      onFrame: (hello, nonce) => options.onHello(this, hello, nonce),
      onMalformed: (detail) => log('malformed-frame', detail),
      onTimeout: () => log('handshake-timeout', 'no hello in time'),
    });
  }

  /** The sentry's guid once accepted. */
  get guid(): string | undefined {
    return this.#guid;
  }

  /** True while authenticated and not closing. */
  get open(): boolean {
    return this.#channel !== undefined && this.#channel.open && this.#port.open;
  }

  /** True while the socket is open (authenticated or not): a hello on a closing socket is not honoured. */
  get socketOpen(): boolean {
    return this.#port.open;
  }

  /** Accepts the hello of `guid`: welcomes the sentry and starts calling and pinging it. */
  accept(guid: string): void {
    if (!this.#port.open) return;
    this.#guid = guid;
    this.#channel = new RpcChannel(this.#port, { onViolation: (detail) => this.#options.log('malformed-frame', detail) });
    this.#port.startPinging(this.#options.pingIntervalMs);
    sendWelcome(this.#port);
  }

  /** Refuses the hello, telling the sentry only that authentication failed (1008). */
  refuse(): void {
    this.#port.close(CLOSE_CODES.policy, 'authentication failed');
  }

  /** Whether the sentry answers a ping within `deadlineMs` (see {@link WebSocketPort.probe}). */
  answersPing(deadlineMs: number): Promise<boolean> {
    return this.#port.probe(deadlineMs);
  }

  /**
   * Refuses an authenticated hello because another live sentry holds its guid (4001, `reason` naming the guid
   * and that sentry's address: the newcomer proved the key, so it may know).
   */
  refuseDuplicate(reason: string): void {
    this.#port.close(CLOSE_CODES.duplicateGuid, reason);
  }

  /** Calls the sentry; see {@link RpcChannel.call}. */
  call(method: string, params: Readonly<Record<string, unknown>>, options: SentryCallOptions): Promise<unknown> {
    return this.#channel ? this.#channel.call(method, params, options) : Promise.reject(SentryRpcError.notConnected());
  }

  /** Closes the link (gracefully, so the reason reaches the sentry); calls in flight fail with `disconnected`. */
  close(code: number, reason: string): void {
    this.#handshake.cancel();
    this.#channel?.end();
    this.#port.close(code, reason);
  }

  /** Drops the socket at once. */
  terminate(): void {
    this.#port.terminate();
  }

  /** Resolves once the socket is closed. */
  whenClosed(): Promise<void> {
    return this.#port.whenClosed();
  }
}
