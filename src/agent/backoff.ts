import { AGENT_RECONNECT } from '../rpc/limits.js';

/** Gives the delay before reconnect attempt `attempt` (0 for the first retry after a drop). */
export type Backoff = (attempt: number) => number;

/** Options of {@link fullJitterBackoff}. */
export interface FullJitterOptions {
  /** @default {@link AGENT_RECONNECT}.baseMs (500) */
  readonly baseMs?: number;
  /** @default {@link AGENT_RECONNECT}.capMs (5 000) */
  readonly capMs?: number;
  /** A number in [0, 1); injectable for tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base * 2^attempt)), so a fleet of
 * sentries dropped at once by a connector restart does not reconnect in lockstep.
 */
export function fullJitterBackoff(options: FullJitterOptions = {}): Backoff {
  const { baseMs = AGENT_RECONNECT.baseMs, capMs = AGENT_RECONNECT.capMs, random = Math.random } = options;
  return (attempt) => {
    // 2 ** attempt overflows to Infinity for huge attempts, which the cap absorbs.
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
    return Math.floor(random() * ceiling);
  };
}
