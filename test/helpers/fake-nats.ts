/**
 * An in-memory stand-in for a NATS connection, just enough for src/nats: subscriptions with NATS wildcards,
 * publishes (with reply subjects and headers), "no responders", the status stream, `info.max_payload`, a record
 * of every publish, and lost messages on demand. No nats-server: it runs in `npm test`.
 *
 * Delivery is synchronous: a publish reaches every matching subscription before `publish` returns, in publish
 * order. A publish made by a subscriber while a message is being delivered is queued and delivered right after
 * it (still before the outermost `publish` returns), so callbacks never nest. What src/nats publishes goes
 * through its Outbox (`setImmediate`), so tests let the event loop turn for messages to move: {@link tick}.
 *
 * Timers: {@link useNatsFakeTimers} fakes everything but `setImmediate`. A faked `setImmediate` scheduled by a
 * timer that fires during `advanceTimersByTime` is put 1 ms later (fake-timers' rule), which would shift every
 * publish of src/nats by a millisecond; a real one runs between the fake timers that `advanceTimersByTimeAsync`
 * fires, at the instant its timer fired.
 *
 * @module
 */
import { vi } from 'vitest';
import {
  headers,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Payload,
  type PublishOptions,
  type Status,
} from '@nats-io/transport-node';

/** One publish, as the fake saw it. */
export interface PublishedMessage {
  readonly subject: string;
  readonly reply: string | undefined;
  readonly data: Uint8Array;
  readonly headers: MsgHdrs | undefined;
  /** Lost on purpose ({@link FakeNats.dropNext}): nobody received it. */
  readonly dropped: boolean;
}

type Callback = (error: Error | null, msg: Msg) => void;

interface FakeSubscription {
  readonly subject: string;
  readonly callback: Callback;
  readonly sid: number;
  closed: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Whether `subject` matches subscription subject `pattern` (`*`: one token; `>`: one or more tokens, last). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const want = pattern.split('.');
  const have = subject.split('.');
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '>') return i === want.length - 1 && have.length > i;
    if (i >= have.length || (want[i] !== '*' && want[i] !== have[i])) return false;
  }
  return want.length === have.length;
}

/** One consumer of `status()`: its own queue, as the real client gives each caller. */
class StatusStream implements AsyncIterable<Status> {
  readonly #queue: { status: Status; handled: () => void }[] = [];
  #waiting: ((entry: { status: Status; handled: () => void } | undefined) => void) | undefined;
  /** Resolves the emitter's wait for the item the consumer holds, once it asks for the next one. */
  #inHand: (() => void) | undefined;
  #started = false;
  #done = false;

