// In-process: ClusterEndpoint (data node side) and RemoteCluster (control side) over loopback WebSockets.
import { PROOF_PURPOSE, proofOf, secretBytes } from '../../src/rpc/challenge.js';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterEndpoint } from '../../src/cluster/cluster-endpoint.js';
import { RemoteCluster } from '../../src/cluster/remote-cluster.js';
import { SentryRpcError, type SentryCallOptions, type SentryConnector, type SentryInfo } from '../../src/runtime/sentry-connector.js';

const TOKEN = 'c'.repeat(24);

/** A connector whose `call` does what the test says per method. */
function fakeConnector(): SentryConnector & { seen: SentryCallOptions[] } {
  const seen: SentryCallOptions[] = [];
  return {
    seen,
    list: (): SentryInfo[] => [{ guid: 'g-1', connected: true, hostname: 'h1', connected_at: new Date('2026-01-02T03:04:05.000Z') }],
    call: (guid, method, params, options) => {
      seen.push(options);
      if (guid !== 'g-1') return Promise.reject(SentryRpcError.notConnected());
      if (method === 'echo') return Promise.resolve({ guid, params });
      if (method === 'fail') return Promise.reject(SentryRpcError.remote('boom'));
      if (method === 'slow-timeout')
        return new Promise((_, reject) => setTimeout(() => reject(SentryRpcError.timeout()), options.timeoutMs));
      return new Promise(() => undefined); // hangs
    },
  };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(refreshMs = 50) {
  const connector = fakeConnector();
  // The fake sentries' methods (the real endpoint forwards only the plugin's, SENTRY_METHOD_NAMES).
  const endpoint = await ClusterEndpoint.listen({
    connector,
    token: TOKEN,
    sentryMethods: ['echo', 'fail', 'slow-timeout', 'hang', 'nope'],
  });
  open.push(endpoint);
  const cluster = new RemoteCluster({
    nodes: { dn1: `ws://127.0.0.1:${endpoint.address().port}` },
    token: TOKEN,
    refreshMs,
    backoff: () => 20,
  });
  open.push(cluster);
  for (let i = 0; i < 100 && cluster.locate('g-1') === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  return { connector, endpoint, cluster };
}

describe('ClusterEndpoint + RemoteCluster', () => {
  it('fills the directory and routes calls; passes errors back by message', async () => {
    const { cluster } = await setup();
    expect(cluster.locate('g-1')).toBe('dn1');
    expect(cluster.sentries()).toEqual([
      { guid: 'g-1', connected: true, hostname: 'h1', connected_at: new Date('2026-01-02T03:04:05.000Z'), node: 'dn1' },
    ]);
    expect(cluster.nodes()).toEqual([
      { name: 'control', type: 'control' },
      { name: 'dn1', type: 'data' },
    ]);
    await expect(cluster.call('dn1', 'g-1', 'echo', { a: 1 }, { timeoutMs: 1000 })).resolves.toEqual({ guid: 'g-1', params: { a: 1 } });
    await expect(cluster.call('dn1', 'g-1', 'fail', {}, { timeoutMs: 1000 })).rejects.toThrow('boom');
    await expect(cluster.call('dn1', 'nope', 'echo', {}, { timeoutMs: 1000 })).rejects.toMatchObject({
      kind: 'not-connected',
      message: 'not connected',
    });
    await expect(cluster.call('dn1', 'g-1', 'slow-timeout', {}, { timeoutMs: 50 })).rejects.toMatchObject({ kind: 'timeout' });
    // A node the control node was not given is not "unreachable": it does not exist (as in MockCluster).
    await expect(cluster.call('dn9', 'g-1', 'echo', {}, { timeoutMs: 1000 })).rejects.toMatchObject({
      kind: 'unknown-node',
      message: 'unknown node dn9',
    });
  });

  it('aborts with signal.reason; times out itself when the node never answers', async () => {
    const { cluster } = await setup();
    const controller = new AbortController();
    const call = cluster.call('dn1', 'g-1', 'hang', {}, { timeoutMs: 60_000, signal: controller.signal });
    controller.abort(new Error('cancelled'));
    await expect(call).rejects.toThrow('cancelled');
    // The node's own timeout is faked away (hang); the control's timer (timeoutMs + slack) ends it.
    await expect(cluster.call('dn1', 'g-1', 'hang', {}, { timeoutMs: 10 })).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('a call in flight when the node goes away ends in "disconnected"; then the node is unreachable', async () => {
    const { cluster, endpoint } = await setup();
    // Handled from the start: the rejection can come while close() is still waiting for its server.
    const call = expect(cluster.call('dn1', 'g-1', 'hang', {}, { timeoutMs: 60_000 })).rejects.toMatchObject({ kind: 'disconnected' });
    await new Promise((r) => setTimeout(r, 50));
    await endpoint.close();
    await call;
    await expect(cluster.call('dn1', 'g-1', 'echo', {}, { timeoutMs: 1000 })).rejects.toThrow('node dn1 is unreachable');
  });

  it('closes a link with a wrong token (1008)', async () => {
    const endpoint = await ClusterEndpoint.listen({ connector: fakeConnector(), token: TOKEN });
    open.push(endpoint);
    const socket = new WebSocket(`ws://127.0.0.1:${endpoint.address().port}`);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.once('message', (data) => {
      const { nonce } = JSON.parse(String(data)) as { nonce: string };
      socket.send(JSON.stringify({ type: 'join', proof: proofOf(secretBytes('w'.repeat(24)), PROOF_PURPOSE.join, nonce, '') }));
    });
    expect(await closed).toBe(1008);
  });
});
