/**
 * The fleet simulator: many {@link SimulatedSentry}s in one process against one connector, for tests and
 * benchmarks of `sentry-netstat` at scale.
 *
 * @module
 */
import type { ClientOptions } from 'ws';
import { requireSecureUrl } from '../rpc/transport-security.js';
import { fakeNetstatAnswer } from './fake-connections.js';
import { checkFaultFractions, faultOf, type FaultFractions, type SentryFault } from './fault-plan.js';
import type { SentryCredentials } from './fleet-keys.js';
import { seededRandom, seedOf } from './seeded-random.js';
import { SimulatedSentry, type SimulatedMethods, type SimulatorCounters } from './simulated-sentry.js';

/** Options of {@link startFleet}. */
export interface FleetOptions extends FaultFractions {
  /** The connector: `wss://`, or `ws://` to loopback (elsewhere only with {@link FleetOptions.insecure}). */
  readonly url: string;
  /** Allow plain `ws://` to a host that is not loopback. @default false */
  readonly insecure?: boolean;
  /** Who the sentries are; sentry i gets fault {@link faultOf}(i, fractions). */
  readonly sentries: readonly SentryCredentials[];
  /** Simulate only the first `count` of `sentries`. @default all */
  readonly count?: number;
  /** What the sentries answer. @default `netstat` → {@link fakeNetstatAnswer}(guid, connectionsPerSentry, params) */
  readonly methods?: SimulatedMethods;
  /** Connections in each default `netstat` answer (see {@link fakeNetstatAnswer}). @default 3 */
  readonly connectionsPerSentry?: number;
  /** Delay before a healthy sentry answers, in ms. @default 0 */
  readonly latencyMs?: number;
  /** Up to this many ms added to each answer's delay (seeded by guid, so reproducible). @default 0 */
  readonly jitterMs?: number;
  /**
   * Connects in flight at once, so the connector is not hit by thousands of handshakes together. The whole fleet
   * comes from one address, so the default stays under the connector's per-source cap of unauthenticated
   * connections (`UNAUTHENTICATED_CONNECTIONS.perSource`, 64). @default 32
   */
  readonly connectConcurrency?: number;
  /** Extra `ws` client options, e.g. `ca` for a private TLS root. */
  readonly wsOptions?: ClientOptions;
}

/** One simulated sentry and its scripted fault. */
export interface FleetMember {
  /** The simulated sentry's GUID. */
  readonly guid: string;
  /** How the sentry reacts to calls. */
  readonly fault: SentryFault;
}

/** A snapshot of the fleet. */
export interface FleetStats extends Readonly<SimulatorCounters> {
  /** Number of sentries in the fleet. */
  readonly sentries: number;
  /** Authenticated and still linked. */
  readonly connected: number;
  /** Not yet tried, or still in their handshake. */
  readonly connecting: number;
  /** Never authenticated (refused, unreachable). */
  readonly failed: number;
  /** Authenticated, then lost their link (their fault, or the connector's doing). */
  readonly dropped: number;
  /** Ended by `stop()`. */
  readonly stopped: number;
}

/** A running fleet. */
export interface Fleet {
  /** Each sentry with its fault, in order. */
  readonly members: readonly FleetMember[];
  /**
   * Resolves once every sentry is authenticated; rejects with a {@link FleetConnectError} if any could not be
   * (or the fleet was stopped first). Left unawaited it raises no unhandled rejection.
   */
  readonly ready: Promise<void>;
  /** A snapshot of the fleet's counters.
   * @returns the current counts */
  stats(): FleetStats;
  /** Drops every socket, stops connecting and clears every timer; resolves once all sockets are closed. Idempotent. */
  stop(): Promise<void>;
}

/** Some sentries of a fleet never authenticated. */
export class FleetConnectError extends Error {
  /** Always `FleetConnectError`. */
  override readonly name = 'FleetConnectError';
  /** @param failed - number of sentries that never authenticated
   * @param total - number of sentries in the fleet
   * @param firstReason - why the first failed sentry could not connect */
  constructor(
    readonly failed: number,
    readonly total: number,
    firstReason: string,
  ) {
    super(`${failed} of ${total} simulated sentries could not connect (first: ${firstReason})`);
  }
}

