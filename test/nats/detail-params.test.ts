// sonar-sentry-netstat detail=t over NATS (issue 15): the call's params ({} or {detail: true}) reach the sentry
// through a data node and through a direct agent, unchanged, and the answer's detail fields come back.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MockHost, MockSentryConnector, MOCK_METHODS } from '../../sdk-mock/index.js';
import { serveSentryOnNats, type DirectAgent } from '../../src/nats/direct-agent.js';
import { NatsCluster } from '../../src/nats/nats-cluster.js';
import { NatsDataNode } from '../../src/nats/data-node.js';
import type { Row } from '../../src/index.js';
import { FakeNats, tick, useNatsFakeTimers } from '../helpers/fake-nats.js';

const DETAILED = {
  pid: 812,
  protocol: 'tcp',
  local_ip: '0.0.0.0',
  local_port: 22,
  remote_ip: '0.0.0.0',
  remote_port: 0,
  state: 'LISTEN',
  process: 'sshd',
  owners: [812, 9000],
  uid: 0,
  inode: 18231,
  netns: 4026531840,
  container: null,
};
const DETAIL_FIELDS = ['process', 'owners', 'uid', 'inode', 'netns', 'container'];

let nats: FakeNats;
let node: NatsDataNode;
let cluster: NatsCluster;
let direct: DirectAgent;
let params: { via: string; params: unknown }[];

beforeEach(async () => {
  useNatsFakeTimers();
  nats = new FakeNats();
  params = [];
  const connector = new MockSentryConnector([{ guid: 'web-01', connections: [DETAILED] }], {
    netstat: (sentry, p) => {
      params.push({ via: 'n1', params: p });
      return MOCK_METHODS['netstat']!(sentry, p);
    },
  });
  node = new NatsDataNode({ nc: nats.nc, name: 'n1', connector });
  direct = await serveSentryOnNats({
    nc: nats.nc,
    guid: 'agent-01',
    methods: {
      netstat: (p) => {
        params.push({ via: 'direct', params: p });
        return p['detail'] === true ? [DETAILED] : [{ ...DETAILED, process: 'sent anyway' }];
      },
    },
    // Each call its own collection, so the two calls of a test are both seen.
    collections: { intervalMs: 0 },
  });
  cluster = new NatsCluster({ nc: nats.nc });
  await tick(200);
  expect(cluster.locate('web-01')).toBe('n1');
  expect(cluster.locate('agent-01')).toBe('direct');
});

afterEach(() => {
  direct.close();
  cluster.close();
  node.close();
  expect(nats.callbackErrors).toEqual([]);
  vi.useRealTimers();
});

async function query(host: MockHost, text: string): Promise<Row[]> {
  const rows = host.query(text);
  await tick(500);
  return rows;
}

describe('detail=t through NATS', () => {
  it('a data node forwards {} and {detail: true} to its sentry as they are', async () => {
    const host = new MockHost({ cluster, env: {} });
    const input = 'json "[{\\"guid\\":\\"web-01\\"}]"';
    const plain = await query(host, `${input} | sonar-sentry-netstat`);
    const detailed = await query(host, `${input} | sonar-sentry-netstat detail=t`);
    expect(params).toEqual([
      { via: 'n1', params: {} },
      { via: 'n1', params: { detail: true } },
    ]);
    expect(Object.keys(plain[0]!)).not.toContain('process');
    expect(detailed[0]).toMatchObject({ guid: 'web-01', node: 'n1', process: 'sshd', owners: [812, 9000], uid: 0, container: null });
    expect(Object.keys(detailed[0]!).slice(-6)).toEqual(DETAIL_FIELDS);
  });

  it('a direct agent gets the params too; without detail its extra fields are left out', async () => {
    const host = new MockHost({ cluster, env: {} });
    const input = 'json "[{\\"guid\\":\\"agent-01\\"}]"';
    const plain = await query(host, `${input} | sonar-sentry-netstat`);
    const detailed = await query(host, `${input} | sonar-sentry-netstat detail=t`);
    expect(params).toEqual([
      { via: 'direct', params: {} },
      { via: 'direct', params: { detail: true } },
    ]);
    expect(Object.keys(plain[0]!)).toEqual([
      'guid',
      'node',
      'pid',
      'protocol',
      'local_ip',
      'local_port',
      'remote_ip',
      'remote_port',
      'state',
    ]);
    expect(detailed[0]).toMatchObject({ node: 'direct', process: 'sshd', inode: 18231, netns: 4026531840 });
  });
});
