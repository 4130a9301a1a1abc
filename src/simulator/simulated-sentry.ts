/**
 * One simulated sentry: the agent's side of the link (hello → welcome → JSON-RPC), with a scripted fault instead
 * of real connection collection, and no reconnect.
 *
 * @module
 */
import WebSocket, { type ClientOptions } from 'ws';
import { CLOSE_CODES, readFrame, rpcRequestSchema, welcomeFrameSchema, type HelloFrame } from '../connector/protocol.js';
import type { SentryFault } from './fault-plan.js';

/** Where a simulated sentry stands. `failed`: never authenticated; `dropped`: authenticated, then lost. */
export type SimulatedSentryState = 'idle' | 'connecting' | 'connected' | 'failed' | 'dropped' | 'stopped';

/** Counters shared by a fleet's sentries (plain fields, bumped in place). */
export interface SimulatorCounters {
  /** Requests received. */
  calls: number;
  /** Answers (results or method-not-found errors) sent. */
  answered: number;
  /** Requests left unanswered by `timeout` sentries. */
  ignored: number;
  /** Sockets dropped by `disconnect` sentries. */
  disconnects: number;
  /** Garbage frames sent by `garbage` sentries. */
  garbage: number;
}

/** Options of one {@link SimulatedSentry}. */
export interface SimulatedSentryOptions {
  readonly url: string;
  readonly guid: string;
  readonly key: string;
  readonly fault: SentryFault;
  /** The JSON text of the `netstat` result; called on the first call only. */
  readonly answer: () => string;
  /** The delay before each answer, in ms. */
  readonly delayMs: () => number;
  readonly counters: SimulatorCounters;
  readonly wsOptions?: ClientOptions;
}

/** What the JSON-RPC spec calls an unknown method. */
const METHOD_NOT_FOUND = -32601;
/** The frame a `garbage` sentry sends: not JSON, so the connector must drop the link (1007). */
const GARBAGE_FRAME = 'this is not JSON {';

/** A sentry of the fleet simulator; see {@link SimulatedSentryOptions}. */
export class SimulatedSentry {
  readonly guid: string;
  readonly fault: SentryFault;
  readonly #options: SimulatedSentryOptions;
  /** Answers waiting out their latency; cleared on stop so no timer outlives the fleet. */
  readonly #timers = new Set<NodeJS.Timeout>();
  #ws: WebSocket | undefined;
  #state: SimulatedSentryState = 'idle';
  #answer: string | undefined;
  #failure: string | undefined;

  constructor(options: SimulatedSentryOptions) {
    this.#options = options;
    this.guid = options.guid;
    this.fault = options.fault;
  }

  get state(): SimulatedSentryState {
    return this.#state;
  }

  /** Why it never authenticated (state `failed`). */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Connects and says hello; resolves true once welcomed, false if the socket closed first. Call once. */
  connect(): Promise<boolean> {
    if (this.#state !== 'idle') return Promise.resolve(this.#state === 'connected');
    this.#state = 'connecting';
    const { guid, key } = this.#options;
    const ws = new WebSocket(this.#options.url, { perMessageDeflate: false, ...this.#options.wsOptions });
    this.#ws = ws;
    return new Promise<boolean>((resolve) => {
      // 'error' is always followed by 'close'; remember it as the failure's reason.
      ws.on('error', (error) => { this.#failure ??= error.message; });
      ws.on('open', () => {
        const hello: HelloFrame = { type: 'hello', guid, key, hostname: `${guid}.sim`, os: 'simulated' };
        ws.send(JSON.stringify(hello));
      });
      ws.on('message', (data, isBinary) => {
        if (this.#state === 'connecting') {
          const read = isBinary ? { ok: false as const } : readFrame(welcomeFrameSchema, data);
          if (!read.ok) {
            this.#failure = 'expected welcome';
            ws.close(CLOSE_CODES.malformedFrame, 'expected welcome');
            return;
          }
          this.#state = 'connected';
          resolve(true);
          return;
        }
        if (this.#state === 'connected') this.#onRequest(ws, data, isBinary);
      });
      ws.on('close', (code, reason) => {
        this.#clearTimers();
        if (this.#state === 'connecting') {
          this.#state = 'failed';
          this.#failure ??= `closed ${code}${reason.length > 0 ? ` ${reason.toString('utf8')}` : ''}`;
        } else if (this.#state === 'connected') {
          this.#state = 'dropped';
        }
        resolve(false);
      });
    });
  }

  /** Drops the socket (no closing handshake) and clears its timers; resolves once the socket is closed. */
  async stop(): Promise<void> {
    const ws = this.#ws;
    if (this.#state === 'connecting' || this.#state === 'connected' || this.#state === 'idle') this.#state = 'stopped';
    this.#clearTimers();
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.terminate();
    await closed;
  }

  #onRequest(ws: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    const read = isBinary ? { ok: false as const } : readFrame(rpcRequestSchema, data);
    if (!read.ok) {
      ws.close(CLOSE_CODES.malformedFrame, 'malformed frame');
      return;
    }
    const { counters } = this.#options;
    counters.calls++;
    const { id, method } = read.frame;
    switch (this.fault) {
      case 'timeout':
        counters.ignored++;
        return;
      case 'disconnect':
        // Abrupt, as a crash or a network failure would be: no closing handshake.
        counters.disconnects++;
        ws.terminate();
        return;
      case 'garbage':
        counters.garbage++;
        ws.send(GARBAGE_FRAME);
        return;
      case 'healthy':
        break;
    }
    if (id === undefined) return; // a notification: nothing to answer
    const idText = JSON.stringify(id);
    const frame = method === 'netstat'
      ? `{"jsonrpc":"2.0","id":${idText},"result":${this.#answer ??= this.#options.answer()}}`
      : `{"jsonrpc":"2.0","id":${idText},"error":${JSON.stringify({ code: METHOD_NOT_FOUND, message: `unknown method ${method}` })}}`;
    const send = (): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(frame);
      counters.answered++;
    };
    const delay = this.#options.delayMs();
    if (delay <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      send();
    }, delay);
    this.#timers.add(timer);
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
