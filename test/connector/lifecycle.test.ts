import { describe, expect, it } from 'vitest';
import { Loopback } from './loopback.js';

/** Handles that would keep the process alive: sockets, servers and timers. */
function liveHandles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => /^(TCP|TLS|Pipe|Timeout|Immediate)/.test(r))
    .sort();
}

/**
 * The live handles once they match `expected`, or after a generous 10 s. libuv releases a closed handle a few
 * turns after its 'close' event (later on a loaded machine: a bound in turns alone was flaky there); polling with
 * setImmediate adds no timer of its own.
 */
async function settledHandles(expected: readonly string[]): Promise<string[]> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const live = liveHandles();
    if (live.join() === expected.join()) return live;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return liveHandles();
}

describe('lifecycle', () => {
  it('after agent.stop() and connector.close() no socket, server or timer is left', async () => {
    const before = liveHandles();
    const loop = new Loopback();
    await loop.start({ pingIntervalMs: 20, handshakeTimeoutMs: 5_000 });
    await loop.agent('good-1', { methods: { netstat: () => ['x'] } });
    await loop.raw(); // still in its handshake: a deadline timer is running
    await expect(loop.connector.call('good-1', 'netstat', {}, { timeoutMs: 5_000 })).resolves.toEqual(['x']);
    // A timed-out call and an aborted one must not leave their timers either.
    const controller = new AbortController();
    const aborted = loop.connector.call('good-1', 'never', {}, { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toBe(controller.signal.reason);
    expect(liveHandles().length).toBeGreaterThan(before.length);
    await loop.cleanup();
    expect(await settledHandles(before)).toEqual(before);
  });

  it('stopping the agent while the connector is down cancels its reconnect timer', async () => {
    const before = liveHandles();
    const loop = new Loopback();
    await loop.start();
    const agent = await loop.agent('good-1', { backoff: () => 60_000 });
    await loop.connector.close(); // the agent now waits on its reconnect timer
    await agent.stop();
    expect(agent.connected).toBe(false);
    expect(await settledHandles(before)).toEqual(before);
  });

  it('close() is idempotent', async () => {
    const loop = new Loopback();
    await loop.start();
    await Promise.all([loop.connector.close(), loop.connector.close()]);
    await loop.connector.close();
  });
});
