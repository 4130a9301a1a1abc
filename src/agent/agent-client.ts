import { hostname as osHostname, platform, release } from 'node:os';
import WebSocket, { type ClientOptions } from 'ws';
import type { HelloFrame } from '../connector/protocol.js';
import { PROOF_PURPOSE, proofOf, secretBytes } from '../rpc/challenge.js';
import { sendGreeting, type Handshake } from '../rpc/handshake.js';
import { HANDSHAKE_DEADLINE_MS, REQUEST_FRAME_LIMIT_BYTES } from '../rpc/limits.js';
import { RpcChannel } from '../rpc/rpc-channel.js';
import { WebSocketPort } from '../rpc/websocket-port.js';
import type { SentryMethods } from '../runtime/sentry-methods.js';
import { checkAgentGuid, checkAgentUrl } from './agent-config.js';
import { fullJitterBackoff, type Backoff } from './backoff.js';
import { gateMethods, type CollectionGateOptions } from './collection-gate.js';
import { describeLinkFailure, needsTlsProbe, type AttemptOutcome } from './link-failure.js';
import { servesTls } from './tls-probe.js';

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
      /** Why the socket failed, when it did (e.g. connection refused), worded for an operator. */
      readonly error?: string;
      /** The whole cause in one line, e.g. `cannot connect to URL: connection refused (is the node running, …?)`. */
      readonly message: string;
    }
  | {
      /**
       * A refusal retrying cannot fix (authentication, certificate, wrong endpoint, duplicate guid): the agent
       * has stopped and will not reconnect.
       */
      readonly state: 'failed';
      /** WebSocket close code. */
      readonly code: number;
      /** WebSocket close reason text. */
      readonly reason: string;
      /** The cause and what to change, in one line (src/agent/link-failure.ts). */
      readonly message: string;
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
  /** How messages name the trusted certificate given in `wsOptions.ca` (the CLI: `--ca FILE`). */
  readonly caLabel?: string;
  /**
   * Stop at a refusal retrying cannot fix (status `failed`) instead of retrying it with backoff. @default true
   */
  readonly stopOnPermanentFailure?: boolean;
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
 * time) it reconnects with {@link fullJitterBackoff}, starting over once authenticated again. A refusal that
 * retrying cannot fix (wrong key or unknown guid, untrusted certificate, not a sentry port, a guid another live
 * sentry holds) stops it with status `failed` and the cause.
 *
 * @throws InsecureTransportError (before any socket is opened) for `ws://` to a host that is not loopback,
 * unless `insecure`; AgentConfigError for a URL or guid that cannot work (no scheme, empty guid, …)
 */
export function startAgent(options: AgentOptions): AgentHandle {
  const url = checkAgentUrl(options.url, options.insecure);
  checkAgentGuid(options.guid);
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
  // Aborted by stop(): a TLS probe in progress (settle) releases its socket and timer at once.
  const stopping = new AbortController();
  const status = (s: AgentStatus): void => options.onStatus?.(s);

  const connect = (): void => {
    retryTimer = undefined;
    status({ state: 'connecting' });
    let handshake: Handshake | undefined;
    let error: Error | undefined;
    let welcomed = false;
    let challenged = false;
    let queryPortAnswer = false;
    let notChallenged = false;
    const socket: WebSocketPort = new WebSocketPort(
      // A request is a method and a few params: a frame over the limit (a hostile node) closes the link (1009)
      // from its header, before it is buffered.
      new WebSocket(options.url, { ...options.wsOptions, maxPayload: REQUEST_FRAME_LIMIT_BYTES }),
      {
        onOpen: () => {
          handshake = sendGreeting(
            socket,
            (nonce) => {
              challenged = true;
              return hello(nonce);
            },
            HANDSHAKE_DEADLINE_MS,
            {
              onFrame: () => {
                channel = new RpcChannel(socket, { handlers });
                welcomed = true;
                attempt = 0;
                status({ state: 'connected' });
              },
              // The first frame was not a challenge: not a node's sentry port (ws:// to some other WebSocket server).
              onMalformed: () => {
                notChallenged ||= !challenged;
              },
            },
          );
        },
        onText: (text) => {
          if (channel) return channel.receive(text);
          if (challenged && isQueryPortAnswer(text)) queryPortAnswer = true;
          handshake?.receive(text);
        },
        // Errors are followed by 'close', which is where the reconnect is decided.
        onError: (e) => {
          error ??= e;
        },
        onClose: (code, reason) => {
          handshake?.cancel();
          channel?.end();
          channel = undefined;
          if (stopped) return;
          void settle({ code, reason, error, welcomed, notChallenged, queryPortAnswer });
        },
      },
    );
    port = socket;
  };

  /** Words why the attempt ended; retries it, or stops on a permanent refusal. */
  const settle = async (seen: Omit<AttemptOutcome, 'url' | 'guid' | 'ca' | 'servesTls'>): Promise<void> => {
    const probe =
      !seen.welcomed && needsTlsProbe(options.url, seen.error)
        ? await servesTls(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 80), HANDSHAKE_DEADLINE_MS, stopping.signal)
        : undefined;
    if (stopped) return;
    const failure = describeLinkFailure({
      ...seen,
      url: options.url,
      guid: options.guid,
      ...(options.caLabel !== undefined && { ca: options.caLabel }),
      ...(probe !== undefined && { servesTls: probe }),
    });
    if (failure.permanent && options.stopOnPermanentFailure !== false) {
      stopped = true;
      status({ state: 'failed', code: seen.code, reason: seen.reason, message: failure.message });
      return;
    }
    const retryInMs = backoff(attempt++);
    const { code, reason } = seen;
    status({
      state: 'disconnected',
      code,
      reason,
      retryInMs,
      message: failure.message,
      ...(seen.error !== undefined && { error: failure.message }),
    });
    retryTimer = setTimeout(connect, retryInMs);
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
      stopping.abort();
      clearTimeout(retryTimer);
      await port?.terminateAndWait();
      status({ state: 'stopped' });
    },
  };
}

/**
 * A node's query port answers a hello, which is no query request, with `{"type":"error", …}` (the query
 * protocol's error frame, src/remote/query-protocol.ts) where a sentry port would welcome: that is how an agent
 * pointed at the query port knows it.
 */
function isQueryPortAnswer(text: string): boolean {
  try {
    const frame: unknown = JSON.parse(text);
    return typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === 'error';
  } catch {
    return false;
  }
}
