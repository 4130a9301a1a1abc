// The agent's collection gate on its own: waiting for a slot, and the waiting limit.
import { describe, expect, it } from 'vitest';
import { gateMethods } from '../../src/agent/collection-gate.js';

describe('gateMethods', () => {
  it('a call with other params waits for the next slot; past the waiting limit a call is refused at once', async () => {
    let collections = 0;
    const methods = gateMethods({ m: (params) => ({ n: ++collections, params }) }, { intervalMs: 200, waitingLimit: 2 });
    const signal = new AbortController().signal;
    const text = async (p: Promise<unknown>) => JSON.parse(((await p) as { text: string }).text) as unknown;
    expect(await text(Promise.resolve(methods['m']!({ a: 1 }, signal)))).toEqual({ n: 1, params: { a: 1 } });
    const waiting = [methods['m']!({ a: 2 }, signal), methods['m']!({ a: 2 }, signal)];
    await expect(Promise.resolve(methods['m']!({ a: 3 }, signal))).rejects.toThrow('sentry busy');
    // Both waiters share the one collection of the next slot.
    expect(await Promise.all(waiting.map((p) => text(Promise.resolve(p))))).toEqual([
      { n: 2, params: { a: 2 } },
      { n: 2, params: { a: 2 } },
    ]);
    expect(collections).toBe(2);
  });
});
