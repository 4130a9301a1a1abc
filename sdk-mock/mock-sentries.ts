import { SentryRpcError, type SentryCallOptions, type SentryConnector, type SentryInfo } from '../src/runtime/sentry-connector.js';

/** How an in-memory sentry misbehaves. */
export type MockSentryFailure =
  /** Never answers: the call ends in `timeout`. */
  | 'timeout'
  /** The link drops after `delay_ms`: the call ends in `disconnected` and the sentry is no longer connected. */
  | 'disconnect'
  /** Answers something that is not a connection list. */
  | 'malformed'
  /** Raises an exception with this message. */
  | {
      /** The exception message. */
      readonly error: string;
    };

/** An in-memory sentry. Field names follow the scenario file. */
export interface MockSentry {
  /** The sentry's GUID. */
  readonly guid: string;
  /** @default true */
  connected?: boolean;
  /** Milliseconds before it answers. @default 0 */
  delay_ms?: number;
  /** Operating system the sentry reports. */
  os?: string;
  /** Host name the sentry reports. */
  hostname?: string;
  /** IP address the sentry appears to connect from. */
  remote_ip?: string;
  /** What `netstat` answers (as sent on the wire: addresses as strings). @default [] */
  connections?: readonly unknown[];
  /**
   * What other methods answer, by method name (e.g. `{ ps: [...] }` for a `sentry-ps` command), as sent on the
   * wire. Takes precedence over the connector's {@link MockMethods}.
   */
  answers?: Readonly<Record<string, unknown>>;
  /** How the sentry misbehaves; answers normally when absent. */
  fail?: MockSentryFailure;
}

/**
 * How in-memory sentries answer a method they have no {@link MockSentry.answers} entry for: method name →
 * the answer, from the sentry's own fields. A method in neither fails with `unsupported method: NAME`.
 */
export type MockMethods = Readonly<Record<string, (sentry: MockSentry, params: Readonly<Record<string, unknown>>) => unknown>>;

/** What every in-memory sentry answers by default: `netstat` → its `connections`. */
export const MOCK_METHODS: MockMethods = Object.freeze({
  netstat: (sentry: MockSentry) => sentry.connections ?? NO_CONNECTIONS,
});

/** What `fail: "malformed"` answers: an object where a connection list should be. */
export const MALFORMED_ANSWER = Object.freeze({
  /** A string where connections should be. */
  unexpected: 'this is not a connection list',
});

/**
 * An offline sentry connector: sentries are plain objects, answers come after `delay_ms` on real timers
 * (so tests can drive them with fake timers), and every call honours its timeout and abort signal and clears
 * its timers when settled. Counts calls in flight so tests can see the parallel bound.
 */
export class MockSentryConnector implements SentryConnector {
  readonly #sentries = new Map<string, MockSentry>();
  readonly #methods: MockMethods;
  #inFlight = 0;
  #maxInFlight = 0;
  #calls = 0;

  /**
   * @param sentries - the sentries, by guid
   * @param methods - how sentries answer methods they have no `answers` entry for. @default MOCK_METHODS
   */
  constructor(sentries: readonly MockSentry[] = [], methods: MockMethods = MOCK_METHODS) {
    this.#methods = methods;
    for (const sentry of sentries) this.add(sentry);
  }

  /** Adds or replaces a sentry. */
  add(sentry: MockSentry): void {
    this.#sentries.set(sentry.guid, { ...sentry });
    // The answers' frozen copies are made now rather than on the first call, so calls only look them up.
    if (sentry.connections) frozenAnswer(sentry.connections);
    for (const answer of Object.values(sentry.answers ?? {})) frozenAnswer(answer);
  }

  /** The sentry `guid`, to change its behaviour in place. */
  get(guid: string): MockSentry | undefined {
    return this.#sentries.get(guid);
  }

