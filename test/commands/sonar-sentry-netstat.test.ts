import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NOT_A_CLUSTER, QueryParseError, type Row } from '../../src/index.js';
import { MockHost, type MockHostOptions, type MockSentry } from '../../sdk-mock/index.js';
import { connection, jsonDriver, sentries } from '../helpers/fleet.js';

const KEY = 'logpresso.core.sentry_rpc_parallel';

/** The reference page's behaviours, run for both commands: a single host, and one data node of a cluster. */
const variants = [
  { command: 'sentry-netstat', host: (s: MockSentry[], o: MockHostOptions = {}) => new MockHost({ env: {}, ...o, sentries: s }) },
  {
    command: 'sonar-sentry-netstat',
    host: (s: MockSentry[], o: MockHostOptions = {}) => new MockHost({ env: {}, ...o, nodes: [{ name: 'dn1', sentries: s }] }),
  },
] as const;

/** Rows without the `node` field, so both variants compare alike. */
const withoutNode = (rows: Row[]): Row[] => rows.map(({ node: _node, ...rest }) => rest);

describe.each(variants)('$command: the reference page behaviours', ({ command, host }) => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const run = async (h: MockHost, query: string) => {
    const rows = h.query(query);
    await vi.runAllTimersAsync();
    return withoutNode(await rows);
  };

  it('23100 for a non-administrator, whatever the options; 23101 for a bad timeout', () => {
    const h = host([], { users: { admin: { admin: true }, bob: { admin: false } } });
    expect(() => h.start(`sentry | fields guid | ${command} timeout=0`, { user: 'bob' })).toThrow(expect.objectContaining({ code: 23100 }));
    for (const bad of ['0', '601', '1.5', 'abc', '30s']) {
      expect(() => h.start(`sentry | fields guid | ${command} timeout=${bad}`)).toThrow(QueryParseError);
    }
  });

  it('guid checks and not connected go into _error on the original record', async () => {
    const rows = await run(host([]), `${jsonDriver([{ guid: null, a: 1 }, { guid: 7 }, { guid: '' }, { guid: 'ghost' }])} | ${command}`);
    expect(rows).toEqual([
      { guid: null, a: 1, _error: 'guid is null' },
      { guid: 7, _error: 'guid should be string' },
      { guid: '', _error: 'guid should be non empty string' },
      { guid: 'ghost', _error: 'not connected' },
    ]);
  });

  it("timeout, disconnected and the sentry's own message", async () => {
    const rows = await run(
      host([
        { guid: 'mute', fail: 'timeout' },
        { guid: 'drop', fail: 'disconnect', delay_ms: 5 },
        { guid: 'err', fail: { error: 'permission denied' }, delay_ms: 6 },
      ]),
      `sentry | fields guid | ${command} timeout=5`,
    );
    expect(rows).toEqual([
      { guid: 'drop', _error: 'disconnected' },
      { guid: 'err', _error: 'permission denied' },
      { guid: 'mute', _error: 'timeout' },
    ]);
  });

  it('rows in arrival order, typed as sentry-netstat types them', async () => {
    const rows = await run(
      host([
        { guid: 'slow', delay_ms: 300, connections: [connection({ local_port: 1 })] },
        {
          guid: 'fast',
          delay_ms: 10,
          connections: [connection({ local_port: 2 }), connection({ protocol: 'udp6', local_ip: '::1', remote_ip: '::', state: 'NONE' })],
        },
      ]),
      `sentry | fields guid | ${command}`,
    );
    expect(rows.map((r) => `${String(r['guid'])}:${String(r['local_port'])}`)).toEqual(['fast:2', 'fast:22', 'slow:1']);
    expect(String(rows[1]!['local_ip'])).toBe('::1');
  });

  it('at most N RPCs in flight', async () => {
    const h = host(sentries(40, 100), { config: { [KEY]: 4 } });
    const rows = await run(h, `sentry | fields guid | ${command}`);
    expect(rows).toHaveLength(40);
    const connectors = h.cluster ? [h.cluster.dataNode('dn1')!] : [h.sentries];
    expect(connectors[0]!.stats.maxInFlight).toBe(4);
  });
});

