import { describe, expect, it } from 'vitest';
import { normalizeSiConnection, type SiConnection } from '../../src/agent/normalize-si-connection.js';
import { netstatRows } from '../../src/index.js';

const si = (overrides: Partial<SiConnection>): SiConnection => ({
  protocol: 'tcp',
  localAddress: '127.0.0.1',
  localPort: '22',
  peerAddress: '0.0.0.0',
  peerPort: '0',
  state: 'LISTEN',
  pid: 812,
  ...overrides,
});

describe('systeminformation connections, normalised', () => {
  it.each([
    ['string ports become ints', si({ localPort: '8080', peerPort: '*' }), { local_port: 8080, remote_port: 0 }],
    [
      "ss's [::1] loses its brackets and makes it tcp6",
      si({ protocol: 'tcp', localAddress: '[::1]', peerAddress: '[::]' }),
      { protocol: 'tcp6', local_ip: '::1', remote_ip: '::' },
    ],
    [
      "'*' is the wildcard of the socket's family",
      si({ protocol: 'tcp6', localAddress: '*', peerAddress: '*', localPort: '*' }),
      { protocol: 'tcp6', local_ip: '::', remote_ip: '::', local_port: 0 },
    ],
    ['macOS tcp4 and tcp46', si({ protocol: 'tcp46', localAddress: '*', peerAddress: '*' }), { protocol: 'tcp6', local_ip: '::' }],
    [
      'Windows lists IPv6 listeners as plain TCP [::]',
      si({ protocol: 'TCP', localAddress: '::', peerAddress: '::', state: 'LISTENING' }),
      { protocol: 'tcp6', local_ip: '::', state: 'LISTEN' },
    ],
    ['a %zone suffix is dropped', si({ protocol: 'tcp6', localAddress: 'fe80::1%lo0', peerAddress: '*' }), { local_ip: 'fe80::1' }],
    [
      'an IPv4 peer of a dual-stack socket is v4-mapped',
      si({ protocol: 'tcp6', localAddress: '::1', peerAddress: '10.0.0.7', peerPort: '5432', state: 'ESTAB' }),
      { remote_ip: '::ffff:10.0.0.7', state: 'ESTABLISHED' },
    ],
    ["ss's TIME-WAIT and Windows' FIN_WAIT_2", si({ state: 'TIME-WAIT' }), { state: 'TIME_WAIT' }],
    ['FIN_WAIT_2', si({ state: 'FIN_WAIT_2' }), { state: 'FIN_WAIT2' }],
    [
      'an unconnected UDP socket is NONE',
      si({ protocol: 'udp', state: 'UNKNOWN', peerAddress: '*', peerPort: '*' }),
      { protocol: 'udp', state: 'NONE' },
    ],
    [
      'a UDP socket with a peer is ESTABLISHED',
      si({ protocol: 'udp', state: '', peerAddress: '10.0.0.2', peerPort: '53' }),
      { state: 'ESTABLISHED' },
    ],
    ['no pid, or pid 0, is null', si({ pid: null }), { pid: null }],
    ['pid NaN is null', si({ pid: Number.NaN }), { pid: null }],
  ])('%s', (_what, entry, expected) => {
    const result = normalizeSiConnection(entry);
    expect('connection' in result && result.connection).toMatchObject(expected);
    // Whatever comes out is a valid netstat answer.
    if ('connection' in result) expect(netstatRows('h', [result.connection])).toHaveLength(1);
  });

  it.each([
    ['sctp', si({ protocol: 'sctp' }), /unknown protocol/],
    ['a host name', si({ peerAddress: 'example.com' }), /bad peer address/],
    ['port 70000', si({ localPort: '70000' }), /bad local port/],
    ['port -1', si({ peerPort: '-1' }), /bad peer port/],
    ['an unknown tcp state', si({ state: 'BOUND' }), /unknown tcp state "BOUND"/],
    ['an unknown udp state', si({ protocol: 'udp', state: 'LISTEN' }), /unknown udp state/],
  ])('rejects %s with a reason, never passes it through', (_what, entry, reason) => {
    const result = normalizeSiConnection(entry);
    expect('rejected' in result && result.rejected).toMatch(reason);
  });

  it('with detail, fills what systeminformation knows (process, owners [pid]) and null for the rest; without, none of it', () => {
    const withName = normalizeSiConnection({ ...si({ pid: 4242 }), process: 'nginx' }, { detail: true });
    expect('connection' in withName && withName.connection).toMatchObject({
      pid: 4242,
      process: 'nginx',
      owners: [4242],
      uid: null,
      inode: null,
      netns: null,
      container: null,
    });
    const anonymous = normalizeSiConnection({ ...si({ pid: null }), process: '' }, { detail: true });
    expect('connection' in anonymous && anonymous.connection).toMatchObject({ pid: null, process: null, owners: [] });
    if ('connection' in anonymous) expect(netstatRows('h', [anonymous.connection], { detail: true })).toHaveLength(1);
    const plain = normalizeSiConnection({ ...si({ pid: 4242 }), process: 'nginx' });
    expect('connection' in plain && Object.keys(plain.connection)).toEqual([
      'pid',
      'protocol',
      'local_ip',
      'local_port',
      'remote_ip',
      'remote_port',
      'state',
    ]);
  });
});