  /** Calls now in flight, the most ever at once, and calls made. */
  get stats(): {
    /** Calls now in flight. */
    inFlight: number;
    /** The most calls ever in flight at once. */
    maxInFlight: number;
    /** Calls made so far. */
    calls: number;
  } {
    return { inFlight: this.#inFlight, maxInFlight: this.#maxInFlight, calls: this.#calls };
  }

  list(): SentryInfo[] {
    return [...this.#sentries.values()].map((s) => ({
      guid: s.guid,
      connected: s.connected ?? true,
      ...(s.hostname !== undefined && { hostname: s.hostname }),
      ...(s.os !== undefined && { os: s.os }),
      ...(s.remote_ip !== undefined && { remote_ip: s.remote_ip }),
    }));
  }

  call(guid: string, method: string, params: Readonly<Record<string, unknown>>, options: SentryCallOptions): Promise<unknown> {
    const sentry = this.#sentries.get(guid);
    if (!sentry || sentry.connected === false) return Promise.reject(SentryRpcError.notConnected());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.#calls++;
    this.#inFlight++;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);

    return new Promise((resolve, reject) => {
      let answerTimer: NodeJS.Timeout | undefined;
      const settle = (finish: () => void): void => {
        clearTimeout(answerTimer);
        clearTimeout(timeoutTimer);
        signal?.removeEventListener('abort', onAbort);
        this.#inFlight--;
        finish();
      };
      const onAbort = (): void => settle(() => reject(signal!.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      const timeoutTimer = setTimeout(() => settle(() => reject(SentryRpcError.timeout())), options.timeoutMs);
      if (sentry.fail === 'timeout') return;
      answerTimer = setTimeout(() => settle(() => this.#answer(sentry, method, params).then(resolve, reject)), sentry.delay_ms ?? 0);
    });
  }

  async #answer(sentry: MockSentry, method: string, params: Readonly<Record<string, unknown>>): Promise<unknown> {
    const { fail } = sentry;
    if (fail === 'disconnect') {
      sentry.connected = false;
      throw SentryRpcError.disconnected();
    }
    if (typeof fail === 'object') throw SentryRpcError.remote(fail.error);
    const own = sentry.answers !== undefined && Object.hasOwn(sentry.answers, method);
    const handler = Object.hasOwn(this.#methods, method) ? this.#methods[method] : undefined;
    if (!own && !handler) throw SentryRpcError.remote(`unsupported method: ${method}`);
    if (fail === 'malformed') return MALFORMED_ANSWER;
    return frozenAnswer(own ? sentry.answers![method] : handler!(sentry, params));
  }
}

/** What a sentry without `connections` answers. */
const NO_CONNECTIONS: readonly unknown[] = Object.freeze([]);

/** Answers already handed out, by the connection list they copy (replace the list to change the answer). */
const frozenAnswers = new WeakMap<object, unknown>();

/**
 * A deep-frozen copy of `connections`, made once per list: like an answer off the wire, it shares nothing the
 * caller could change, and a command that tried to change it would throw. Copying on every call instead cost
 * more than sentry-netstat itself in the throughput benchmark (1,000 connections per answer). A scenario's
 * answer may be as hostile as a sentry's (nested 100,000 levels deep, say), so neither step recurses:
 * `structuredClone` would overflow the stack on such a value, and {@link plainCopy} takes over.
 */
function frozenAnswer(answer: unknown): unknown {
  if (typeof answer !== 'object' || answer === null || Object.isFrozen(answer)) return answer;
  let frozen = frozenAnswers.get(answer);
  if (frozen === undefined) frozenAnswers.set(answer, (frozen = deepFreeze(cloneAnswer(answer))));
  return frozen;
}

function cloneAnswer(answer: object): unknown {
  try {
    return structuredClone(answer);
  } catch (error) {
    if (error instanceof RangeError) return plainCopy(answer); // nested too deeply for structuredClone's recursion
    throw error;
  }
}

/** A copy of JSON-like data (arrays and objects of own enumerable properties), without recursion. */
function plainCopy(value: object): unknown {
  const copies = new Map<object, object>();
  const copyOf = (source: object): object => {
    let copy = copies.get(source);
    if (copy === undefined) {
      copies.set(source, (copy = Array.isArray(source) ? [] : {}));
      pending.push(source);
    }
    return copy;
  };
  const pending: object[] = [];
  const top = copyOf(value);
  while (pending.length > 0) {
    const source = pending.pop()!;
    const target = copies.get(source) as Record<string, unknown>;
    for (const [key, child] of Object.entries(source)) {
      target[key] = typeof child === 'object' && child !== null ? copyOf(child) : child;
    }
  }
  return top;
}

/** Freezes `value` and everything reachable from it, without recursion. */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const child of Object.values(next)) pending.push(child);
  }
  return value;
}
