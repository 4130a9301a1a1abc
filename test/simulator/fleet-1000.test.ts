import { afterEach, describe, expect, it, vi } from 'vitest';
import { MockHost } from '../../sdk-mock/mock-host.js';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { WebSocketConnector } from '../../src/connector/websocket-connector.js';
import type { Row } from '../../src/runtime/value.js';
import { startFleet, type Fleet } from '../../src/simulator/fleet.js';
import { simulatedCredentials } from '../../src/simulator/fleet-keys.js';

const SENTRIES = 1_000;
const CONNECTIONS = 3;

let connector: WebSocketConnector | undefined;
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.stop();
  await connector?.close();
  fleet = undefined;
  connector = undefined;
});

describe('fleet simulator at scale', () => {
  it('1,000 simulated sentries queried through sentry-netstat: every guid yields rows or one _error record', async () => {
    const credentials = simulatedCredentials(SENTRIES);
    connector = await WebSocketConnector.listen({
      keys: new KeyRegistry(credentials.map(({ guid, key }) => [guid, key] as const)),
      host: '127.0.0.1',
    });
    fleet = startFleet({
      url: `ws://127.0.0.1:${connector.address().port}`,
      sentries: credentials,
      connectionsPerSentry: CONNECTIONS,
      latencyMs: 5,
      jitterMs: 5,
      timeoutFraction: 0.02,
      disconnectFraction: 0.02,
      garbageFraction: 0.01,
    });
    await fleet.ready;
    expect(fleet.stats()).toMatchObject({ sentries: SENTRIES, connected: SENTRIES, failed: 0 });
    expect(connector.list().filter((s) => s.connected)).toHaveLength(SENTRIES);

    const host = new MockHost({ connector, config: { 'logpresso.core.sentry_rpc_parallel': 100 } });
    const records = await host.query('sentry | fields guid | sentry-netstat timeout=2');

    const byGuid = new Map<string, Row[]>();
    for (const record of records) {
      const guid = record['guid'] as string;
      byGuid.set(guid, [...(byGuid.get(guid) ?? []), record]);
    }
    // Every guid present, none unknown.
    expect([...byGuid.keys()].sort()).toEqual(credentials.map((c) => c.guid).sort());

    const expectedError = { healthy: undefined, timeout: 'timeout', disconnect: 'disconnected', garbage: 'disconnected' } as const;
    const mismatches: string[] = [];
    for (const { guid, fault } of fleet.members) {
      const rows = byGuid.get(guid)!;
      const error = expectedError[fault];
      const ok =
        error === undefined
          ? rows.length === CONNECTIONS && rows.every((row) => !('_error' in row))
          : rows.length === 1 && rows[0]!['_error'] === error;
      if (!ok) mismatches.push(`${guid} (${fault}): ${JSON.stringify(rows)}`);
    }
    expect(mismatches).toEqual([]);

    // The assignment gave about the asked share of each fault, and the sentries saw what the query did.
    const members = fleet.members;
    const faults = {
      healthy: members.filter((m) => m.fault === 'healthy'),
      timeout: members.filter((m) => m.fault === 'timeout'),
      disconnect: members.filter((m) => m.fault === 'disconnect'),
      garbage: members.filter((m) => m.fault === 'garbage'),
    };
    expect(faults.timeout.length).toBeGreaterThanOrEqual(18);
    expect(faults.timeout.length).toBeLessThanOrEqual(22);
    expect(faults.disconnect.length).toBeGreaterThanOrEqual(18);
    expect(faults.disconnect.length).toBeLessThanOrEqual(22);
    expect(faults.garbage.length).toBeGreaterThanOrEqual(8);
    expect(faults.garbage.length).toBeLessThanOrEqual(12);
    const healthy = faults.healthy.length;
    expect(records).toHaveLength(healthy * CONNECTIONS + SENTRIES - healthy);
    // The connector fails a garbage sentry's call when it starts closing; the sentry sees the close a moment later.
    await vi.waitFor(
      () =>
        expect(fleet!.stats()).toMatchObject({
          calls: SENTRIES,
          answered: healthy,
          ignored: faults.timeout.length,
          disconnects: faults.disconnect.length,
          garbage: faults.garbage.length,
          connected: healthy + faults.timeout.length,
          dropped: faults.disconnect.length + faults.garbage.length,
        }),
      { timeout: 10_000 },
    );
    host.close();
  }, 60_000);
});
