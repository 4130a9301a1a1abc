/**
 * The control node's {@link Cluster} over WebSocket: one link per data node, reconnecting with backoff, and a
 * directory of sentries refreshed from each node's `sentries`.
 *
 * @module
 */
import { WebSocket, type ClientOptions } from 'ws';
import { z } from 'zod';
import { fullJitterBackoff, type Backoff } from '../agent/backoff.js';
import { PROOF_PURPOSE, proofOf, secretBytes } from '../rpc/challenge.js';
import { sendGreeting, type Handshake } from '../rpc/handshake.js';
import {
  CLUSTER_CALL_SLACK_MS,
  CLUSTER_FRAME_LIMIT_BYTES,
  DIRECTORY_CALL_TIMEOUT_MS,
  DIRECTORY_REFRESH_MS,
  HANDSHAKE_DEADLINE_MS,
  NODE_RECONNECT,
} from '../rpc/limits.js';
import { RpcChannel } from '../rpc/rpc-channel.js';
import { describeConnectError, requireSecureUrl } from '../rpc/transport-security.js';
import { WebSocketPort } from '../rpc/websocket-port.js';
import type { Cluster, ClusterNode, ClusterSentryInfo } from '../runtime/cluster.js';
import { SentryRpcError, type SentryCallOptions } from '../runtime/sentry-connector.js';
import type { JoinFrame } from './cluster-endpoint.js';

/** Options of {@link RemoteCluster}. */
export interface RemoteClusterOptions {
  /**
   * Data node name → URL of its cluster endpoint: `wss://`, or `ws://` to loopback (elsewhere only with
   * {@link RemoteClusterOptions.insecure}).
   */
  readonly nodes: Readonly<Record<string, string>>;
  /** Allow plain `ws://` to data nodes that are not loopback. @default false */
  readonly insecure?: boolean;
  /**
   * Shared cluster token (bytes; a string stands for its UTF-8). Never sent: each join carries an HMAC of it over
   * the data node's challenge.
   */
  readonly token: string | Uint8Array;
  /** Extra `ws` client options of the links, e.g. `ca` for a private TLS root. */
  readonly wsOptions?: ClientOptions;
  /**
   * Told when a link to a data node fails (it cannot connect, its certificate is not trusted, the join is
   * refused), once per distinct reason until it joins again, and when it joins.
   */
  readonly log?: (node: string, event: 'joined' | 'failed', detail: string) => void;
  /** How often the directory is renewed. @default {@link DIRECTORY_REFRESH_MS} */
  readonly refreshMs?: number;
  /** Delay before each reconnect to a data node. @default fullJitterBackoff({@link NODE_RECONNECT}) */
  readonly backoff?: Backoff;
  /** The control node's name. @default 'control' */
  readonly name?: string;
}

const sentryListSchema = z.array(
  z.object({
    guid: z.string(),
    connected: z.boolean(),
    hostname: z.string().optional(),
    os: z.string().optional(),
    remote_ip: z.string().optional(),
    connected_at: z.string().optional(),
  }),
);

/**
 * The control node's link to one data node: joins (handshake.ts), then calls over a JSON-RPC channel that keeps
 * the data node's failure kinds; reconnects with backoff whenever the socket closes.
 */
class NodeLink {
  #port: WebSocketPort | undefined;
  #channel: RpcChannel | undefined;
  #closed = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastFailure: string | undefined;

  constructor(
    readonly name: string,
    readonly url: string,
    readonly token: Buffer,
    readonly backoff: Backoff,
    readonly wsOptions: ClientOptions | undefined,
    readonly log: RemoteClusterOptions['log'],
  ) {
    this.#connect();
  }

  #failed(detail: string): void {
    if (this.#lastFailure === detail) return;
    this.#lastFailure = detail;
    this.log?.(this.name, 'failed', detail);
  }

