// PreAuthLog's failure limit for sources past the tracked number: they share one entry, and its limit.
import { describe, expect, it, vi } from 'vitest';
import { PreAuthLog } from '../../src/rpc/pre-auth-log.js';

const failure = { event: 'rejected', detail: 'wrong-key' };

describe('PreAuthLog failure limit past the tracked sources', () => {
  it('blocks an untracked source once the shared entry has used up the failures of its window', () => {
    const log = new PreAuthLog({ windowMs: 60_000, failureLimit: 3, trackedSources: 2 });
    log.record('192.0.2.1', failure, true);
    log.record('192.0.2.2', failure, true);
    // No room left: 198.51.100.1 is counted with the other sources.
    log.record('198.51.100.1', failure, true);
    log.record('198.51.100.1', failure, true);
    expect(log.blocked('198.51.100.1')).toBe(false);
    log.record('198.51.100.1', failure, true);
    expect(log.blocked('198.51.100.1')).toBe(true);
    // Any other untracked source shares that entry; the tracked ones keep their own counts.
    expect(log.blocked('198.51.100.2')).toBe(true);
    expect(log.blocked('192.0.2.1')).toBe(false);
    expect(log.blocked('192.0.2.2')).toBe(false);
    log.flush();
  });

  it('does not block a new source that has room for its own entry, whatever the shared entry holds', () => {
    vi.useFakeTimers();
    try {
      const log = new PreAuthLog({ windowMs: 60_000, failureLimit: 1, trackedSources: 2 });
      log.record('192.0.2.1', failure, true);
      log.record('192.0.2.2', failure, true);
      vi.advanceTimersByTime(30_000);
      log.record('198.51.100.1', failure, true);
      log.record('198.51.100.1', failure, true);
      expect(log.blocked('198.51.100.2')).toBe(true);
      // The two tracked sources were quiet for their whole window: their entries go, the shared one stays.
      vi.advanceTimersByTime(30_000);
      expect(log.blocked('198.51.100.2')).toBe(false);
      log.flush();
    } finally {
      vi.useRealTimers();
    }
  });
});
