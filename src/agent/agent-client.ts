import { hostname as osHostname, platform, release } from 'node:os';
import WebSocket, { type ClientOptions } from 'ws';
import type { HelloFrame } from '../connector/protocol.js';
import { PROOF_PURPOSE, proofOf, secretBytes } from '../rpc/challenge.js';
import { sendGreeting, type Handshake } from '../rpc/handshake.js';
import { HANDSHAKE_DEADLINE_MS, REQUEST_FRAME_LIMIT_BYTES } from '../rpc/limits.js';
import { RpcChannel } from '../rpc/rpc-channel.js';
import { describeConnectError, requireSecureUrl } from '../rpc/transport-security.js';
import { WebSocketPort } from '../rpc/websocket-port.js';
import type { SentryMethods } from '../runtime/sentry-methods.js';
import { fullJitterBackoff, type Backoff } from './backoff.js';
import { gateMethods, type CollectionGateOptions } from './collection-gate.js';

/** Where the agent stands; told through {@link AgentOptions.onStatus}. */
export type AgentStatus =
  | {
      /** Opening the link and saying hello. */
      readonly state: 'connecting';
    }
  | {
      /** The connector accepted the hello; RPCs are being served. */
      readonly state: 'connected';
    }
  | {
      /** The link closed; a reconnect is scheduled. */
      readonly state: 'disconnected';
      /** WebSocket close code. */
      readonly code: number;
      /** WebSocket close reason text. */
      readonly reason: string;
      /** Delay before the next attempt, in milliseconds. */
      readonly retryInMs: number;
      /** Why the socket failed, when it did (e.g. an untrusted TLS certificate), worded for an operator. */
      readonly error?: string;
    }
  | {
      /** The agent was stopped; it will not reconnect. */
      readonly state: 'stopped';
    };

/** Options of {@link startAgent}. */
export interface AgentOptions {
  /** The connector: `wss://`, or `ws://` to loopback (elsewhere only with {@link AgentOptions.insecure}). */
  readonly url: string;
  /** Allow plain `ws://` to a host that is not loopback. @default false */
  readonly insecure?: boolean;
  /** The sentry's GUID, sent in the hello. */
  readonly guid: string;
  /**
   * The sentry's shared key (bytes; a string stands for its UTF-8). Never sent: the hello carries an HMAC of it
   * over the connector's challenge.
   */
  readonly key: string | Uint8Array;
  /** Sent in the hello. @default os.hostname() */
  readonly hostname?: string;
  /** Sent in the hello. @default `${platform} ${release}` */
  readonly os?: string;
  /**
   * What the sentry answers: method name → handler (the CLI gives `AGENT_METHODS`). Other methods get
   * method-not-found. Each method is a collection: concurrent calls share one, and at most one starts per
   * interval (collection-gate.ts).
   */
  readonly methods: SentryMethods;
  /** How often a method may be collected, how many callers may wait. @default `AGENT_COLLECTION_INTERVAL_MS`, `AGENT_WAITING_CALLS_LIMIT` of the rpc limits */
  readonly collections?: CollectionGateOptions;
  /** Delay before each reconnect attempt. @default fullJitterBackoff() (`AGENT_RECONNECT` of the rpc limits: 500 ms base, 5 s cap) */
  readonly backoff?: Backoff;
  /** Extra `ws` client options, e.g. `ca` for a private TLS root. */
  readonly wsOptions?: ClientOptions;
  /** Told of every state change. */
  readonly onStatus?: (status: AgentStatus) => void;
}

/** A running agent. */
export interface AgentHandle {
  /** True while authenticated. */
  readonly connected: boolean;
  /** Drops the current link abruptly, as a network failure would; the agent reconnects. */
  drop(): void;
  /** Closes the link and cancels any reconnect; resolves once the socket is closed. */
  stop(): Promise<void>;
}

/**
 * Runs a sentry's side of the link: connects, answers the connector's challenge with a hello proving its key,
 * waits for the welcome, then answers JSON-RPC calls from `methods`. When the link drops (or no welcome comes in
 * time) it reconnects with {@link fullJitterBackoff}, starting over once authenticated again.
 *
 * @throws InsecureTransportError (before any socket is opened) for `ws://` to a host that is not loopback,
 * unless `insecure`
 */
export function startAgent(options: AgentOptions): AgentHandle {
  requireSecureUrl(options.url, options.insecure);
  const backoff = options.backoff ?? fullJitterBackoff();
  // One gate per agent, not per link: a node that reconnects does not get a fresh budget.
  const handlers = gateMethods(options.methods, options.collections);
  const key = secretBytes(options.key);
  const hostname = options.hostname ?? osHostname();
  const os = options.os ?? `${platform()} ${release()}`;
  const hello = (nonce: string): HelloFrame => ({
    type: 'hello',
    guid: options.guid,
    proof: proofOf(key, PROOF_PURPOSE.hello, nonce, options.guid),
    hostname,
    os,
  });

  let port: WebSocketPort | undefined;
  let channel: RpcChannel | undefined;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const status = (s: AgentStatus): void => options.onStatus?.(s);

  const connect = (): void => {
    retryTimer = undefined;
    status({ state: 'connecting' });
    let handshake: Handshake | undefined;
    let failure: string | undefined;
    const socket: WebSocketPort = new WebSocketPort(
      // A request is a method and a few params: a frame over the limit (a hostile node) closes the link (1009)
      // from its header, before it is buffered.
      new WebSocket(options.url, { ...options.wsOptions, maxPayload: REQUEST_FRAME_LIMIT_BYTES }),
      {
        onOpen: () => {
          handshake = sendGreeting(socket, hello, HANDSHAKE_DEADLINE_MS, {
            onFrame: () => {
              channel = new RpcChannel(socket, { handlers });
              attempt = 0;
              status({ state: 'connected' });
            },
          });
        },
        onText: (text) => (channel ? channel.receive(text) : handshake?.receive(text)),
        // Errors are followed by 'close', which is where the reconnect is decided.
        onError: (error) => {
          failure ??= describeConnectError(error);
        },
        onClose: (code, reason) => {
          handshake?.cancel();
          channel?.end();
          channel = undefined;
          if (stopped) return;
          const retryInMs = backoff(attempt++);
          status({ state: 'disconnected', code, reason, retryInMs, ...(failure !== undefined && { error: failure }) });
          retryTimer = setTimeout(connect, retryInMs);
        },
      },
    );
    port = socket;
  };
  connect();

  return {
    get connected() {
      return channel !== undefined && port?.open === true;
    },
    drop() {
      port?.terminate();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(retryTimer);
      await port?.terminateAndWait();
      status({ state: 'stopped' });
    },
  };
}
