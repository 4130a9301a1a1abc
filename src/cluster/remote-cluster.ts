/**
 * The control node's {@link Cluster} over WebSocket: one link per data node, reconnecting with backoff, and a
 * directory of sentries refreshed from each node's `sentries`.
 *
 * @module
 */
import { createJSONRPCErrorResponse, createJSONRPCRequest, JSONRPCClient, type JSONRPCResponse } from 'json-rpc-2.0';
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { fullJitterBackoff, type Backoff } from '../agent/backoff.js';
import { readFrame, rpcResponseSchema } from '../connector/protocol.js';
import type { Cluster, ClusterNode, ClusterSentryInfo } from '../runtime/cluster.js';
import { SENTRY_RPC_FAILURES, SentryRpcError, type SentryCallOptions } from '../runtime/sentry-connector.js';

/** Options of {@link RemoteCluster}. */
export interface RemoteClusterOptions {
  /** Data node name → `ws://` URL of its cluster endpoint. */
  readonly nodes: Readonly<Record<string, string>>;
  /** Shared cluster token presented when joining each data node's endpoint. */
  readonly token: string;
  /** @default 2 000 */
  readonly refreshMs?: number;
  /** @default fullJitterBackoff() */
  readonly backoff?: Backoff;
  /** The control node's name. @default 'control' */
  readonly name?: string;
}

const sentryListSchema = z.array(z.object({
  guid: z.string(),
  connected: z.boolean(),
  hostname: z.string().optional(),
  os: z.string().optional(),
  remote_ip: z.string().optional(),
  connected_at: z.string().optional(),
}));

/** The node's error message as the connector's error: `not connected`, `timeout`, `disconnected`, else the sentry's. */
function rpcError(message: string): Error {
  switch (message) {
    case SENTRY_RPC_FAILURES.notConnected: return SentryRpcError.notConnected();
    case SENTRY_RPC_FAILURES.timeout: return SentryRpcError.timeout();
    case SENTRY_RPC_FAILURES.disconnected: return SentryRpcError.disconnected();
    default: return SentryRpcError.remote(message);
  }
}

class NodeLink {
  #socket: WebSocket | undefined;
  #ready = false;
  #closed = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #nextId = 0;
  /** What calls pending at a drop are failed with; unguessable, so a node cannot fake a drop. */
  readonly #dropped = `disconnected ${randomUUID()}`;
  /** json-rpc-2.0 does the ids and the correlation; this link does the socket and the join. */
  readonly #client = new JSONRPCClient((payload: unknown) => {
    const socket = this.#socket;
    if (!this.#ready || !socket || socket.readyState !== WebSocket.OPEN) throw new Error(this.#dropped);
    socket.send(JSON.stringify(payload));
  });

  constructor(readonly name: string, readonly url: string, readonly token: string, readonly backoff: Backoff) {
    this.#connect();
  }

  get ready(): boolean { return this.#ready; }

  #connect(): void {
    if (this.#closed) return;
    const socket = new WebSocket(this.url, { maxPayload: 64 << 20 });
    this.#socket = socket;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'join', token: this.token })));
    socket.on('error', () => undefined);
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      if (!this.#ready) {
        const welcome = readFrame(z.object({ type: z.literal('welcome') }), data);
        if (!welcome.ok) { socket.terminate(); return; }
        this.#ready = true;
        this.#attempt = 0;
        return;
      }
      const frame = readFrame(rpcResponseSchema, data);
      if (frame.ok) this.#client.receive(frame.frame as JSONRPCResponse);
    });
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#ready = false;
      this.#socket = undefined;
      this.#client.rejectAllPendingRequests(this.#dropped);
      if (this.#closed) return;
      const delay = this.backoff(this.#attempt++);
      this.#timer = setTimeout(() => { this.#timer = undefined; this.#connect(); }, delay);
    });
  }

  /** Sends a request; rejects `node NAME is unreachable` when not joined. Returns the id too, to forget it. */
  request(method: string, params: Record<string, unknown>): { id: number; answer: Promise<unknown> } {
    const id = ++this.#nextId;
    const socket = this.#socket;
    if (!this.#ready || !socket || socket.readyState !== WebSocket.OPEN) {
      return { id, answer: Promise.reject(new Error(`node ${this.name} is unreachable`)) };
    }
    const answer = Promise.resolve(this.#client.requestAdvanced(createJSONRPCRequest(id, method, params))).then(
      (response) => {
        if (!response.error) return response.result;
        throw response.error.message === this.#dropped ? SentryRpcError.disconnected() : rpcError(response.error.message);
      },
      () => { throw SentryRpcError.disconnected(); },
    );
    return { id, answer };
  }

  /** Settles the pending id inside the client (the caller gave up: abort or timeout), so it is not kept. */
  forget(id: number): void {
    this.#client.receive(createJSONRPCErrorResponse(id, 0, 'forgotten'));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.terminate();
      await closed;
    }
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

  constructor(options: RemoteClusterOptions) {
    this.#name = options.name ?? 'control';
    const backoff = options.backoff ?? fullJitterBackoff({ baseMs: 200, capMs: 5_000 });
    for (const [name, url] of Object.entries(options.nodes)) this.#links.set(name, new NodeLink(name, url, options.token, backoff));
    const refreshMs = options.refreshMs ?? 2_000;
    this.#refresh = setInterval(() => void this.refresh(), refreshMs);
  }

  /**
   * Asks every node for its sentries now. A node that does not answer keeps its last known list, so calls to
   * its sentries fail with `node NAME is unreachable` rather than vanishing.
   */
  async refresh(): Promise<void> {
    await Promise.all([...this.#links.values()].map(async (link) => {
      try {
        const { answer } = link.request('sentries', {});
        const list = sentryListSchema.parse(await answer);
        if (this.#closed) return;
        this.#directory.set(link.name, list.map(({ connected_at, ...s }): ClusterSentryInfo => ({ ...s, node: link.name, ...(connected_at !== undefined && { connected_at: new Date(connected_at) }) })));
        this.#reindex();
      } catch {
        // unreachable: keep the last known list
      }
    }));
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

  call(node: string, guid: string, method: string, params: Readonly<Record<string, unknown>>, options: SentryCallOptions): Promise<unknown> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const link = this.#links.get(node);
    if (!link || this.#closed) return Promise.reject(new Error(`node ${node} is unreachable`));
    const { id, answer } = link.request('call', { guid, method, params, timeoutMs: options.timeoutMs });
    return new Promise<unknown>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => { clearTimeout(timer); signal?.removeEventListener('abort', onAbort); link.forget(id); };
      const onAbort = (): void => { finish(); reject(signal!.reason); };
      // A little slack over the node's own timeout, so the node's `timeout` usually comes first.
      timer = setTimeout(() => { finish(); reject(SentryRpcError.timeout()); }, options.timeoutMs + 1_000);
      signal?.addEventListener('abort', onAbort, { once: true });
      answer.then((value) => { finish(); resolve(value); }, (error: unknown) => { finish(); reject(error); });
    });
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
