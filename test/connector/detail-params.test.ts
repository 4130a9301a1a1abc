// sentry-netstat detail=t over a real WebSocket link (issue 15): the connector carries the params to the agent's
// method table ({} without detail, exactly as before; {detail: true} with it), and the agent's answer comes back.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockHost } from '../../sdk-mock/index.js';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { WebSocketConnector } from '../../src/connector/websocket-connector.js';
import { fakeConnections, simulatedCredentials, startFleet, withFakeDetail } from '../../src/simulator/index.js';
import { Loopback } from './loopback.js';

let loop: Loopback;
beforeEach(() => {
  loop = new Loopback();
});
afterEach(() => loop.cleanup());

describe('detail=t over the WebSocket link', () => {
  it('the agent gets {} and then {detail: true}; only the second answer shows the detail fields', async () => {
    const connector = await loop.start();
    const seen: unknown[] = [];
    await loop.agent('good-1', {
      methods: {
        netstat: (params) => {
          seen.push(params);
          const connections = fakeConnections('good-1', 3);
          return params['detail'] === true ? withFakeDetail('good-1', connections) : connections;
        },
      },
      collections: { intervalMs: 0 },
    });
    const host = new MockHost({ connector, env: {} });
    const plain = await host.query('json "[{\\"guid\\":\\"good-1\\"}]" | sentry-netstat');
    const detailed = await host.query('json "[{\\"guid\\":\\"good-1\\"}]" | sentry-netstat detail=t');
    expect(seen).toEqual([{}, { detail: true }]);
    expect(plain).toHaveLength(3);
    for (const row of plain) expect(Object.keys(row)).not.toContain('owners');
    expect(detailed).toHaveLength(3);
    const expected = withFakeDetail('good-1', fakeConnections('good-1', 3));
    expect(detailed.map((r) => [r['process'], r['owners'], r['uid'], r['inode'], r['netns'], r['container']])).toEqual(
      expected.map((c) => [c.process, c.owners, c.uid, c.inode, c.netns, c.container]),
    );
  });
});

describe('detail=t against the simulator', () => {
  it('a simulated sentry answers {detail: true} with the detail fields, and {} without (each cached apart)', async () => {
    const credentials = simulatedCredentials(1);
    const connector = await WebSocketConnector.listen({
      keys: new KeyRegistry(credentials.map(({ guid, key }) => [guid, key] as const)),
    });
    const fleet = startFleet({ url: `ws://127.0.0.1:${connector.address().port}`, sentries: credentials, connectionsPerSentry: 4 });
    try {
      await fleet.ready;
      const guid = credentials[0]!.guid;
      const call = (params: Record<string, unknown>) => connector.call(guid, 'netstat', params, { timeoutMs: 5_000 });
      expect(await call({})).toEqual(fakeConnections(guid, 4));
      expect(await call({ detail: true })).toEqual(withFakeDetail(guid, fakeConnections(guid, 4)));
      expect(await call({})).toEqual(fakeConnections(guid, 4));
      const host = new MockHost({ connector, env: {} });
      const rows = await host.query(`json "[{\\"guid\\":\\"${guid}\\"}]" | sentry-netstat detail=t`);
      expect(rows).toHaveLength(4);
      for (const row of rows) expect(Object.keys(row).slice(-6)).toEqual(['process', 'owners', 'uid', 'inode', 'netns', 'container']);
    } finally {
      await fleet.stop();
      await connector.close();
    }
  });
});
