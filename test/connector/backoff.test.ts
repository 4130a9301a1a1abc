import { describe, expect, it } from 'vitest';
import { fullJitterBackoff } from '../../src/agent/backoff.js';

describe('fullJitterBackoff', () => {
  it('doubles the ceiling per attempt from the base, up to the cap', () => {
    const top = fullJitterBackoff({ baseMs: 500, capMs: 30_000, random: () => 0.999_999 });
    expect([0, 1, 2, 3, 5, 6, 7, 50, 10_000].map((a) => Math.round(top(a) / 100) * 100)).toEqual([
      500, 1_000, 2_000, 4_000, 16_000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('is fully jittered: uniform from zero', () => {
    const bottom = fullJitterBackoff({ random: () => 0 });
    const middle = fullJitterBackoff({ baseMs: 1_000, random: () => 0.5 });
    expect([bottom(0), bottom(9), middle(2)]).toEqual([0, 0, 2_000]);
  });

  it('defaults to a 500 ms base and a 5 s cap: after any outage the next attempt is at most 5 s away', () => {
    const top = fullJitterBackoff({ random: () => 0.999_999 });
    // Whole milliseconds, below the ceiling: 0.5, 1, 2, 4, then 5 s for ever.
    expect([0, 1, 2, 3, 4, 5, 100, 10_000].map(top)).toEqual([499, 999, 1_999, 3_999, 4_999, 4_999, 4_999, 4_999]);
  });

  it('spreads a fleet over the whole window: the delays of one attempt are uniform in [0, ceiling)', () => {
    let i = 0;
    const steps = [0, 0.25, 0.5, 0.75];
    const fleet = fullJitterBackoff({ random: () => steps[i++ % steps.length]! });
    expect(steps.map(() => fleet(9))).toEqual([0, 1_250, 2_500, 3_750]);
  });
});
