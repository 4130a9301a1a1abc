/**
 * What a node can make an agent spend: every sentry method is a collection of the host's state (`netstat`
 * reads every socket), so the agent runs at most one collection of a method at a time and starts at most one
 * per {@link AGENT_COLLECTION_INTERVAL_MS}, whatever the call rate.
 *
 * A call of a method, with the same params as:
 * - a collection in flight → shares it (one collection, every caller gets its result or its error);
 * - the last collection, finished less than the interval ago → gets that result at once (it is that fresh);
 * - otherwise → starts a collection, or, if one started less than the interval ago, waits for the next slot
 *   (at most {@link AGENT_WAITING_CALLS_LIMIT} callers wait per method; past that a call fails at once with
 *   `sentry busy`).
 *
 * Why the last result rather than a wait or an error: a caller within the interval of a finished collection
 * gets a snapshot at most one interval old, at once and without cost; an error would fail a genuine second
 * query (a control node and a direct one), and a wait would hold every call for up to a second and pile
 * callers up. Only a call with other params ever waits: `netstat` with `{ detail: true }` (sentry-netstat
 * `detail=t`) and `netstat` with `{}` are two collections, so one of each within the interval waits for the
 * next slot.
 *
 * A result is serialised once ({@link JsonText}), so answering N callers does not serialise it N times.
 *
 * @module
 */
import { JsonText } from '../rpc/json-text.js';
import { AGENT_COLLECTION_INTERVAL_MS, AGENT_WAITING_CALLS_LIMIT } from '../rpc/limits.js';
import type { RpcHandlers } from '../rpc/rpc-handlers.js';
import type { SentryMethodHandler, SentryMethods } from '../runtime/sentry-methods.js';

/** Options of {@link gateMethods}. */
export interface CollectionGateOptions {
  /** The shortest time between two collection starts of a method, and how long a result stays fresh. @default {@link AGENT_COLLECTION_INTERVAL_MS} */
  readonly intervalMs?: number;
  /** Callers that may wait for a slot per method. @default {@link AGENT_WAITING_CALLS_LIMIT} */
  readonly waitingLimit?: number;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

interface Collection {
  readonly key: string;
  readonly result: Promise<JsonText>;
  doneAt: number | undefined;
}

/** One method's gate; see the module comment. */
class CollectionGate {
  readonly #collect: SentryMethodHandler;
  readonly #intervalMs: number;
  readonly #waitingLimit: number;
  readonly #now: () => number;
  #inFlight: Collection | undefined;
  #last: Collection | undefined;
  #lastStart = Number.NEGATIVE_INFINITY;
  #waiting = 0;

  constructor(collect: SentryMethodHandler, options: CollectionGateOptions) {
    this.#collect = collect;
    this.#intervalMs = options.intervalMs ?? AGENT_COLLECTION_INTERVAL_MS;
    this.#waitingLimit = options.waitingLimit ?? AGENT_WAITING_CALLS_LIMIT;
    this.#now = options.now ?? Date.now;
  }

  async call(params: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<JsonText> {
    const key = JSON.stringify(params);
    let waiting = false;
    try {
      for (;;) {
        const shared = this.#shared(key);
        if (shared) return await shared;
        if (!this.#inFlight && this.#now() - this.#lastStart >= this.#intervalMs) return await this.#start(key, params);
        if (!waiting) {
          if (this.#waiting >= this.#waitingLimit) throw new Error('sentry busy: too many calls waiting for a collection');
          this.#waiting++;
          waiting = true;
        }
        await this.#nextTurn(signal);
      }
    } finally {
      if (waiting) this.#waiting--;
    }
  }

  /** The in-flight or fresh collection of `key`, if any. */
  #shared(key: string): Promise<JsonText> | undefined {
    if (this.#inFlight?.key === key) return this.#inFlight.result;
    const last = this.#last;
    if (last?.key === key && last.doneAt !== undefined && this.#now() - last.doneAt < this.#intervalMs) return last.result;
    return undefined;
  }

  /** Waits for the collection in flight to end, or for the interval since the last start to pass. */
  async #nextTurn(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw signal.reason;
    const running = this.#inFlight;
    if (running) {
      await running.result.catch(() => undefined);
      return;
    }
    const wait = this.#intervalMs - (this.#now() - this.#lastStart);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, wait));
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  #start(key: string, params: Readonly<Record<string, unknown>>): Promise<JsonText> {
    this.#lastStart = this.#now();
    const result = (async () => {
      const value: unknown = await this.#collect(params);
      return value instanceof JsonText ? value : new JsonText(JSON.stringify(value ?? null));
    })();
    const collection: Collection = { key, result, doneAt: undefined };
    this.#inFlight = collection;
    const finish = (): void => {
      collection.doneAt = this.#now();
      this.#last = collection;
      if (this.#inFlight === collection) this.#inFlight = undefined;
    };
    result.then(finish, finish);
    return result;
  }
}

/**
 * `methods` with every method behind its own collection gate (see the module comment): concurrent calls share one collection, and
 * collections start at most once per interval.
 */
export function gateMethods(methods: SentryMethods, options: CollectionGateOptions = {}): RpcHandlers {
  const gated: Record<string, RpcHandlers[string]> = {};
  for (const [name, collect] of Object.entries(methods)) {
    const gate = new CollectionGate(collect, options);
    gated[name] = (params, signal) => gate.call(params, signal);
  }
  return Object.freeze(gated);
}
