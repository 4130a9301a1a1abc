// A sonar input whose `node` field names no data node of the cluster gets `unknown node NAME`, on the real
// control node's cluster (NatsCluster, here on an in-memory NATS) as on the SDK's MockCluster, and no call is
// published for it.
import { headers, type Msg } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Host, NO_SENTRIES } from '../../src/host/index.js';
import { PLUGIN_COMMANDS } from '../../src/index.js';
import { NatsCluster } from '../../src/nats/nats-cluster.js';
import { REPLY_HEADER } from '../../src/nats/wire.js';
import { MockHost } from '../../sdk-mock/index.js';
import { connection, jsonDriver } from '../helpers/fleet.js';
import { FakeNats, tick, useNatsFakeTimers } from '../helpers/fake-nats.js';

const QUERY = `${jsonDriver([{ guid: 'web-01', node: 'dn9' }])} | sonar-sentry-netstat`;

describe('a sonar input naming an unknown node', () => {
  let nats: FakeNats;
  let cluster: NatsCluster;
  let calls: Msg[];

  beforeEach(() => {
    useNatsFakeTimers();
    nats = new FakeNats();
    cluster = new NatsCluster({ nc: nats.nc });
    calls = [];
    nats.subscribe('sentry.*.*', { callback: (_error, msg) => void calls.push(msg) });
    // Data node n1 holds web-01.
    nats.subscribe('sentry-node.n1.list', {
      callback: (_error, msg) => {
        const h = headers();
        h.set(REPLY_HEADER, 'chunk n1 0 0/1');
        nats.publish(msg.reply!, JSON.stringify({ result: { boot: 'b1', session: 0, version: 1, sentries: [{ guid: 'web-01' }] } }), {
          headers: h,
        });
      },
    });
  });

  afterEach(() => {
    cluster.close();
    vi.useRealTimers();
  });

  it('on the control node (NatsCluster): unknown node NAME, and nothing is sent', async () => {
    nats.publish('sentry-node.n1.heartbeat', JSON.stringify({ boot: 'b1', session: 0, version: 1, count: 1 }));
    await tick(10);
    expect(cluster.locate('web-01')).toBe('n1');
    const host = new Host({ connector: NO_SENTRIES, cluster, commands: PLUGIN_COMMANDS, env: {} });
    const rows = host.query(QUERY);
    await tick(10);
    expect(await rows).toEqual([{ guid: 'web-01', node: 'dn9', _error: 'unknown node dn9' }]);
    expect(calls).toHaveLength(0);
  });

  it('on the SDK mock (MockCluster): the same message', async () => {
    const host = new MockHost({ env: {}, nodes: [{ name: 'n1', sentries: [{ guid: 'web-01', connections: [connection()] }] }] });
    const rows = host.query(QUERY);
    await tick(10);
    expect(await rows).toEqual([{ guid: 'web-01', node: 'dn9', _error: 'unknown node dn9' }]);
  });
});