  /** Queues `status`; resolves once the consumer has handled it (asked for the next item, or stopped). */
  push(status: Status): Promise<void> {
    if (this.#done) return Promise.resolve();
    let handled!: () => void;
    const done = new Promise<void>((resolve) => (handled = resolve));
    // A consumer that never started iterating is not waited for.
    if (!this.#started) handled();
    const entry = { status, handled };
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting(entry);
    } else this.#queue.push(entry);
    return done;
  }

  end(): void {
    this.#done = true;
    this.#release();
    this.#waiting?.(undefined);
    this.#waiting = undefined;
  }

  #release(): void {
    this.#inHand?.();
    this.#inHand = undefined;
    if (this.#done) for (const entry of this.#queue.splice(0)) entry.handled();
  }

  [Symbol.asyncIterator](): AsyncIterator<Status> {
    return {
      next: () => {
        this.#started = true;
        this.#release();
        const entry = this.#queue.shift();
        if (entry) {
          this.#inHand = entry.handled;
          return Promise.resolve({ value: entry.status, done: false });
        }
        if (this.#done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.#waiting = (next) => {
            if (!next) return resolve({ value: undefined, done: true });
            this.#inHand = next.handled;
            resolve({ value: next.status, done: false });
          };
        });
      },
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/** The fake connection. Hand {@link FakeNats.nc} to the code under test. */
export class FakeNats {
  /** Every publish, in order (dropped ones too). */
  readonly published: PublishedMessage[] = [];
  /** The reply subjects that got a "no responders" message, in order. */
  readonly noResponders: string[] = [];
  /** Errors thrown by subscription callbacks: kept here rather than thrown out of `publish`; tests assert there are none. */
  readonly callbackErrors: unknown[] = [];
  /** What the server said at connect; `undefined` as while reconnecting. */
  info: { max_payload: number } | undefined;

  readonly #subs = new Set<FakeSubscription>();
  readonly #statusStreams = new Set<StatusStream>();
  readonly #drops: { predicate: (m: PublishedMessage) => boolean; left: number }[] = [];
  readonly #deliveries: (() => void)[] = [];
  #delivering = false;
  #closed = false;
  #sid = 0;

  constructor(options: { maxPayload?: number } = {}) {
    this.info = { max_payload: options.maxPayload ?? 1024 * 1024 };
  }

  /** This fake as the client's type: it implements only what src/nats uses, so the cast is deliberate. */
  get nc(): NatsConnection {
    return this as unknown as NatsConnection;
  }

  subscribe(subject: string, options: { callback: Callback }): { unsubscribe(): void; getSubject(): string; isClosed(): boolean } {
    if (this.#closed) throw new Error('closed connection');
    const sub: FakeSubscription = { subject, callback: options.callback, sid: ++this.#sid, closed: false };
    this.#subs.add(sub);
    return {
      unsubscribe: () => {
        sub.closed = true;
        this.#subs.delete(sub);
      },
      getSubject: () => subject,
      isClosed: () => sub.closed,
    };
  }

  /** Subscriptions now open on exactly `subject` (as subscribed, wildcards included). */
  subscriptionCount(subject: string): number {
    return [...this.#subs].filter((s) => s.subject === subject).length;
  }

  publish(subject: string, data?: Payload, options?: PublishOptions): void {
    if (this.#closed) throw new Error('closed connection');
    const bytes = typeof data === 'string' ? encoder.encode(data) : (data ?? new Uint8Array(0));
    // As the client: the payload and the encoded headers together within the server's max_payload.
    const headerBytes = (options?.headers as { encode?: () => Uint8Array } | undefined)?.encode?.().length ?? 0;
    if (this.info && bytes.length + headerBytes > this.info.max_payload) throw new Error('payload: max_payload size exceeded');
    const drop = this.#drops.find(
      (d) => d.left > 0 && d.predicate({ subject, reply: options?.reply, data: bytes, headers: options?.headers, dropped: true }),
    );
    if (drop) drop.left--;
    const message: PublishedMessage = {
      subject,
      reply: options?.reply,
      data: bytes,
      headers: options?.headers,
      dropped: drop !== undefined,
    };
    this.published.push(message);
    if (!drop) this.#deliver(() => this.#route(message));
  }

  /** Loses the next `count` publishes that match `predicate` (recorded with `dropped: true`, delivered to nobody). */
  dropNext(predicate: (m: PublishedMessage) => boolean, count = 1): void {
    this.#drops.push({ predicate, left: count });
  }

  /** Publishes on `subject` so far (dropped ones included). */
  publishedOn(subject: string | ((subject: string) => boolean)): PublishedMessage[] {
    return this.published.filter((m) => (typeof subject === 'string' ? m.subject === subject : subject(m.subject)));
  }

  /** Feeds every `status()` stream; resolves once each consumer has handled it. */
  async emitStatus(status: Status): Promise<void> {
    await Promise.all([...this.#statusStreams].map((s) => s.push(status)));
  }

  status(): AsyncIterable<Status> {
    const stream = new StatusStream();
    if (this.#closed) stream.end();
    else this.#statusStreams.add(stream);
    return stream;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  flush(): Promise<void> {
    return this.#closed ? Promise.reject(new Error('closed connection')) : Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#subs.clear();
    for (const stream of this.#statusStreams) stream.end();
    this.#statusStreams.clear();
    return Promise.resolve();
  }

  #deliver(delivery: () => void): void {
    this.#deliveries.push(delivery);
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#deliveries.shift(); next; next = this.#deliveries.shift()) next();
    } finally {
      this.#delivering = false;
    }
  }

  #route(message: PublishedMessage): void {
    const subs = [...this.#subs].filter((s) => subjectMatches(s.subject, message.subject));
    if (subs.length === 0) {
      // The server's answer to a request nobody listens to: an empty message with status 503 on its reply subject.
      if (message.reply !== undefined) {
        this.noResponders.push(message.reply);
        const reply = {
          subject: message.reply,
          reply: undefined,
          data: new Uint8Array(0),
          headers: headers(503, 'No Responders'),
          dropped: false,
        };
        this.#deliver(() => this.#route(reply));
      }
      return;
    }
    for (const sub of subs) {
      if (sub.closed) continue;
      try {
        sub.callback(null, this.#msg(message, sub.sid));
      } catch (error) {
        this.callbackErrors.push(error);
      }
    }
  }

  #msg(message: PublishedMessage, sid: number): Msg {
    return {
      subject: message.subject,
      sid,
      ...(message.reply !== undefined && { reply: message.reply }),
      data: message.data,
      ...(message.headers !== undefined && { headers: message.headers }),
      respond: (payload?: Payload, opts?: PublishOptions): boolean => {
        if (message.reply === undefined) return false;
        this.publish(message.reply, payload, opts);
        return true;
      },
      json: <T>(): T => JSON.parse(decoder.decode(message.data)) as T,
      string: (): string => decoder.decode(message.data),
    };
  }
}

/** Fake timers for src/nats tests: `setTimeout`, `setInterval` and `Date`, not `setImmediate` (see above). */
export function useNatsFakeTimers(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

/**
 * Advances the fake clock by `ms` (running the Outbox's publishes as their timers fire), then lets a few turns of
 * the event loop pass, so what the last timers published is delivered and answered.
 */
export async function tick(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Lets promise continuations run (a few turns of the microtask queue); fake timers do not hold these back. */
export async function flushMicrotasks(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
