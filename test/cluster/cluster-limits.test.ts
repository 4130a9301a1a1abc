// Issue 11, item 6 ("a cluster token is not root everywhere"), in process over loopback: a holder of the cluster
// token (here the real RemoteCluster, as a control node) can have the data node forward only the plugin's sentry
// methods, with bounded params and timeout, and at most CLUSTER_PENDING_CALLS_LIMIT calls pending on its link.
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterEndpoint } from '../../src/cluster/cluster-endpoint.js';
import { RemoteCluster } from '../../src/cluster/remote-cluster.js';
import { SENTRY_METHOD_NAMES } from '../../src/plugin.js';
import { CLUSTER_PENDING_CALLS_LIMIT } from '../../src/rpc/limits.js';
import type { SentryConnector, SentryInfo } from '../../src/runtime/sentry-connector.js';

const TOKEN = 'c'.repeat(24);
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** A connector that records what reaches the sentries; `netstat` hangs until the link closes. */
function recordingConnector(): SentryConnector & { reached: string[] } {
  const reached: string[] = [];
  return {
    reached,
    list: (): SentryInfo[] => [{ guid: 'g-1', connected: true }],
    call: (_guid, method, _params, options) => {
      reached.push(method);
      return new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => reject(options.signal!.reason)));
    },
  };
}

async function setup() {
  const connector = recordingConnector();
  const endpoint = await ClusterEndpoint.listen({ connector, token: TOKEN });
  open.push(endpoint);
  const cluster = new RemoteCluster({
    nodes: { dn1: `ws://127.0.0.1:${endpoint.address().port}` },
    token: TOKEN,
    refreshMs: 50,
    backoff: () => 20,
  });
  open.push(cluster);
  for (let i = 0; i < 100 && cluster.locate('g-1') === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  expect(cluster.locate('g-1')).toBe('dn1');
  return { connector, cluster };
}

describe('the cluster endpoint forwards only what the commands use', () => {
  it('the allowed methods are the agent methods the plugin registers', () => {
    expect(SENTRY_METHOD_NAMES).toEqual(['netstat']);
  });

  it('refuses a method that is not a sentry method of the plugin; nothing reaches the sentry', async () => {
    const { connector, cluster } = await setup();
    await expect(cluster.call('dn1', 'g-1', 'exec', { cmd: 'id' }, { timeoutMs: 5_000 })).rejects.toThrow(
      'the data node does not forward method exec',
    );
    expect(connector.reached).toEqual([]);
  });

  it('refuses a timeout over 600 s and params over 2 KiB; 600 s and small params are forwarded', async () => {
    const { connector, cluster } = await setup();
    await expect(cluster.call('dn1', 'g-1', 'netstat', {}, { timeoutMs: 600_001 })).rejects.toThrow(
      'invalid forwarded call: timeout over 600 s',
    );
    await expect(cluster.call('dn1', 'g-1', 'netstat', { pad: 'x'.repeat(3_000) }, { timeoutMs: 5_000 })).rejects.toThrow(
      'invalid forwarded call: params over 2048 bytes',
    );
    expect(connector.reached).toEqual([]);
    const abort = new AbortController();
    const ok = cluster.call('dn1', 'g-1', 'netstat', { a: 1 }, { timeoutMs: 600_000, signal: abort.signal });
    for (let i = 0; i < 100 && connector.reached.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(connector.reached).toEqual(['netstat']);
    abort.abort();
    await expect(ok).rejects.toBeDefined();
  });

  it(`refuses calls past ${CLUSTER_PENDING_CALLS_LIMIT} pending on one link at once`, async () => {
    const { connector, cluster } = await setup();
    const abort = new AbortController();
    const held = Array.from({ length: CLUSTER_PENDING_CALLS_LIMIT }, () =>
      cluster.call('dn1', 'g-1', 'netstat', {}, { timeoutMs: 60_000, signal: abort.signal }).catch((e: unknown) => e),
    );
    for (let i = 0; i < 200 && connector.reached.length < CLUSTER_PENDING_CALLS_LIMIT; i++) await new Promise((r) => setTimeout(r, 10));
    expect(connector.reached).toHaveLength(CLUSTER_PENDING_CALLS_LIMIT);
    // The next one is answered at once with the error (its 60 s timeout is not what ends it).
    await expect(cluster.call('dn1', 'g-1', 'netstat', {}, { timeoutMs: 60_000 })).rejects.toThrow(
      `too many calls pending on the data node (limit ${CLUSTER_PENDING_CALLS_LIMIT})`,
    );
    expect(connector.reached).toHaveLength(CLUSTER_PENDING_CALLS_LIMIT);
    abort.abort();
    await Promise.all(held);
  }, 30_000);
});
