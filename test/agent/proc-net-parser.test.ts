import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeParallelCollector, collectLinuxConnections, collectLinuxConnectionsInParallel } from '../../src/agent/collect-linux.js';
import { decodeProcAddress, procNetConnections, procNetSockets } from '../../src/agent/proc-net-parser.js';
import { allSocketOwners } from '../../src/agent/socket-owners.js';

/** No socket has a known owner: pid is null throughout. */
const NO_OWNERS = new Map<number, number>();
import { netstatRows } from '../../src/index.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const line = (local: string, remote: string, state: string, inode = 1000, uid = 0): string =>
  `   0: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000 ${String(uid).padStart(5)}        0 ${inode} 1 0000000000000000 100 0 0 10 0`;

describe('/proc/net address decoding', () => {
  it.each([
    ['0100007F', 'LE', '127.0.0.1'],
    ['7F000001', 'BE', '127.0.0.1'],
    ['0500000A', 'LE', '10.0.0.5'],
    ['00000000', 'LE', '0.0.0.0'],
    ['00000000000000000000000001000000', 'LE', '::1'],
    ['00000000000000000000000000000001', 'BE', '::1'],
    ['0000000000000000FFFF00000700000A', 'LE', '::ffff:10.0.0.7'],
    ['00000000000000000000FFFF0A000007', 'BE', '::ffff:10.0.0.7'],
    ['B80D0120000000000000000001000000', 'LE', '2001:db8::1'],
    ['000080FE00000000FF000000010000FE', 'LE', 'fe80::ff:fe00:1'],
  ] as const)('%s on a %s host is %s', (hex, order, address) => {
    expect(decodeProcAddress(hex, order)).toBe(address);
  });

  it('never reads the IPv6 loopback as 0:100:0:0:0:0:0:0 (the word-order bug)', () => {
    expect(decodeProcAddress('00000000000000000000000001000000', 'LE')).not.toMatch(/^0:100/);
  });

  it('refuses what is not 8 or 32 hex digits', () => {
    expect(() => decodeProcAddress('0100007', 'LE')).toThrow(TypeError);
    expect(() => decodeProcAddress('0100007G', 'LE')).toThrow(TypeError);
  });
});

describe('/proc/net lines', () => {
  it('reads every TCP state code 01..0B and hex ports', () => {
    const names = [
      'ESTABLISHED',
      'SYN_SENT',
      'SYN_RECV',
      'FIN_WAIT1',
      'FIN_WAIT2',
      'TIME_WAIT',
      'CLOSE',
      'CLOSE_WAIT',
      'LAST_ACK',
      'LISTEN',
      'CLOSING',
    ];
    const text = [
      HEADER,
      ...names.map((_, i) => line('0100007F:0016', '0500000A:C350', (i + 1).toString(16).toUpperCase().padStart(2, '0'))),
    ].join('\n');
    const sockets = procNetConnections(text, 'tcp', 'LE', new Map([[1000, 42]]));
    expect(sockets.map((s) => s.state)).toEqual(names);
    // The inode column (1000) is what finds the owner.
    expect(sockets[0]).toEqual({
      pid: 42,
      protocol: 'tcp',
      local_ip: '127.0.0.1',
      local_port: 22,
      remote_ip: '10.0.0.5',
      remote_port: 50000,
      state: 'ESTABLISHED',
    });
  });

  it('reads the hex state as hex: 0A is LISTEN, not a decimal 10', () => {
    expect(procNetConnections(line('00000000:0050', '00000000:0000', '0A'), 'tcp', 'LE', NO_OWNERS)[0]?.state).toBe('LISTEN');
  });

  it('keeps unconnected UDP sockets (NONE) and connected ones (ESTABLISHED)', () => {
    const text = [line('00000000:0044', '00000000:0000', '07'), line('0500000A:B26D', '0200000A:0035', '01')].join('\n');
    expect(procNetConnections(text, 'udp', 'LE', NO_OWNERS).map((s) => [s.local_port, s.state])).toEqual([
      [68, 'NONE'],
      [45677, 'ESTABLISHED'],
    ]);
  });

  it('reads the uid and inode columns (procNetSockets), the owner left to the caller', () => {
    const text = [
      HEADER,
      line('0100007F:1F90', '00000000:0000', '0A', 5555, 1000),
      line('0100007F:1F91', '0100007F:D431', '06', 0, 65534),
    ].join('\n');
    expect(procNetSockets(text, 'tcp', 'LE')).toEqual([
      {
        protocol: 'tcp',
        local_ip: '127.0.0.1',
        local_port: 8080,
        remote_ip: '0.0.0.0',
        remote_port: 0,
        state: 'LISTEN',
        uid: 1000,
        inode: 5555,
      },
      {
        protocol: 'tcp',
        local_ip: '127.0.0.1',
        local_port: 8081,
        remote_ip: '127.0.0.1',
        remote_port: 54321,
        state: 'TIME_WAIT',
        uid: 65534,
        inode: 0,
      },
    ]);
    // The uid column does not change what procNetConnections gives.
    expect(Object.keys(procNetConnections(text, 'tcp', 'LE', NO_OWNERS)[0] ?? {})).toEqual([
      'pid',
      'protocol',
      'local_ip',
      'local_port',
      'remote_ip',
      'remote_port',
      'state',
    ]);
  });

  it('skips the header, short lines and unknown state codes, keeping the rest', () => {
    const text = [
      HEADER,
      '   1: 0100007F:0016',
      line('0100007F:0016', '00000000:0000', '0C'),
      line('0100007F:0016', '00000000:0000', '0A'),
      '',
    ].join('\n');
    expect(procNetConnections(text, 'tcp', 'LE', NO_OWNERS)).toHaveLength(1);
  });
});

