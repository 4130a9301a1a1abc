import { describe, expect, it, vi } from 'vitest';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { WebSocketConnector } from '../../src/connector/websocket-connector.js';
import { SentryRpcError } from '../../src/runtime/sentry-connector.js';
import { FleetConnectError, startFleet } from '../../src/simulator/fleet.js';
import { fakeConnections } from '../../src/simulator/fake-connections.js';
import { simulatedCredentials } from '../../src/simulator/fleet-keys.js';

/** Handles that would keep the process alive: sockets, servers and timers. */
function liveHandles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => /^(TCP|TLS|Pipe|Timeout|Immediate)/.test(r))
    .sort();
}

/** The handles in `live` beyond those in `before` (as a multiset: the test runner's own may come and go). */
function extraHandles(before: readonly string[], live: readonly string[]): string[] {
  const left = [...before];
  return live.filter((handle) => {
    const i = left.indexOf(handle);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

/**
 * The handles added since `before`, once there are none or after a bounded number of event-loop turns. libuv
 * releases a closed handle a few turns after its 'close' event; polling with setImmediate adds no timer of its own.
 */
async function leftoverHandles(before: readonly string[]): Promise<string[]> {
  for (let turn = 0; turn < 10_000; turn++) {
    if (extraHandles(before, liveHandles()).length === 0) return [];
    await new Promise((resolve) => setImmediate(resolve));
  }
  return extraHandles(before, liveHandles());
}

const connectorFor = (credentials: readonly { guid: string; key: string }[]): Promise<WebSocketConnector> =>
  WebSocketConnector.listen({ keys: new KeyRegistry(credentials.map(({ guid, key }) => [guid, key] as const)) });

describe('fleet simulator lifecycle', () => {
  it('counts calls and faults, and stop() leaves no socket, server or timer behind', async () => {
    const before = liveHandles();
    const credentials = simulatedCredentials(5);
    const connector = await connectorFor(credentials);
    const fleet = startFleet({
      url: `ws://127.0.0.1:${connector.address().port}`,
      sentries: credentials,
      connectionsPerSentry: 4,
      latencyMs: 30_000, // answers stay pending: stop() must clear their timers
      timeoutFraction: 0.2,
      disconnectFraction: 0.2,
      garbageFraction: 0.2,
      connectConcurrency: 2,
    });
    await fleet.ready;
    expect(fleet.stats()).toEqual({
      sentries: 5,
      connected: 5,
      connecting: 0,
      failed: 0,
      dropped: 0,
      stopped: 0,
      calls: 0,
      answered: 0,
      ignored: 0,
      disconnects: 0,
      garbage: 0,
    });
    const faults = fleet.members.map((m) => m.fault).sort();
    expect(faults).toEqual(['disconnect', 'garbage', 'healthy', 'healthy', 'timeout']);

    const outcomes = await Promise.all(
      fleet.members.map(async ({ guid, fault }) => {
        // The healthy ones would answer in 30 s; a short timeout settles them while their answer timer still runs.
        const outcome = await connector.call(guid, 'netstat', {}, { timeoutMs: 300 }).then(
          (answer) => answer,
          (error: unknown) => (error instanceof SentryRpcError ? error.message : error),
        );
        return { fault, outcome };
      }),
    );
    for (const { fault, outcome } of outcomes) {
      expect(outcome).toBe(fault === 'disconnect' || fault === 'garbage' ? 'disconnected' : 'timeout');
    }
    await vi.waitFor(() =>
      expect(fleet.stats()).toMatchObject({
        connected: 3,
        dropped: 2,
        calls: 5,
        answered: 0,
        ignored: 1,
        disconnects: 1,
        garbage: 1,
      }),
    );
    expect(extraHandles(before, liveHandles())).toEqual(expect.arrayContaining(['TCPServerWrap', 'TCPSocketWrap', 'Timeout']));

    await fleet.stop();
    await fleet.stop(); // idempotent
    expect(fleet.stats()).toMatchObject({ connected: 0, dropped: 2, stopped: 3 });
    await connector.close();
    expect(await leftoverHandles(before)).toEqual([]);
  });

  it('healthy sentries answer their generated connections after the latency', async () => {
    const credentials = simulatedCredentials(3);
    const connector = await connectorFor(credentials);
    const fleet = startFleet({
      url: `ws://127.0.0.1:${connector.address().port}`,
      sentries: credentials,
      latencyMs: 1,
      jitterMs: 3,
      connectionsPerSentry: 5,
    });
    try {
      await fleet.ready;
      for (const { guid } of credentials) {
        await expect(connector.call(guid, 'netstat', {}, { timeoutMs: 5_000 })).resolves.toEqual(fakeConnections(guid, 5));
      }
      await expect(connector.call(credentials[0]!.guid, 'uptime', {}, { timeoutMs: 5_000 })).rejects.toThrow('unknown method uptime');
      expect(fleet.stats()).toMatchObject({ calls: 4, answered: 4 });
    } finally {
      await fleet.stop();
      await connector.close();
    }
  });

  it('ready rejects when some sentries cannot authenticate, and count takes the first N', async () => {
    const credentials = simulatedCredentials(4);
    const connector = await connectorFor(credentials.slice(0, 2));
    const fleet = startFleet({ url: `ws://127.0.0.1:${connector.address().port}`, sentries: credentials, count: 3 });
    try {
      const error = await fleet.ready.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FleetConnectError);
      expect((error as FleetConnectError).message).toMatch(
        /^1 of 3 simulated sentries could not connect \(first: closed 1008 authentication failed\)/,
      );
      expect(fleet.stats()).toMatchObject({ sentries: 3, connected: 2, failed: 1 });
    } finally {
      await fleet.stop();
      await connector.close();
    }
  });

  it('stop() while connecting settles ready and leaves nothing running', async () => {
    const before = liveHandles();
    const credentials = simulatedCredentials(50);
    const connector = await connectorFor(credentials);
    const fleet = startFleet({ url: `ws://127.0.0.1:${connector.address().port}`, sentries: credentials, connectConcurrency: 5 });
    await fleet.stop();
    await expect(fleet.ready).rejects.toBeInstanceOf(FleetConnectError);
    expect(fleet.stats()).toMatchObject({ connected: 0, connecting: 0 });
    await connector.close();
    expect(await leftoverHandles(before)).toEqual([]);
  });

  it('rejects impossible options', () => {
    const sentries = simulatedCredentials(1);
    expect(() => startFleet({ url: 'ws://127.0.0.1:1', sentries, timeoutFraction: 0.6, garbageFraction: 0.6 })).toThrow(RangeError);
    expect(() => startFleet({ url: 'ws://127.0.0.1:1', sentries, disconnectFraction: -0.1 })).toThrow(RangeError);
    expect(() => startFleet({ url: 'ws://127.0.0.1:1', sentries, connectConcurrency: 0 })).toThrow(RangeError);
  });
});
