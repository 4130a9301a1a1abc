/**
 * A data node on NATS: it keeps holding its WebSocket sentries and serves each on `sentry.<guid>.*`, so NATS
 * routes every call to the node that holds the sentry (and answers "no responders" when nobody does). It
 * announces itself and its sentries (node-presence.ts).
 *
 * What a call may ask is bounded as the WebSocket cluster bounded it: only the plugin's sentry methods, params of
 * at most `CLUSTER_CALL_PARAMS_LIMIT_BYTES`, a timeout of at most `CLUSTER_CALL_TIMEOUT_LIMIT_MS` (wire.ts), and
 * at most {@link CLUSTER_PENDING_CALLS_LIMIT} calls running on the node (past it a call is refused at once).
 *
 * @module
 */
import type { NatsConnection, Msg, Subscription } from '@nats-io/transport-node';
import { RUNTIME_ERRORS } from '../errors/runtime-errors.js';
import { SENTRY_METHOD_NAMES } from '../plugin.js';
import { CLUSTER_PENDING_CALLS_LIMIT } from '../rpc/limits.js';
import { SentryRpcError, type SentryConnector, type SentryInfo } from '../runtime/sentry-connector.js';
import { NodePresence } from './node-presence.js';
import { Outbox } from './outbox.js';
import { answer, type ResponderIdentity } from './responder.js';
import { NatsSession } from './nats-session.js';
import { sentryCallsSubject } from './subjects.js';
import { callRequestSchema, type CallReply } from './wire.js';
import { describeIssue } from '../runtime/zod-issue.js';

/** Options of {@link NatsDataNode}. */
export interface NatsDataNodeOptions {
  /** The node's connection to NATS. */
  readonly nc: NatsConnection;
  /** The node's name (`NODE_NAME_PATTERN`), as records' `node` shows it. */
  readonly name: string;
  /** The sentries it holds. */
  readonly connector: SentryConnector;
  /** The sentry methods it serves. @default {@link SENTRY_METHOD_NAMES} */
  readonly sentryMethods?: readonly string[];
  /** Calls it runs at once. @default {@link CLUSTER_PENDING_CALLS_LIMIT} */
  readonly pendingCallsLimit?: number;
}

/** A data node's side of the NATS cluster. Tell it of every sentry link that comes up or goes down. */
export class NatsDataNode {
  readonly #options: NatsDataNodeOptions;
  readonly #allowed: ReadonlySet<string>;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #presence: NodePresence;
  readonly #session: NatsSession;
  readonly #identity: ResponderIdentity;
  readonly #stop = new AbortController();
  readonly #outbox: Outbox;
  #running = 0;

  constructor(options: NatsDataNodeOptions) {
    this.#options = options;
    this.#allowed = new Set(options.sentryMethods ?? SENTRY_METHOD_NAMES);
    this.#outbox = new Outbox(options.nc);
    this.#session = new NatsSession(options.nc, () => this.#presence.heartbeat());
    this.#identity = { node: options.name, session: () => this.#session.count };
    // The sentries already connected are served first; they are in the node's list, which a control node asks
    // for when it first hears the node.
    for (const info of options.connector.list()) if (info.connected) this.#serve(info);
    this.#presence = new NodePresence(
      this.#outbox,
      options.name,
      this.#session,
      () => options.connector.list().filter((s) => s.connected),
      // Served sentries are exactly the connected ones: one subscription each.
      () => this.#subscriptions.size,
    );
  }

  /** A sentry's link came up (`connected`) or went down: serve it, or stop serving it, and announce it. */
  sentryChanged(info: SentryInfo): void {
    this.#serve(info);
    this.#presence.changed(info);
  }

  /** Subscribes to a connected sentry's calls, or unsubscribes from a disconnected one's. */
  #serve(info: SentryInfo): void {
    const subscribed = this.#subscriptions.get(info.guid);
    if (info.connected && !subscribed) {
      const sub = this.#options.nc.subscribe(sentryCallsSubject(info.guid), {
        callback: (error, msg) => (error ? undefined : void answer(this.#outbox, msg, this.#identity, () => this.#run(info.guid, msg))),
      });
      this.#subscriptions.set(info.guid, sub);
    } else if (!info.connected && subscribed) {
      subscribed.unsubscribe();
      this.#subscriptions.delete(info.guid);
    }
  }

  async #run(guid: string, msg: Msg): Promise<CallReply> {
    const method = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
    if (!this.#allowed.has(method)) return refused(RUNTIME_ERRORS.METHOD_NOT_FORWARDED.message(method));
    let request;
    try {
      request = callRequestSchema.safeParse(msg.json());
    } catch {
      return refused(RUNTIME_ERRORS.INVALID_FORWARDED_CALL.message('not JSON'));
    }
    if (!request.success) return refused(RUNTIME_ERRORS.INVALID_FORWARDED_CALL.message(describeIssue(request.error.issues[0]!)));
    const limit = this.#options.pendingCallsLimit ?? CLUSTER_PENDING_CALLS_LIMIT;
    if (this.#running >= limit) return refused(RUNTIME_ERRORS.TOO_MANY_PENDING_CALLS.message(limit));
    this.#running++;
    try {
      const { params, timeoutMs } = request.data;
      return { result: await this.#options.connector.call(guid, method, params, { timeoutMs, signal: this.#stop.signal }) };
    } catch (error) {
      if (
        error instanceof SentryRpcError &&
        (error.kind === 'not-connected' || error.kind === 'timeout' || error.kind === 'disconnected')
      ) {
        return { error: { kind: error.kind, message: error.message } };
      }
      return { error: { kind: 'remote', message: error instanceof Error ? error.message : String(error) } };
    } finally {
      this.#running--;
    }
  }

  /** Says goodbye (the control node forgets it at once), stops serving and ends running calls. */
  close(): void {
    this.#presence.close();
    this.#session.close();
    this.#stop.abort(new Error('the data node is shutting down'));
    for (const sub of this.#subscriptions.values()) sub.unsubscribe();
    this.#subscriptions.clear();
    this.#outbox.flush();
  }
}

function refused(message: string): CallReply {
  return { error: { kind: 'refused', message } };
}
