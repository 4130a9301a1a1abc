// The agent's `netstat` method (AGENT_METHODS, src/plugin.ts) hands the call's params to the collector:
// detail only when the params say `detail: true`, so an old caller's `{}` gets exactly the answer it always got.
import { describe, expect, it, vi } from 'vitest';

const collected = vi.hoisted(() => ({ options: [] as unknown[] }));
vi.mock('../../src/agent/collect-connections.js', () => ({
  collectConnections: (options: unknown) => {
    collected.options.push(options);
    return Promise.resolve({ connections: [{ pid: 1 }], rejected: [] });
  },
}));

const { AGENT_METHODS } = await import('../../src/plugin.js');

describe('AGENT_METHODS.netstat', () => {
  it('collects with detail for {detail: true} only', async () => {
    const netstat = AGENT_METHODS['netstat']!;
    expect(await netstat({})).toEqual([{ pid: 1 }]);
    await netstat({ detail: true });
    await netstat({ detail: 'true' });
    await netstat({ detail: 1 });
    await netstat({ other: true });
    expect(collected.options).toEqual([{ detail: false }, { detail: true }, { detail: false }, { detail: false }, { detail: false }]);
  });
});
