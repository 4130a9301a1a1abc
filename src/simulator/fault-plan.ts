/**
 * Which simulated sentry misbehaves, and how: decided by index alone, so a test can predict every guid's outcome.
 *
 * @module
 */

/**
 * How a simulated sentry reacts to a call:
 * - `healthy`: answers after its latency;
 * - `timeout`: never answers (the caller's timeout fires);
 * - `disconnect`: drops its socket at once (the call fails with `disconnected`);
 * - `garbage`: sends a non-JSON frame, so the connector drops the link (the call fails with `disconnected`).
 */
export type SentryFault = 'healthy' | 'timeout' | 'disconnect' | 'garbage';

/** The share of the fleet given each fault, each in [0, 1], summing to at most 1. */
export interface FaultFractions {
  /** Share of sentries that never answer. @default 0 */
  readonly timeoutFraction?: number;
  /** Share of sentries that drop their socket when called. @default 0 */
  readonly disconnectFraction?: number;
  /** Share of sentries that send a non-JSON frame when called. @default 0 */
  readonly garbageFraction?: number;
}

/** 1/φ: multiples of it modulo 1 spread evenly over [0, 1) (a Weyl sequence). */
const GOLDEN = 0.6180339887498949;

/** Throws a `RangeError` unless every fraction is in [0, 1] and together they are at most 1. */
export function checkFaultFractions(fractions: FaultFractions): void {
  const entries = (['timeoutFraction', 'disconnectFraction', 'garbageFraction'] as const).map((name): [string, number] => [
    name,
    fractions[name] ?? 0,
  ]);
  for (const [name, value] of entries) {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1 (got ${value})`);
  }
  const sum = entries.reduce((total, [, value]) => total + value, 0);
  if (sum > 1 + 1e-9) throw new RangeError(`the fault fractions add up to ${sum}, more than 1`);
}

/**
 * The fault of the sentry at `index`. Index i sits at frac((i + 1)/φ) in [0, 1): below `timeoutFraction` it times out,
 * in the next `disconnectFraction` it disconnects, in the next `garbageFraction` it sends garbage. Because the
 * Weyl sequence is evenly spread, any prefix of n sentries holds about n × fraction of each fault (±2), and the
 * faults are scattered rather than bunched at one end.
 */
export function faultOf(index: number, fractions: FaultFractions): SentryFault {
  // index + 1: position 0 would put the first sentry in the first fault whatever its fraction.
  const position = ((index + 1) * GOLDEN) % 1;
  let bound = fractions.timeoutFraction ?? 0;
  if (position < bound) return 'timeout';
  bound += fractions.disconnectFraction ?? 0;
  if (position < bound) return 'disconnect';
  bound += fractions.garbageFraction ?? 0;
  if (position < bound) return 'garbage';
  return 'healthy';
}
