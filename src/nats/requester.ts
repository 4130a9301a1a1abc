/**
 * The calling side of calls on NATS. NATS itself does not retry, and a message in flight inside a server that
 * dies is lost; so each call keeps its request until its reply is complete and publishes it again when:
 *
 * - nobody acknowledged it within {@link NATS_ACK_WAIT_MS} (the request or the acknowledgement was lost);
 * - this side's own connection came back (anything in flight meanwhile may be lost);
 * - the node that acknowledged it reconnected to NATS ({@link NatsRequester.responderReconnected}): its reply may
 *   have been lost in the server it left;
 * - NATS said "no responders" and the caller's policy says to try again (a node re-subscribing after a failover).
 *
 * Only read-only sentry methods and a node's `list` travel this way, so a repeated request is harmless. Replies
 * come on one wildcard subscription of this side's own inbox (`<prefix>.<random>.<call>.<attempt>`); the first
 * complete reply wins, later ones are dropped.
 *
 * Why not `nc.request`: it takes the first message only (our replies are an acknowledgement and chunks), and
 * cannot publish again into the same call.
 *
 * @module
 */
import { nuid, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { NATS_ACK_WAIT_MS, NATS_RECONNECT_GRACE_MS } from '../rpc/limits.js';
import { ChunkAssembler, ChunkError, parseChunkHeader } from './chunk-assembler.js';
import { Outbox } from './outbox.js';
import { onAbort } from '../runtime/abort-listeners.js';
import { parseReplyLabel, REPLY_HEADER } from './wire.js';

/** Options of one request. */
export interface NatsRequestOptions {
  /** The request fails with {@link NatsRequestOptions.onTimeout}'s error after this many milliseconds. */
  readonly timeoutMs: number;
  /** Aborting rejects at once with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Most bytes the reassembled reply may have. */
  readonly limitBytes: number;
  /**
   * NATS answered "no responders" (for the `n`th time, from 1): resolve to publish again after that many
   * milliseconds, or to the error the request fails with.
   */
  readonly onNoResponders: (n: number) => number | Error;
  /** The error of a request whose time ran out. */
  readonly onTimeout: () => Error;
  /** The error of a reply that cannot be reassembled (bad chunks, over the limit). */
  readonly onMalformed: (detail: string) => Error;
}

/** A complete reply. */
export interface NatsReply {
  /** The node that sent it (its header; as trustworthy as the responder). */
  readonly node: string;
  /** The reply's bytes, reassembled. */
  readonly bytes: Buffer;
}

/** Options of {@link NatsRequester}. */
export interface NatsRequesterOptions {
  /** The error of requests while this side has been disconnected from NATS for longer than the grace. */
  readonly unreachable: () => Error;
  /** @default {@link NATS_ACK_WAIT_MS} */
  readonly ackWaitMs?: number;
  /** @default {@link NATS_RECONNECT_GRACE_MS} */
  readonly reconnectGraceMs?: number;
  /** The inbox prefix (NATS permissions can restrict who may subscribe to it). @default '_INBOX' */
  readonly inboxPrefix?: string;
}

interface PendingCall {
  readonly subject: string;
  readonly body: Uint8Array;
  readonly options: NatsRequestOptions;
  attempt: number;
  noResponders: number;
  ack: { node: string; session: number } | undefined;
  /** Replies being reassembled, by attempt/node/session (a few at most). */
  readonly assemblers: Map<string, ChunkAssembler>;
  ackTimer: NodeJS.Timeout | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  readonly deadline: NodeJS.Timeout;
  readonly settle: (outcome: { reply: NatsReply } | { error: unknown }) => void;
}

/** Replies reassembled at once for one call (its attempts and responders); more are dropped. */
const ASSEMBLERS_PER_CALL = 4;

/** Calls over NATS that survive lost messages and server failover. */
export class NatsRequester {
  readonly #nc: NatsConnection;
  readonly #outbox: Outbox;
  readonly #inbox: string;
  readonly #pending = new Map<string, PendingCall>();
  readonly #subscription: Subscription;
  readonly #options: NatsRequesterOptions;
  readonly #ackWaitMs: number;
  #disconnectedAt: number | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #next = 0;

  constructor(nc: NatsConnection, options: NatsRequesterOptions) {
    this.#nc = nc;
    this.#outbox = new Outbox(nc);
    this.#options = options;
    this.#ackWaitMs = options.ackWaitMs ?? NATS_ACK_WAIT_MS;
    this.#inbox = `${options.inboxPrefix ?? '_INBOX'}.${nuid.next()}`;
    this.#subscription = nc.subscribe(`${this.#inbox}.>`, { callback: (error, msg) => (error ? undefined : this.#onReply(msg)) });
    void this.#watchStatus();
  }

  /** How many calls are waiting for their reply. */
  get pending(): number {
    return this.#pending.size;
  }

  async #watchStatus(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (this.#closed) break;
      if (status.type === 'disconnect') this.#onDisconnect();
      else if (status.type === 'reconnect') this.#onReconnect();
    }
  }

  #onDisconnect(): void {
    this.#disconnectedAt ??= Date.now();
    clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => {
      for (const call of this.#pending.values()) call.settle({ error: this.#options.unreachable() });
    }, this.#options.reconnectGraceMs ?? NATS_RECONNECT_GRACE_MS);
  }

  #onReconnect(): void {
    this.#disconnectedAt = undefined;
    clearTimeout(this.#graceTimer);
    // Whatever was in flight may be gone with the server we left.
    for (const [id, call] of this.#pending) this.#publish(id, call);
  }

  /**
   * Publishes `body` on `subject` and resolves with the complete reply.
   * Rejects with the options' errors, the signal's reason, or the requester's `unreachable`.
   */
  request(subject: string, body: Uint8Array, options: NatsRequestOptions): Promise<NatsReply> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#closed || this.#nc.isClosed()) return Promise.reject(this.#options.unreachable());
    const graceMs = this.#options.reconnectGraceMs ?? NATS_RECONNECT_GRACE_MS;
    if (this.#disconnectedAt !== undefined && Date.now() - this.#disconnectedAt >= graceMs)
      return Promise.reject(this.#options.unreachable());
    return new Promise<NatsReply>((resolve, reject) => {
      const id = (this.#next++).toString(36);
      let stopWaiting: (() => void) | undefined;
      const settle = (outcome: { reply: NatsReply } | { error: unknown }): void => {
        const call = this.#pending.get(id);
        if (!call) return;
        this.#pending.delete(id);
        clearTimeout(call.deadline);
        clearTimeout(call.ackTimer);
        clearTimeout(call.retryTimer);
        stopWaiting?.();
        if ('reply' in outcome) resolve(outcome.reply);
        else reject(outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error)));
      };
      const call: PendingCall = {
        subject,
        body,
        options,
        attempt: 0,
        noResponders: 0,
        ack: undefined,
        assemblers: new Map(),
        ackTimer: undefined,
        retryTimer: undefined,
        deadline: setTimeout(() => settle({ error: options.onTimeout() }), options.timeoutMs),
        settle,
      };
      this.#pending.set(id, call);
      if (options.signal) stopWaiting = onAbort(options.signal, () => settle({ error: options.signal!.reason }));
      this.#publish(id, call);
    });
  }

  #publish(id: string, call: PendingCall, ackWaitMs = this.#ackWaitMs): void {
    clearTimeout(call.ackTimer);
    clearTimeout(call.retryTimer);
    call.attempt++;
    call.ack = undefined;
    this.#outbox.publish(call.subject, call.body, { reply: `${this.#inbox}.${id}.${call.attempt}` }, (error) => call.settle({ error }));
    // No acknowledgement in time: publish again, waiting twice as long next time.
    call.ackTimer = setTimeout(() => this.#publish(id, call, Math.min(ackWaitMs * 2, 8 * this.#ackWaitMs)), ackWaitMs);
  }

  #onReply(msg: Msg): void {
    const [id, attemptText] = msg.subject.slice(this.#inbox.length + 1).split('.');
    const call = id === undefined ? undefined : this.#pending.get(id);
    if (!call) return;
    const attempt = Number(attemptText);
    const h = msg.headers;
    if (h?.code === 503) {
      // No responders, for the current attempt only (an older attempt's answer is stale news).
      if (attempt !== call.attempt) return;
      clearTimeout(call.ackTimer);
      const next = call.options.onNoResponders(++call.noResponders);
      if (typeof next !== 'number') return call.settle({ error: next });
      call.retryTimer = setTimeout(() => this.#publish(id!, call), next);
      return;
    }
    const label = parseReplyLabel(h?.get(REPLY_HEADER));
    if (!label) return;
    const { node, session } = label;
    if (label.kind === 'ack') {
      if (attempt === call.attempt) {
        clearTimeout(call.ackTimer);
        call.ack = { node, session };
      }
      return;
    }
    const chunk = parseChunkHeader(label.chunk);
    if (!chunk) return call.settle({ error: call.options.onMalformed('a reply chunk without its position') });
    const key = `${attempt}/${node}/${session}`;
    try {
      let assembler = call.assemblers.get(key);
      if (!assembler) {
        if (call.assemblers.size >= ASSEMBLERS_PER_CALL) return;
        assembler = new ChunkAssembler(chunk.count, call.options.limitBytes);
        call.assemblers.set(key, assembler);
      }
      const bytes = assembler.add(chunk.index, chunk.count, msg.data);
      if (bytes) call.settle({ reply: { node, bytes } });
    } catch (error) {
      if (error instanceof ChunkError) call.settle({ error: call.options.onMalformed(error.message) });
      else throw error;
    }
  }

  /**
   * Node `node` is now in NATS session `session`: calls it acknowledged in an older session are published
   * again, since their replies may have been lost with the server it left.
   */
  responderReconnected(node: string, session: number): void {
    this.#republish((call) => call.ack?.node === node && call.ack.session < session);
  }

  /** Node `node` is a new process: the calls it acknowledged died with the old one, so they are published again. */
  responderRestarted(node: string): void {
    this.#republish((call) => call.ack?.node === node);
  }

  /**
   * A responder that shares its node name with others (direct agents all answer as `direct`) and serves subjects
   * beginning with `subjectPrefix` is now in NATS session `session`: its calls acknowledged in an older session
   * are published again.
   */
  subjectResponderReconnected(subjectPrefix: string, session: number): void {
    this.#republish((call) => call.ack !== undefined && call.ack.session < session && call.subject.startsWith(subjectPrefix));
  }

  #republish(which: (call: PendingCall) => boolean): void {
    for (const [id, call] of this.#pending) if (which(call)) this.#publish(id, call);
  }

  /** Fails every call that node `node` acknowledged and has not answered, with `error()`. */
  failAcknowledgedBy(node: string, error: () => Error): void {
    for (const call of this.#pending.values()) if (call.ack?.node === node) call.settle({ error: error() });
  }

  /** Fails every pending call with the requester's `unreachable` error and stops. */
  close(): void {
    this.#closed = true;
    this.#subscription.unsubscribe();
    clearTimeout(this.#graceTimer);
    for (const call of this.#pending.values()) call.settle({ error: this.#options.unreachable() });
  }
}
