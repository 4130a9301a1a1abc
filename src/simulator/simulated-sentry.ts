/**
 * One simulated sentry: the agent's side of the link (challenge → hello with a proof of its key → welcome →
 * JSON-RPC), with a scripted fault instead
 * of real connection collection, and no reconnect.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket, { type ClientOptions } from 'ws';
import type { HelloFrame } from '../connector/protocol.js';
import { PROOF_PURPOSE, proofOf, secretBytes } from '../rpc/challenge.js';
import type { FramePort } from '../rpc/frame-port.js';
import { sendGreeting, type Handshake } from '../rpc/handshake.js';
import { JsonText } from '../rpc/json-text.js';
import { HANDSHAKE_DEADLINE_MS, REQUEST_FRAME_LIMIT_BYTES } from '../rpc/limits.js';
import { RpcChannel } from '../rpc/rpc-channel.js';
import type { RpcHandler } from '../rpc/rpc-handlers.js';
import { WebSocketPort } from '../rpc/websocket-port.js';
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

/**
 * What simulated sentries answer: method name → the answer of the sentry `guid` to a call with `params` (e.g.
 * `netstat` with `{ detail: true }`). Each sentry computes an answer on its first call with given params and
 * sends the same JSON text after (no serialising per call: the simulator is for load); it keeps the answers of
 * at most `CACHED_PARAMS_LIMIT` (4) different params per method, and computes others each time.
 */
export type SimulatedMethods = Readonly<Record<string, (guid: string, params: Readonly<Record<string, unknown>>) => unknown>>;

/** Different params whose answers a simulated sentry keeps per method (a node cannot make it hoard answers). */
const CACHED_PARAMS_LIMIT = 4;

/** Options of one {@link SimulatedSentry}. */
export interface SimulatedSentryOptions {
  readonly url: string;
  readonly guid: string;
  readonly key: string;
  readonly fault: SentryFault;
  /** What it answers; other methods get `unknown method NAME`. */
  readonly methods: SimulatedMethods;
  /** The delay before each answer, in ms. */
  readonly delayMs: () => number;
  readonly counters: SimulatorCounters;
  readonly wsOptions?: ClientOptions;
}

/** The frame a `garbage` sentry sends: not JSON, so the connector must drop the link (1007). */
const GARBAGE_FRAME = 'this is not JSON {';

/** A sentry of the fleet simulator: a thin adapter over the channel, with its fault applied to every request. */
export class SimulatedSentry {
  readonly guid: string;
  readonly fault: SentryFault;
  readonly #options: SimulatedSentryOptions;
  readonly #handlers: Readonly<Record<string, RpcHandler>>;
  #port: WebSocketPort | undefined;
  #state: SimulatedSentryState = 'idle';
  #failure: string | undefined;

  constructor(options: SimulatedSentryOptions) {
    this.#options = options;
    this.guid = options.guid;
    this.fault = options.fault;
    this.#handlers = Object.fromEntries(
      Object.entries(options.methods).map(([method, answerOf]) => {
        const answers = new Map<string, JsonText>();
        const handler: RpcHandler = async (params, signal) => {
          const delay = options.delayMs();
          // The latency's timer is released when the link ends (the channel aborts `signal`).
          if (delay > 0) await sleep(delay, undefined, { signal });
          const key = JSON.stringify(params);
          let answer = answers.get(key);
          if (answer === undefined) {
            answer = new JsonText(JSON.stringify(answerOf(options.guid, params) ?? null));
            if (answers.size < CACHED_PARAMS_LIMIT) answers.set(key, answer);
          }
          return answer;
        };
        return [method, handler];
      }),
    );
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
    const { guid, key, counters } = this.#options;
    const ws = new WebSocket(this.#options.url, {
      perMessageDeflate: false,
      maxPayload: REQUEST_FRAME_LIMIT_BYTES,
      ...this.#options.wsOptions,
    });
    return new Promise<boolean>((resolve) => {
      let handshake: Handshake | undefined;
      let channel: RpcChannel | undefined;
      const port: WebSocketPort = new WebSocketPort(ws, {
        // 'error' is always followed by 'close'; remember it as the failure's reason.
        onError: (error) => {
          this.#failure ??= error.message;
        },
        onOpen: () => {
          const hello = (nonce: string): HelloFrame => ({
            type: 'hello',
            guid,
            proof: proofOf(secretBytes(key), PROOF_PURPOSE.hello, nonce, guid),
            hostname: `${guid}.sim`,
            os: 'simulated',
          });
          handshake = sendGreeting(port, hello, HANDSHAKE_DEADLINE_MS, {
            onFrame: () => {
              this.#state = 'connected';
              // Every frame the channel sends is an answer (a result or method-not-found).
              const answering: FramePort = {
                send: (text) => {
                  port.send(text);
                  counters.answered++;
                },
                close: (code, reason) => port.close(code, reason),
              };
              channel = new RpcChannel(answering, { handlers: this.#handlers, methodNotFound: (method) => `unknown method ${method}` });
              resolve(true);
            },
            onMalformed: (detail) => {
              this.#failure = `malformed handshake frame: ${detail}`;
            },
            onTimeout: () => {
              this.#failure = 'no welcome in time';
            },
          });
        },
        onText: (text) => (channel ? this.#onRequest(port, channel, text) : handshake?.receive(text)),
        onClose: (code, reason) => {
          handshake?.cancel();
          channel?.end();
          if (this.#state === 'connecting') {
            this.#state = 'failed';
            this.#failure ??= `closed ${code}${reason.length > 0 ? ` ${reason}` : ''}`;
          } else if (this.#state === 'connected') {
            this.#state = 'dropped';
          }
          resolve(false);
        },
      });
      this.#port = port;
    });
  }

  /** Drops the socket (no closing handshake), which releases its timers; resolves once the socket is closed. */
  async stop(): Promise<void> {
    if (this.#state === 'connecting' || this.#state === 'connected' || this.#state === 'idle') this.#state = 'stopped';
    await this.#port?.terminateAndWait();
  }

  /** A frame from the connector: the fault decides whether the channel gets to answer it. */
  #onRequest(port: WebSocketPort, channel: RpcChannel, text: string): void {
    const { counters } = this.#options;
    counters.calls++;
    switch (this.fault) {
      case 'timeout':
        counters.ignored++;
        return;
      case 'disconnect':
        // Abrupt, as a crash or a network failure would be: no closing handshake.
        counters.disconnects++;
        port.terminate();
        return;
      case 'garbage':
        counters.garbage++;
        port.send(GARBAGE_FRAME);
        return;
      case 'healthy':
        channel.receive(text);
    }
  }
}
