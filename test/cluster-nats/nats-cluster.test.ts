// The NATS cluster in one process against real nats-server processes: a data node (holding in-memory sentries)
// serves calls that a NatsCluster sends; presence, errors, chunked answers and failover.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MockSentryConnector, type MockSentry } from '../../sdk-mock/mock-sentries.js';
import { NatsDataNode } from '../../src/nats/data-node.js';
import { NatsCluster } from '../../src/nats/nats-cluster.js';
import { SentryRpcError } from '../../src/runtime/sentry-connector.js';
import { NATS_SERVER_MISSING, natsServerAvailable, startNatsCluster, type NatsCluster as Servers } from '../helpers/nats-servers.js';

const connection = (i: number): Record<string, unknown> => ({
  pid: i,
  protocol: 'tcp',
  local_ip: '10.0.0.1',
  local_port: 1000 + (i % 60000),
  remote_ip: '10.0.0.2',
  remote_port: 443,
  state: 'ESTABLISHED',
});

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const opened: { close(): void | Promise<void> }[] = [];
async function natsConnect(servers: string | readonly string[]): Promise<NatsConnection> {
  const nc = await connect({ servers: [servers].flat(), reconnectTimeWait: 250, maxReconnectAttempts: -1 });
  opened.push({ close: () => nc.close() });
  return nc;
}

function dataNode(nc: NatsConnection, name: string, sentries: MockSentry[]): { node: NatsDataNode; sentries: MockSentryConnector } {
  const connector = new MockSentryConnector(sentries);
  const node = new NatsDataNode({ nc, name, connector });
  opened.push(node);
  return { node, sentries: connector };
}

function cluster(nc: NatsConnection): NatsCluster {
  const c = new NatsCluster({ nc });
  opened.push(c);
  return c;
}

afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

describe('NATS cluster (one server)', () => {
  let servers: Servers;
  beforeAll(async () => {
    if (!natsServerAvailable()) throw new Error(NATS_SERVER_MISSING);
    servers = await startNatsCluster({ size: 1 });
  });
  afterAll(() => servers?.stop());

  it('routes a call to the node holding the sentry; the directory lists it with its node', async () => {
    dataNode(await natsConnect(servers.urls[0]!), 'dn1', [{ guid: 'web-01', connections: [connection(1)] }]);
    dataNode(await natsConnect(servers.urls[0]!), 'dn2', [{ guid: 'db.eu*1 ✓', connections: [connection(2), connection(3)] }]);
    const c = cluster(await natsConnect(servers.urls[0]!));
    await until(() => c.sentries().length === 2, 'both sentries announced');
    expect(c.locate('web-01')).toBe('dn1');
    expect(c.locate('db.eu*1 ✓')).toBe('dn2');
    expect(
      c
        .nodes()
        .map((n) => n.name)
        .sort(),
    ).toEqual(['control', 'dn1', 'dn2']);
    expect(await c.call('dn2', 'db.eu*1 ✓', 'netstat', {}, { timeoutMs: 5000 })).toHaveLength(2);
    expect(await c.call('dn1', 'web-01', 'netstat', {}, { timeoutMs: 5000 })).toEqual([connection(1)]);
  });

  it('says not connected for a guid nobody holds, unknown node for a node nobody announced, and the sentry errors as they are', async () => {
    dataNode(await natsConnect(servers.urls[0]!), 'dn1', [
      { guid: 'slow', fail: 'timeout' },
      { guid: 'broken', fail: { error: 'permission denied' } },
    ]);
    const c = cluster(await natsConnect(servers.urls[0]!));
    await until(() => c.sentries().length === 2, 'announced');
    const failure = (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => 'resolved',
        (e: Error) => e.message,
      );
    expect(await failure(c.call('dn1', 'nobody', 'netstat', {}, { timeoutMs: 5000 }))).toBe('not connected');
    expect(await failure(c.call('dn9', 'slow', 'netstat', {}, { timeoutMs: 5000 }))).toBe('unknown node dn9');
    expect(await failure(c.call('dn1', 'slow', 'netstat', {}, { timeoutMs: 300 }))).toBe('timeout');
    expect(await failure(c.call('dn1', 'broken', 'netstat', {}, { timeoutMs: 5000 }))).toBe('permission denied');
    // A method the data node does not forward is refused there, with its reason.
    expect(await failure(c.call('dn1', 'broken', 'shutdown', {}, { timeoutMs: 5000 }))).toBe(
      'the data node does not forward method shutdown',
    );
  });

  it('sends an answer larger than max_payload in chunks (40,000 connections, ~4 MB, through 1 MiB messages)', async () => {
    const big = Array.from({ length: 40_000 }, (_, i) => connection(i));
    dataNode(await natsConnect(servers.urls[0]!), 'dn1', [{ guid: 'busy', connections: big }]);
    const c = cluster(await natsConnect(servers.urls[0]!));
    await until(() => c.locate('busy') === 'dn1', 'announced');
    const nc = await natsConnect(servers.urls[0]!);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(3 * nc.info!.max_payload);
    expect(await c.call('dn1', 'busy', 'netstat', {}, { timeoutMs: 10_000 })).toEqual(big);
  });

  it('a data node that stops announcing is suspect (node unreachable), then gone from sentry (not connected)', async () => {
    const nodeNc = await natsConnect(servers.urls[0]!);
    dataNode(nodeNc, 'dn1', [{ guid: 'web-01', connections: [] }]);
    const c = cluster(await natsConnect(servers.urls[0]!));
    await until(() => c.locate('web-01') === 'dn1', 'announced');
    // Silence it as a crash would: the connection goes away without a goodbye.
    await nodeNc.close();
    await until(() => c.directory.isSuspect('dn1'), 'suspect', 5_000);
    expect(c.sentries()).toMatchObject([{ guid: 'web-01', node: 'dn1', connected: false }]);
    await expect(c.call('dn1', 'web-01', 'netstat', {}, { timeoutMs: 5000 })).rejects.toMatchObject({
      kind: 'node-unreachable',
      message: 'node dn1 is unreachable',
    });
    await until(() => c.sentries().length === 0, 'expired', 8_000);
    expect(c.locate('web-01')).toBeUndefined();
    await expect(c.call('dn1', 'web-01', 'netstat', {}, { timeoutMs: 5000 })).rejects.toThrow('unknown node dn1');
  });

  it('a node that shuts down says so and is forgotten at once', async () => {
    const nodeNc = await natsConnect(servers.urls[0]!);
    const { node } = dataNode(nodeNc, 'dn1', [{ guid: 'web-01' }]);
    const c = cluster(await natsConnect(servers.urls[0]!));
    await until(() => c.locate('web-01') === 'dn1', 'announced');
    node.close();
    await nodeNc.flush();
    await until(() => c.sentries().length === 0, 'forgotten', 1_000);
  });

  it('sentries that connect and disconnect are announced within a batch', async () => {
    const { node, sentries } = dataNode(await natsConnect(servers.urls[0]!), 'dn1', []);
    const c = cluster(await natsConnect(servers.urls[0]!));
    await until(() => c.nodes().length === 2, 'node announced');
    sentries.add({ guid: 'late' });
    node.sentryChanged({ guid: 'late', connected: true });
    await until(() => c.locate('late') === 'dn1', 'connect announced', 2_000);
    node.sentryChanged({ guid: 'late', connected: false });
    await until(() => c.locate('late') === undefined, 'disconnect announced', 2_000);
    await expect(c.call('dn1', 'late', 'netstat', {}, { timeoutMs: 2000 })).rejects.toBeInstanceOf(SentryRpcError);
  });
});