describe('sonar-sentry-netstat across data nodes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const cluster = (): MockHost =>
    new MockHost({
      env: {},
      nodes: [
        {
          name: 'dn1',
          sentries: [
            { guid: 'a1', delay_ms: 10, connections: [connection({ local_port: 11 })] },
            { guid: 'a2', delay_ms: 20, connections: [connection({ local_port: 12 })] },
          ],
        },
        { name: 'dn2', fail: 'down', sentries: [{ guid: 'b1', connections: [connection()] }] },
        {
          name: 'dn3',
          delay_ms: 2_000,
          sentries: [{ guid: 'c1', delay_ms: 10, connections: [connection({ local_port: 31 }), connection({ local_port: 32 })] }],
        },
      ],
    });

  it('every guid yields rows tagged with its node, or one _error; a down node names itself; a slow node holds no one back', async () => {
    const host = cluster();
    const query = host.query('sentry | fields guid | sonar-sentry-netstat');
    await vi.runAllTimersAsync();
    const rows = await query;
    expect(rows.map((r) => [r['guid'], r['node'] ?? null, r['local_port'] ?? r['_error']])).toEqual([
      ['b1', null, 'node dn2 is unreachable'],
      ['a1', 'dn1', 11],
      ['a2', 'dn1', 12],
      ['c1', 'dn3', 31],
      ['c1', 'dn3', 32],
    ]);
    expect(Object.keys(rows[1]!)).toEqual([
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
  });

  it('the sentry command lists every sentry of every data node with its node', async () => {
    const rows = await cluster().query('sentry | fields guid, node');
    expect(rows).toEqual([
      { guid: 'a1', node: 'dn1' },
      { guid: 'a2', node: 'dn1' },
      { guid: 'b1', node: 'dn2' },
      { guid: 'c1', node: 'dn3' },
    ]);
  });

  it('routes by the input node field when there is one, else by the directory; a guid no node holds is not connected', async () => {
    const host = new MockHost({
      env: {},
      nodes: [
        { name: 'dn1', sentries: [{ guid: 'twin', connections: [connection({ local_port: 1 })] }] },
        { name: 'dn2', sentries: [{ guid: 'twin', connections: [connection({ local_port: 2 })] }] },
      ],
    });
    const query = host.query(`${jsonDriver([{ guid: 'twin', node: 'dn2' }, { guid: 'twin' }, { guid: 'nobody' }])} | sonar-sentry-netstat`);
    await vi.runAllTimersAsync();
    const rows = await query;
    expect(rows.map((r) => [r['node'] ?? null, r['local_port'] ?? r['_error']])).toEqual([
      [null, 'not connected'],
      ['dn2', 2],
      ['dn1', 1],
    ]);
  });

  it('an input node field naming no data node says so, as a typed error', async () => {
    const host = new MockHost({ env: {}, nodes: [{ name: 'dn1', sentries: [{ guid: 'x', connections: [connection()] }] }] });
    const query = host.query(`${jsonDriver([{ guid: 'x', node: 'dn9' }])} | sonar-sentry-netstat`);
    await vi.runAllTimersAsync();
    expect(await query).toEqual([{ guid: 'x', node: 'dn9', _error: 'unknown node dn9' }]);
    await expect(host.cluster!.call('dn9', 'x', 'netstat', {}, { timeoutMs: 1_000 })).rejects.toMatchObject({ kind: 'unknown-node' });
  });

  it('a down node fails with a typed error naming it', async () => {
    const host = cluster();
    await expect(host.cluster!.call('dn2', 'b1', 'netstat', {}, { timeoutMs: 1_000 })).rejects.toMatchObject({
      kind: 'node-unreachable',
      message: 'node dn2 is unreachable',
    });
  });

  it('a slow node past the timeout gives timeout; cancelling leaves no timer behind', async () => {
    const host = new MockHost({
      env: {},
      nodes: [{ name: 'dn1', delay_ms: 10_000, sentries: [{ guid: 'x', connections: [connection()] }] }],
    });
    const timedOut = host.query('sentry | fields guid | sonar-sentry-netstat timeout=5');
    await vi.runAllTimersAsync();
    expect(await timedOut).toEqual([{ guid: 'x', _error: 'timeout' }]);

    const run = host.start('sentry | fields guid | sonar-sentry-netstat timeout=60');
    await vi.advanceTimersByTimeAsync(100);
    run.cancel();
    await expect(run.done).resolves.toEqual({ reason: 'cancel' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('on a standalone host, says it is not a cluster', async () => {
    const host = new MockHost({ env: {}, sentries: [{ guid: 'x' }] });
    expect(await host.query('sentry | fields guid | sonar-sentry-netstat')).toEqual([{ guid: 'x', _error: NOT_A_CLUSTER }]);
  });
});
