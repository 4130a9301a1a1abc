import { hostname as osHostname, platform, release } from 'node:os';
import { JSONRPCServer, type JSONRPCRequest } from 'json-rpc-2.0';
import WebSocket, { type ClientOptions } from 'ws';
import { CLOSE_CODES, readFrame, rpcRequestSchema, welcomeFrameSchema, type HelloFrame } from '../connector/protocol.js';
import { fullJitterBackoff, type Backoff } from './backoff.js';
import { collectLinuxConnections } from './collect-linux.js';

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
  /** What `netstat` answers. @default collectLinuxConnections */
  readonly collect?: () => unknown;
  /** Delay before each reconnect attempt. @default fullJitterBackoff() (500 ms base, 30 s cap) */
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
 * (`netstat`; any other method gets a method-not-found error). When the link drops it reconnects with
 * {@link fullJitterBackoff}, starting over once authenticated again.
 */
export function startAgent(options: AgentOptions): AgentHandle {
  const collect = options.collect ?? collectLinuxConnections;
  const backoff = options.backoff ?? fullJitterBackoff();
  // A failing collect is answered to the connector as a JSON-RPC error; the library need not also print it.
  const rpc = new JSONRPCServer({ errorListener: () => undefined });
  rpc.addMethod('netstat', () => collect());
  const hello: HelloFrame = {
    type: 'hello',
    guid: options.guid,
    key: options.key,
    hostname: options.hostname ?? osHostname(),
    os: options.os ?? `${platform()} ${release()}`,
  };

  let ws: WebSocket | undefined;
  let welcomed = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const status = (s: AgentStatus): void => options.onStatus?.(s);

  const connect = (): void => {
    retryTimer = undefined;
    welcomed = false;
    status({ state: 'connecting' });
    const socket = new WebSocket(options.url, options.wsOptions);
    ws = socket;
    // Errors are followed by 'close', which is where the reconnect is decided.
    socket.on('error', () => undefined);
    socket.on('open', () => socket.send(JSON.stringify(hello)));
    socket.on('message', (data, isBinary) => {
      if (!welcomed) {
        const read = isBinary ? { ok: false as const } : readFrame(welcomeFrameSchema, data);
        if (!read.ok) return socket.close(CLOSE_CODES.malformedFrame, 'expected welcome');
        welcomed = true;
        attempt = 0;
        status({ state: 'connected' });
        return;
      }
      const read = isBinary ? { ok: false as const } : readFrame(rpcRequestSchema, data);
      if (!read.ok) return socket.close(CLOSE_CODES.malformedFrame, 'malformed frame');
      void rpc.receive(read.frame as JSONRPCRequest).then((response) => {
        if (response && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(response));
      });
    });
    socket.on('close', (code, reason) => {
      welcomed = false;
      if (stopped) return;
      const retryInMs = backoff(attempt++);
      status({ state: 'disconnected', code, reason: reason.toString('utf8'), retryInMs });
      retryTimer = setTimeout(connect, retryInMs);
    });
  };
  connect();

  return {
    get connected() { return welcomed && ws?.readyState === WebSocket.OPEN; },
    drop() { ws?.terminate(); },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(retryTimer);
      const socket = ws;
      if (socket && socket.readyState !== WebSocket.CLOSED) {
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.terminate();
        await closed;
      }
      status({ state: 'stopped' });
    },
  };
}