  #connect(): void {
    if (this.#closed) return;
    const join = (nonce: string): JoinFrame => ({ type: 'join', proof: proofOf(this.token, PROOF_PURPOSE.join, nonce, '') });
    let handshake: Handshake | undefined;
    let channel: RpcChannel | undefined;
    let failure: string | undefined;
    const socket = new WebSocket(this.url, { ...this.wsOptions, maxPayload: CLUSTER_FRAME_LIMIT_BYTES });
    const port: WebSocketPort = new WebSocketPort(socket, {
      onOpen: () => {
        handshake = sendGreeting(port, join, HANDSHAKE_DEADLINE_MS, {
          onFrame: () => {
            channel = this.#channel = new RpcChannel(port, { trustFailureKinds: true });
            this.#attempt = 0;
            this.#lastFailure = undefined;
            this.log?.(this.name, 'joined', this.url);
          },
        });
      },
      onText: (text) => (channel ? channel.receive(text) : handshake?.receive(text)),
      onError: (error) => {
        failure ??= `cannot reach ${this.url}: ${describeConnectError(error)}`;
      },
      onClose: (code, reason) => {
        handshake?.cancel();
        channel?.end();
        if (!this.#closed) this.#failed(failure ?? `${this.url} closed the link (${code}${reason ? ` ${reason}` : ''})`);
        if (this.#port !== port) return;
        this.#port = undefined;
        this.#channel = undefined;
        if (this.#closed) return;
        const delay = this.backoff(this.#attempt++);
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#connect();
        }, delay);
      },
    });
    this.#port = port;
  }

  /** Calls the data node; rejects `node NAME is unreachable` when it has not joined. */
  call(method: string, params: Readonly<Record<string, unknown>>, options: SentryCallOptions): Promise<unknown> {
    const channel = this.#channel;
    if (!channel?.open || !this.#port?.open) return Promise.reject(SentryRpcError.nodeUnreachable(this.name));
    return channel.call(method, params, options);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#port?.terminateAndWait();
  }
}

/** The real cluster, seen from the control node. */
export class RemoteCluster implements Cluster {
  readonly #links = new Map<string, NodeLink>();
  readonly #name: string;
  #directory = new Map<string, ClusterSentryInfo[]>();
  /** guid → node holding it connected: derived from the directory at each change, so `locate` (once per record) is O(1). */
  #located = new Map<string, string>();
  readonly #refresh: NodeJS.Timeout;
  #closed = false;

  /**
   * Starts a link to every data node.
   * @throws InsecureTransportError (before any socket is opened) for a `ws://` node that is not loopback, unless `insecure`
   */
  constructor(options: RemoteClusterOptions) {
    this.#name = options.name ?? 'control';
    for (const url of Object.values(options.nodes)) requireSecureUrl(url, options.insecure);
    const backoff = options.backoff ?? fullJitterBackoff(NODE_RECONNECT);
    const token = secretBytes(options.token);
    for (const [name, url] of Object.entries(options.nodes)) {
      this.#links.set(name, new NodeLink(name, url, token, backoff, options.wsOptions, options.log));
    }
    const refreshMs = options.refreshMs ?? DIRECTORY_REFRESH_MS;
    this.#refresh = setInterval(() => void this.refresh(), refreshMs);
  }

  /**
   * Asks every node for its sentries now. A node that does not answer keeps its last known list, so calls to
   * its sentries fail with `node NAME is unreachable` rather than vanishing.
   */
  async refresh(): Promise<void> {
    await Promise.all(
      [...this.#links.values()].map(async (link) => {
        try {
          const list = sentryListSchema.parse(await link.call('sentries', {}, { timeoutMs: DIRECTORY_CALL_TIMEOUT_MS }));
          if (this.#closed) return;
          this.#directory.set(
            link.name,
            list.map(({ connected_at, ...s }): ClusterSentryInfo => ({
              ...s,
              node: link.name,
              ...(connected_at !== undefined && { connected_at: new Date(connected_at) }),
            })),
          );
          this.#reindex();
        } catch {
          // unreachable: keep the last known list
        }
      }),
    );
  }

  nodes(): readonly ClusterNode[] {
    return [{ name: this.#name, type: 'control' }, ...[...this.#links.keys()].map((name) => ({ name, type: 'data' as const }))];
  }

  sentries(): readonly ClusterSentryInfo[] {
    return [...this.#directory.values()].flat();
  }

  locate(guid: string): string | undefined {
    return this.#located.get(guid);
  }

  /** The first node (in directory order) that holds each connected guid, as a scan of the directory would find. */
  #reindex(): void {
    const located = new Map<string, string>();
    for (const [node, list] of this.#directory) {
      for (const s of list) if (s.connected && !located.has(s.guid)) located.set(s.guid, node);
    }
    this.#located = located;
  }

  /**
   * Calls `method` on sentry `guid` through data node `node`. The control node's own timer runs
   * {@link CLUSTER_CALL_SLACK_MS} past the call's timeout, so the data node's `timeout` normally comes first;
   * an abort ends the call here at once (the data node's call runs on to its own timeout: there is no cancel).
   */
  call(
    node: string,
    guid: string,
    method: string,
    params: Readonly<Record<string, unknown>>,
    options: SentryCallOptions,
  ): Promise<unknown> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const link = this.#links.get(node);
    if (!link) return Promise.reject(SentryRpcError.unknownNode(node));
    if (this.#closed) return Promise.reject(SentryRpcError.nodeUnreachable(node));
    return link.call(
      'call',
      { guid, method, params, timeoutMs: options.timeoutMs },
      {
        timeoutMs: options.timeoutMs + CLUSTER_CALL_SLACK_MS,
        ...(signal && { signal }),
      },
    );
  }

  /** Closes every link and timer. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#refresh);
    await Promise.all([...this.#links.values()].map((link) => link.close()));
    this.#directory.clear();
    this.#located.clear();
  }
}