/**
 * Starts a fleet of simulated sentries. Faults are assigned by index ({@link faultOf}); answers come from
 * `methods` (by default `netstat` → {@link fakeNetstatAnswer} of the guid and the call's params). A sentry that is dropped stays down (no reconnect).
 * Throws `InsecureTransportError` (before any socket is opened) for `ws://` to a host that is not loopback,
 * unless `insecure`.
 *
 * @example
 * ```ts
 * const fleet = startFleet({ url, sentries: simulatedCredentials(1000), latencyMs: 5, timeoutFraction: 0.02 });
 * await fleet.ready;
 * // ... query through the connector ...
 * await fleet.stop();
 * ```
 */
export function startFleet(options: FleetOptions): Fleet {
  requireSecureUrl(options.url, options.insecure);
  const fractions: FaultFractions = {
    timeoutFraction: options.timeoutFraction ?? 0,
    disconnectFraction: options.disconnectFraction ?? 0,
    garbageFraction: options.garbageFraction ?? 0,
  };
  checkFaultFractions(fractions);
  const perSentry = options.connectionsPerSentry ?? 3;
  const latency = options.latencyMs ?? 0;
  const jitter = options.jitterMs ?? 0;
  const concurrency = options.connectConcurrency ?? 32;
  if (!Number.isInteger(perSentry) || perSentry < 0)
    throw new RangeError(`connectionsPerSentry must be a non-negative integer (got ${perSentry})`);
  if (!(latency >= 0) || !(jitter >= 0)) throw new RangeError('latencyMs and jitterMs must be non-negative');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`connectConcurrency must be a positive integer (got ${concurrency})`);

  const credentials = options.sentries.slice(0, options.count ?? options.sentries.length);
  const methods: SimulatedMethods = options.methods ?? { netstat: (guid, params) => fakeNetstatAnswer(guid, perSentry, params) };
  const counters: SimulatorCounters = { calls: 0, answered: 0, ignored: 0, disconnects: 0, garbage: 0 };
  const sentries = credentials.map(({ guid, key }, index) => {
    const random = seededRandom(seedOf(`latency:${guid}`));
    return new SimulatedSentry({
      url: options.url,
      guid,
      key,
      fault: faultOf(index, fractions),
      methods,
      delayMs: jitter > 0 ? () => latency + random() * jitter : () => latency,
      counters,
      ...(options.wsOptions && { wsOptions: options.wsOptions }),
    });
  });

  let stopped = false;
  let next = 0;
  // A fixed number of workers each connecting one sentry after another bounds the handshakes in flight.
  const worker = async (): Promise<void> => {
    while (!stopped && next < sentries.length) await sentries[next++]!.connect();
  };
  const ready = Promise.all(Array.from({ length: Math.min(concurrency, sentries.length) }, worker)).then(() => {
    const failed = sentries.filter((s) => s.state === 'failed');
    if (failed.length > 0) throw new FleetConnectError(failed.length, sentries.length, failed[0]!.failure ?? 'unknown');
    if (stopped) throw new FleetConnectError(sentries.length - next, sentries.length, 'the fleet was stopped');
  });
  ready.catch(() => undefined);

  let stopping: Promise<void> | undefined;
  return {
    members: sentries.map(({ guid, fault }) => ({ guid, fault })),
    ready,
    stats: () => {
      const count = (...states: SimulatedSentry['state'][]): number => sentries.filter((s) => states.includes(s.state)).length;
      return {
        sentries: sentries.length,
        connected: count('connected'),
        connecting: count('idle', 'connecting'),
        failed: count('failed'),
        dropped: count('dropped'),
        stopped: count('stopped'),
        ...counters,
      };
    },
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        await Promise.all(sentries.map((s) => s.stop()));
        // Workers see `stopped` and end; wait for them so nothing of the fleet runs after stop().
        await ready.catch(() => undefined);
      })();
      return stopping;
    },
  };
}
