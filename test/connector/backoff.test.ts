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

  it('defaults to a 500 ms base and a 30 s cap', () => {
    const top = fullJitterBackoff({ random: () => 0.999_999 });
    // Whole milliseconds, below the ceiling.
    expect([top(0), top(100)]).toEqual([499, 29_999]);
  });
});
