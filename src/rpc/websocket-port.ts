/**
 * Everything `ws`-specific of a link, in one place: a {@link FramePort} over a `ws` WebSocket. It always
 * listens for 'error' (an unhandled 'error' on a `ws` socket ends the process: a hostile frame would kill the
 * node), hands text frames to its owner, answers binary frames itself (the protocol has none: 1007), and can
 * ping for liveness. Another transport is another port of this shape plus its adapters.
 *
 * @module
 */
import WebSocket from 'ws';
import { CLOSE_CODES } from './close-codes.js';
import type { FramePort } from './frame-port.js';
import { frameText } from './read-frame.js';

/** What a {@link WebSocketPort} tells its owner. */
export interface WebSocketPortEvents {
  /** A text frame arrived. */
  readonly onText: (text: string) => void;
  /** The socket closed (once; after any 'error'). */
  readonly onClose: (code: number, reason: string) => void;
  /** A client socket opened. */
  readonly onOpen?: () => void;
  /** `ws` reported an error (an oversize frame, a protocol error, a failed connect); 'close' follows. */
  readonly onError?: (error: Error) => void;
  /** A binary frame arrived; the port is already closing (1007). */
  readonly onMalformed?: (detail: string) => void;
}

/** A `ws` WebSocket as a frame port; see the module comment. */
export class WebSocketPort implements FramePort {
  readonly #ws: WebSocket;
  readonly #closed: Promise<void>;
  #pingTimer: NodeJS.Timeout | undefined;
  #alive = true;

  constructor(ws: WebSocket, events: WebSocketPortEvents) {
    this.#ws = ws;
    ws.on('error', (error) => events.onError?.(error));
    if (events.onOpen) ws.on('open', events.onOpen);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        events.onText(frameText(data));
        return;
      }
      this.close(CLOSE_CODES.malformedFrame, 'malformed frame');
      events.onMalformed?.('binary frame');
    });
    ws.on('pong', () => {
      this.#alive = true;
    });
    this.#closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        clearInterval(this.#pingTimer);
        events.onClose(code, reason.toString('utf8'));
        resolve();
      });
    });
  }

  /** True while frames can be sent. */
  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  send(text: string): void {
    if (this.#ws.readyState !== WebSocket.OPEN) throw new Error('socket not open');
    this.#ws.send(text);
  }

  /** Closes with a closing handshake, so `reason` reaches the peer. */
  close(code: number, reason: string): void {
    const state = this.#ws.readyState;
    if (state === WebSocket.OPEN || state === WebSocket.CONNECTING) this.#ws.close(code, reason);
  }

  /** Drops the socket at once, without a closing handshake (as a crash or a network failure would). */
  terminate(): void {
    this.#ws.terminate();
  }

  /** Drops the socket and resolves once it is closed. */
  terminateAndWait(): Promise<void> {
    if (this.#ws.readyState !== WebSocket.CLOSED) this.#ws.terminate();
    return this.#closed;
  }

  /** Resolves once the socket is closed. */
  whenClosed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Pings the peer once: resolves true when its pong comes within `deadlineMs`, false if it does not, or if the
   * socket closes first (never rejects; the deadline timer is released either way).
   */
  probe(deadlineMs: number): Promise<boolean> {
    if (!this.open) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (alive: boolean): void => {
        clearTimeout(deadline);
        this.#ws.off('pong', onPong);
        this.#ws.off('close', onClose);
        resolve(alive);
      };
      const onPong = (): void => done(true);
      const onClose = (): void => done(false);
      const deadline = setTimeout(() => done(false), deadlineMs);
      this.#ws.on('pong', onPong);
      this.#ws.on('close', onClose);
      try {
        this.#ws.ping();
      } catch {
        done(false);
      }
    });
  }

  /**
   * Pings every `intervalMs`; a peer that has not answered the previous ping by the next is dropped
   * (terminated, so its close comes at once). 0 disables. The timer stops when the socket closes.
   */
  startPinging(intervalMs: number): void {
    if (intervalMs <= 0 || this.#pingTimer) return;
    this.#pingTimer = setInterval(() => {
      if (!this.#alive) {
        this.#ws.terminate();
        return;
      }
      this.#alive = false;
      this.#ws.ping();
    }, intervalMs);
  }
}