describe('collectLinuxConnections over a /proc tree', () => {
  let root: string | undefined;
  afterAll(closeParallelCollector);
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('maps inodes to pids through /proc/[pid]/fd, null when no process holds it or the inode is 0', () => {
    root = mkdtempSync(join(tmpdir(), 'proc-'));
    mkdirSync(join(root, 'net'));
    writeFileSync(
      join(root, 'net', 'tcp'),
      [HEADER, line('0100007F:1F90', '00000000:0000', '0A', 5555), line('0100007F:1F91', '0100007F:D431', '03', 0)].join('\n'),
    );
    writeFileSync(
      join(root, 'net', 'tcp6'),
      [HEADER, line('00000000000000000000000001000000:0016', '00000000000000000000000000000000:0000', '0A', 7777)].join('\n'),
    );
    // no udp, udp6 files: IPv6/UDP may be absent; that contributes nothing
    mkdirSync(join(root, '4242', 'fd'), { recursive: true });
    symlinkSync('socket:[5555]', join(root, '4242', 'fd', '3'));
    symlinkSync('/dev/null', join(root, '4242', 'fd', '0'));
    mkdirSync(join(root, 'self'));

    const connections = collectLinuxConnections({ procRoot: root, endianness: 'LE' });
    expect(connections).toEqual([
      { pid: 4242, protocol: 'tcp', local_ip: '127.0.0.1', local_port: 8080, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' },
      {
        pid: null,
        protocol: 'tcp',
        local_ip: '127.0.0.1',
        local_port: 8081,
        remote_ip: '127.0.0.1',
        remote_port: 54321,
        state: 'SYN_RECV',
      },
      { pid: null, protocol: 'tcp6', local_ip: '::1', local_port: 22, remote_ip: '::', remote_port: 0, state: 'LISTEN' },
    ]);
    // What the agent collects is a valid netstat answer.
    expect(netstatRows('host', connections)).toHaveLength(3);
  });

  it('finds every owner of a shared socket, ascending, once each (allSocketOwners)', () => {
    root = mkdtempSync(join(tmpdir(), 'proc-'));
    const hold = (pid: number, fd: number, inode: number): void => {
      mkdirSync(join(root as string, String(pid), 'fd'), { recursive: true });
      symlinkSync(`socket:[${inode}]`, join(root as string, String(pid), 'fd', String(fd)));
    };
    hold(300, 3, 7000);
    hold(300, 4, 7000); // dup()ed: the same owner twice
    hold(100, 5, 7000);
    hold(200, 3, 7000);
    hold(200, 4, 8000);
    hold(200, 6, 8000);
    const { pidOf, sharedBy } = allSocketOwners(root);
    expect(pidOf).toEqual(
      new Map([
        [7000, 100],
        [8000, 200],
      ]),
    );
    expect(sharedBy).toEqual(new Map([[7000, [100, 200, 300]]]));
  });

  it('gives the detail fields: process, owners, uid, inode, netns, container', () => {
    root = mkdtempSync(join(tmpdir(), 'proc-'));
    mkdirSync(join(root, 'net'));
    writeFileSync(
      join(root, 'net', 'tcp'),
      [HEADER, line('0100007F:1F90', '00000000:0000', '0A', 5555, 1000), line('0100007F:1F91', '0100007F:D431', '03', 0, 1000)].join('\n'),
    );
    writeFileSync(join(root, 'net', 'udp'), [HEADER, line('0100007F:0035', '00000000:0000', '07', 6666, 65534)].join('\n'));
    for (const pid of [4242, 4243]) {
      mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
      symlinkSync('socket:[5555]', join(root, String(pid), 'fd', '3'));
      writeFileSync(join(root, String(pid), 'comm'), 'sentryowner\n');
      writeFileSync(join(root, String(pid), 'cgroup'), `0::/system.slice/docker-${'c'.repeat(64)}.scope\n`);
    }
    mkdirSync(join(root, 'self'));

    const connections = collectLinuxConnections({ procRoot: root, endianness: 'LE', detail: true });
    expect(connections).toEqual([
      {
        pid: 4242,
        protocol: 'tcp',
        local_ip: '127.0.0.1',
        local_port: 8080,
        remote_ip: '0.0.0.0',
        remote_port: 0,
        state: 'LISTEN',
        process: 'sentryowner',
        owners: [4242, 4243],
        uid: 1000,
        inode: 5555,
        netns: null,
        container: 'c'.repeat(64),
      },
      {
        pid: null,
        protocol: 'tcp',
        local_ip: '127.0.0.1',
        local_port: 8081,
        remote_ip: '127.0.0.1',
        remote_port: 54321,
        state: 'SYN_RECV',
        process: null,
        owners: [],
        uid: 1000,
        inode: null,
        netns: null,
        container: null,
      },
      {
        pid: null,
        protocol: 'udp',
        local_ip: '127.0.0.1',
        local_port: 53,
        remote_ip: '0.0.0.0',
        remote_port: 0,
        state: 'NONE',
        process: null,
        owners: [],
        uid: 65534,
        inode: 6666,
        netns: null,
        container: null,
      },
    ]);
    expect(netstatRows('host', connections)).toHaveLength(3);
    // Without detail, the wire fields only.
    expect(collectLinuxConnections({ procRoot: root, endianness: 'LE' })).toEqual(
      connections.map(({ pid, protocol, local_ip, local_port, remote_ip, remote_port, state }) => ({
        pid,
        protocol,
        local_ip,
        local_port,
        remote_ip,
        remote_port,
        state,
      })),
    );
  });

  it('gives the same connections on two threads (a worker reading /proc/net) as on one', async () => {
    root = mkdtempSync(join(tmpdir(), 'proc-'));
    mkdirSync(join(root, 'net'));
    const tcp = [HEADER];
    const udp6 = [HEADER];
    for (let i = 1; i <= 300; i++) {
      tcp.push(line(`0100007F:${(1000 + i).toString(16).toUpperCase().padStart(4, '0')}`, '0100007F:D431', '01', 10_000 + i));
      udp6.push(
        line(
          `00000000000000000000000001000000:${(2000 + i).toString(16).toUpperCase().padStart(4, '0')}`,
          '00000000000000000000000000000000:0000',
          '07',
          20_000 + i,
        ),
      );
    }
    writeFileSync(join(root, 'net', 'tcp'), tcp.join('\n'));
    writeFileSync(join(root, 'net', 'udp6'), udp6.join('\n'));
    // What makes the worker worth starting: /proc/net/sockstat says there are thousands of sockets.
    writeFileSync(
      join(root, 'net', 'sockstat'),
      'sockets: used 9000\nTCP: inuse 4000 orphan 0 tw 500 alloc 4000 mem 1\nUDP: inuse 10 mem 1\n',
    );
    writeFileSync(join(root, 'net', 'sockstat6'), 'TCP6: inuse 5\nUDP6: inuse 1000\n');
    mkdirSync(join(root, '4242', 'fd'), { recursive: true });
    for (let i = 1; i <= 300; i += 2) symlinkSync(`socket:[${10_000 + i}]`, join(root, '4242', 'fd', String(i)));

    const oneThread = collectLinuxConnections({ procRoot: root, endianness: 'LE' });
    expect(oneThread).toHaveLength(600);
    expect(oneThread.filter((c) => c.pid === 4242)).toHaveLength(150);
    expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE' })).toEqual(oneThread);
    const detailed = collectLinuxConnections({ procRoot: root, endianness: 'LE', detail: true });
    expect(detailed.filter((c) => c.owners.length === 1 && c.owners[0] === 4242)).toHaveLength(150);
    expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE', detail: true })).toEqual(detailed);
  });

  it('gives the same on two threads as on one with every owner, other namespaces and a thread’s own fd table', async () => {
    root = mkdtempSync(join(tmpdir(), 'proc-'));
    const at = (...parts: string[]): string => join(root!, ...parts);
    const links = (dir: string, targets: readonly string[]): void => {
      mkdirSync(dir, { recursive: true });
      targets.forEach((target, fd) => symlinkSync(target, join(dir, String(fd))));
    };
    const port = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
    mkdirSync(at('net'));
    const tcp = [HEADER];
    const udp6 = [HEADER];
    for (let i = 1; i <= 300; i++) {
      tcp.push(line(`0100007F:${port(1000 + i)}`, '0100007F:D431', '01', 10_000 + i, i % 2 === 0 ? 1000 : 0));
      udp6.push(line(`00000000000000000000000001000000:${port(2000 + i)}`, '00000000000000000000000000000000:0000', '07', 20_000 + i));
    }
    writeFileSync(at('net', 'tcp'), tcp.join('\n'));
    writeFileSync(at('net', 'udp6'), udp6.join('\n'));
    writeFileSync(at('net', 'sockstat'), 'TCP: inuse 4000 orphan 0 tw 500 alloc 4000 mem 1\nUDP: inuse 10 mem 1\n');
    writeFileSync(at('net', 'sockstat6'), 'TCP6: inuse 5\nUDP6: inuse 1000\n');
    // This process's namespace and another one, of pids 5000 and 5001, with sockets of its own.
    mkdirSync(at('self', 'ns'), { recursive: true });
    symlinkSync('net:[4026531840]', at('self', 'ns', 'net'));
    for (const [pid, netns] of [
      ['17', 4026531840],
      ['4242', 4026531840],
      ['4243', 4026531840],
      ['5000', 4026532999],
      ['5001', 4026532999],
    ] as const) {
      mkdirSync(at(pid, 'ns'), { recursive: true });
      symlinkSync(`net:[${netns}]`, at(pid, 'ns', 'net'));
      writeFileSync(at(pid, 'comm'), `proc${pid}\n`);
    }
    mkdirSync(at('5000', 'net'));
    writeFileSync(
      at('5000', 'net', 'tcp'),
      [HEADER, line('0100007F:1F90', '00000000:0000', '0A', 30_001), line('0100007F:1F91', '00000000:0000', '0A', 30_002)].join('\n'),
    );
    links(at('5000', 'fd'), ['socket:[30001]']);
    links(at('5001', 'fd'), ['socket:[30001]', 'socket:[30002]']);
    // Every other tcp socket is 4242's; 4243 shares the first 50 of them (one twice), 17 (lower) one of them.
    const held = Array.from({ length: 150 }, (_, i) => `socket:[${10_001 + 2 * i}]`);
    links(at('4242', 'fd'), held);
    links(at('4243', 'fd'), [...held.slice(0, 50), 'socket:[10001]', '/dev/null']);
    links(at('17', 'fd'), ['socket:[10003]']);
    // udp6 socket 20001 is held only in a thread's own fd table: 7000's own is big (other fds), 7001's small.
    links(
      at('7000', 'fd'),
      Array.from({ length: 600 }, () => '/dev/null'),
    );
    links(at('7000', 'task', '7000', 'fd'), []);
    links(at('7000', 'task', '7001', 'fd'), ['socket:[20001]']);

    const oneThread = collectLinuxConnections({ procRoot: root, endianness: 'LE' });
    expect(oneThread).toHaveLength(600);
    expect(oneThread.filter((c) => c.pid === 4242)).toHaveLength(149);
    expect(oneThread.find((c) => c.local_port === 1003 && c.protocol === 'tcp')?.pid).toBe(17);
    expect(oneThread.find((c) => c.local_port === 2001 && c.protocol === 'udp6')?.pid).toBe(7000);
    const twoThreads = await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE' });
    expect(twoThreads).toEqual(oneThread);

    const detailed = collectLinuxConnections({ procRoot: root, endianness: 'LE', detail: true });
    expect(detailed).toHaveLength(602);
    const tcpOf = (rows: typeof detailed, inode: number) => rows.find((c) => c.inode === inode);
    expect(tcpOf(detailed, 10_001)).toMatchObject({ pid: 4242, owners: [4242, 4243], process: 'proc4242', netns: 4026531840, uid: 0 });
    expect(tcpOf(detailed, 10_003)).toMatchObject({ pid: 17, owners: [17, 4242, 4243], process: 'proc17', uid: 0 });
    expect(tcpOf(detailed, 10_002)).toMatchObject({ pid: null, owners: [], process: null, uid: 1000 });
    expect(tcpOf(detailed, 20_001)).toMatchObject({ pid: 7000, owners: [7000] });
    expect(tcpOf(detailed, 30_001)).toMatchObject({ pid: 5000, owners: [5000, 5001], netns: 4026532999, local_port: 8080 });
    expect(tcpOf(detailed, 30_002)).toMatchObject({ pid: 5001, owners: [5001], netns: 4026532999 });
    expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE', detail: true })).toEqual(detailed);
    // Again, with the worker kept from the collections before.
    expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE', detail: true })).toEqual(detailed);
    expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE' })).toEqual(oneThread);
  });
});
