/**
 * The {@link Cluster} over NATS, as the control node (or any node running `sonar-sentry-netstat`) sees it:
 * NATS routes each call to whoever holds the sentry; the directory of who holds what comes from the nodes'
 * announcements (presence-directory.ts); calls survive lost messages and server failover (requester.ts).
 *
 * How a call fails, per record: `not connected` (nobody holds the sentry), `node NAME is unreachable` (the node
 * that holds it is silent, or did not answer), `timeout`, `disconnected`, the sentry's own message, or
 * `the cluster is unreachable: …` when this side has lost every NATS server.
 *
 * @module
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { RUNTIME_ERRORS } from '../errors/runtime-errors.js';
import { CLUSTER_CALL_SLACK_MS, NATS_ANSWER_LIMIT_BYTES, NO_RESPONDERS_RETRY, NODE_LIST_TIMEOUT_MS } from '../rpc/limits.js';
import type { Cluster, ClusterNode, ClusterSentryInfo } from '../runtime/cluster.js';
import { SentryRpcError, type SentryCallOptions } from '../runtime/sentry-connector.js';
import { PresenceDirectory, type PresenceEvent } from './presence-directory.js';
import { NatsRequester } from './requester.js';
import { callSubject, DIRECT_NODE, nodeSubjects, sentryCallsSubject } from './subjects.js';
import { callReplySchema, nodeListSchema, type CallReply, type NodeList } from './wire.js';

/** Options of {@link NatsCluster}. */
export interface NatsClusterOptions {
  /** The node's connection to NATS (connect-nats.ts). */
  readonly nc: NatsConnection;
  /** This node's name, listed first by `nodes()`. @default 'control' */
  readonly name?: string;
  /** Told of data nodes joining, going silent, coming back and leaving. */
  readonly log?: (event: PresenceEvent) => void;
  /** Inbox prefix of this side's replies (NATS permissions may reserve one per control node). @default '_INBOX' */
  readonly inboxPrefix?: string;
}

/** A call that NATS answered "no responders" this many times although a live node announces the sentry fails. */
const NO_RESPONDERS_ATTEMPTS = 8;

/** The cluster, over NATS. */
export class NatsCluster implements Cluster {
  readonly #name: string;
  readonly #requester: NatsRequester;
  readonly #directory: PresenceDirectory;

  constructor(options: NatsClusterOptions) {
    this.#name = options.name ?? 'control';
    this.#requester = new NatsRequester(options.nc, {
      unreachable: () => SentryRpcError.clusterUnreachable(),
      ...(options.inboxPrefix !== undefined && { inboxPrefix: options.inboxPrefix }),
    });
    this.#directory = new PresenceDirectory(options.nc, {
      fetchList: (node) => this.#fetchList(node),
      ...(options.log && { log: options.log }),
      onNodeSession: (node, session) => this.#requester.responderReconnected(node, session),
      onNodeLost: (node) => this.#requester.failAcknowledgedBy(node, () => SentryRpcError.nodeUnreachable(node)),
      onNodeRestarted: (node) => this.#requester.responderRestarted(node),
      onAgentSession: (guid, session) => this.#requester.subjectResponderReconnected(`${sentryCallsSubject(guid).slice(0, -1)}`, session),
    });
  }

  /** The presence directory (for tests and the node's status). */
  get directory(): PresenceDirectory {
    return this.#directory;
  }

  nodes(): readonly ClusterNode[] {
    return [{ name: this.#name, type: 'control' }, ...this.#directory.nodeNames().map((name) => ({ name, type: 'data' as const }))];
  }

  sentries(): readonly ClusterSentryInfo[] {
    return this.#directory.sentries();
  }

  locate(guid: string): string | undefined {
    return this.#directory.locate(guid);
  }

  /**
   * Calls `method` on sentry `guid`. NATS routes by guid; `node` (where the directory, or the input record,
   * says the sentry is) decides the errors: an unknown node, a silent one.
   */
  async call(
    node: string,
    guid: string,
    method: string,
    params: Readonly<Record<string, unknown>>,
    options: SentryCallOptions,
  ): Promise<unknown> {
    if (options.signal?.aborted) throw options.signal.reason;
    if (node !== DIRECT_NODE && !this.#directory.hasNode(node)) throw SentryRpcError.unknownNode(node);
    if (this.#directory.isSuspect(node)) throw SentryRpcError.nodeUnreachable(node);
    const malformed = (detail: string): SentryRpcError =>
      new SentryRpcError('remote', RUNTIME_ERRORS.MALFORMED_ANSWER.message(method, detail));
    const reply = await this.#requester.request(
      callSubject(guid, method),
      Buffer.from(JSON.stringify({ params, timeoutMs: options.timeoutMs })),
      {
        timeoutMs: options.timeoutMs + CLUSTER_CALL_SLACK_MS,
        ...(options.signal && { signal: options.signal }),
        limitBytes: NATS_ANSWER_LIMIT_BYTES.call,
        onNoResponders: (n) => this.#afterNoResponders(guid, n),
        onTimeout: () => SentryRpcError.timeout(),
        onMalformed: malformed,
      },
    );
    const parsed = parseReply(reply.bytes);
    if (!parsed) throw malformed('not a reply');
    if ('result' in parsed) return parsed.result;
    const { kind, message } = parsed.error;
    if (kind === 'not-connected' || kind === 'timeout' || kind === 'disconnected') throw new SentryRpcError(kind);
    return Promise.reject(SentryRpcError.remote(message));
  }

  /** After "no responders": who should have answered decides between trying again and which error. */
  #afterNoResponders(guid: string, n: number): number | Error {
    const at = this.#directory.locate(guid);
    if (at === undefined || at === DIRECT_NODE) return SentryRpcError.notConnected();
    if (this.#directory.isSuspect(at) || n > NO_RESPONDERS_ATTEMPTS) return SentryRpcError.nodeUnreachable(at);
    return Math.min(NO_RESPONDERS_RETRY.baseMs * 2 ** (n - 1), NO_RESPONDERS_RETRY.capMs);
  }

  async #fetchList(node: string): Promise<NodeList> {
    const reply = await this.#requester.request(nodeSubjects(node).list, Buffer.from('{}'), {
      timeoutMs: NODE_LIST_TIMEOUT_MS,
      limitBytes: NATS_ANSWER_LIMIT_BYTES.list,
      onNoResponders: (n) => (n > 3 ? SentryRpcError.nodeUnreachable(node) : 200),
      onTimeout: () => SentryRpcError.nodeUnreachable(node),
      onMalformed: (detail) => new Error(detail),
    });
    const parsed = parseReply(reply.bytes);
    if (!parsed || !('result' in parsed)) throw new Error(`node ${node} sent no list`);
    return nodeListSchema.parse(parsed.result);
  }

  /** Stops listening and fails calls still waiting. Does not close the NATS connection. */
  close(): void {
    this.#directory.close();
    this.#requester.close();
  }
}

function parseReply(bytes: Buffer): CallReply | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  // The common case checked by hand (the result itself is validated by the command, e.g. netstat-answer.ts);
  // anything else goes through the schema.
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && 'result' in value) {
    return value;
  }
  const parsed = callReplySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
