import { hostname as osHostname, platform, release } from 'node:os';
import WebSocket, { type ClientOptions } from 'ws';
import type { HelloFrame } from '../connector/protocol.js';
import { sendGreeting, type Handshake } from '../rpc/handshake.js';
import { HANDSHAKE_DEADLINE_MS, REQUEST_FRAME_LIMIT_BYTES } from '../rpc/limits.js';
import { RpcChannel } from '../rpc/rpc-channel.js';
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
    }
  | {
      /** The agent was stopped; it will not reconnect. */
      readonly state: 'stopped';
    };

/** Options of {@link startAgent}. */
export interface AgentOptions {
  /** The connector, `ws://` or `wss://`. */
  readonly url: string;
  /** The sentry's GUID, sent in the hello. */
  readonly guid: string;
  /** The sentry's shared key, sent in the hello. */
  readonly key: string;
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
  /** Delay before each reconnect attempt. @default fullJitterBackoff() (`AGENT_RECONNECT` of the rpc limits: 500 ms base, 30 s cap) */
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
 * Runs a sentry's side of the link: connects, says hello, waits for the welcome, then answers JSON-RPC calls
 * from `methods`. When the link drops (or no welcome comes in time) it reconnects with
 * {@link fullJitterBackoff}, starting over once authenticated again.
 */
export function startAgent(options: AgentOptions): AgentHandle {
  const backoff = options.backoff ?? fullJitterBackoff();
  // One gate per agent, not per link: a node that reconnects does not get a fresh budget.
  const handlers = gateMethods(options.methods, options.collections);
  const hello: HelloFrame = {
    type: 'hello',
    guid: options.guid,
    key: options.key,
    hostname: options.hostname ?? osHostname(),
    os: options.os ?? `${platform()} ${release()}`,
  };

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
        onClose: (code, reason) => {
          handshake?.cancel();
          channel?.end();
          channel = undefined;
          if (stopped) return;
          const retryInMs = backoff(attempt++);
          status({ state: 'disconnected', code, reason, retryInMs });
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
