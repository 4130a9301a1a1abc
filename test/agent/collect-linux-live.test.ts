// Real sockets, real /proc: open them here, then find them in what the collector reads.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { platform } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectLinuxConnections } from '../../src/agent/collect-linux.js';
import { netstatRows } from '../../src/index.js';

const listen = (host: string): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
const bind = (type: 'udp4' | 'udp6', host: string): Promise<UdpSocket> =>
  new Promise((resolve, reject) => {
    const socket = createSocket(type).once('error', reject);
    socket.bind(0, host, () => resolve(socket));
  });
const portOf = (s: Server | UdpSocket): number => (s.address() as { port: number }).port;

describe.runIf(platform() === 'linux')('collectLinuxConnections on this host', () => {
  let tcp4: Server;
  let tcp6: Server;
  let udp: UdpSocket;
  let udpConnected: UdpSocket;

  beforeAll(async () => {
    tcp4 = await listen('127.0.0.1');
    tcp6 = await listen('::1');
    udp = await bind('udp4', '127.0.0.1');
    udpConnected = await bind('udp4', '127.0.0.1');
    await new Promise<void>((resolve) => udpConnected.connect(portOf(udp), '127.0.0.1', resolve));
  });
  afterAll(() => {
    tcp4.close();
    tcp6.close();
    udp.close();
    udpConnected.close();
  });

  it('finds our listening TCP sockets on 127.0.0.1 and ::1 and our UDP sockets, with our pid', () => {
    const connections = collectLinuxConnections();
    const find = (protocol: string, port: number) => connections.find((c) => c.protocol === protocol && c.local_port === port);
    expect(find('tcp', portOf(tcp4))).toEqual({
      pid: process.pid,
      protocol: 'tcp',
      local_ip: '127.0.0.1',
      local_port: portOf(tcp4),
      remote_ip: '0.0.0.0',
      remote_port: 0,
      state: 'LISTEN',
    });
    expect(find('tcp6', portOf(tcp6))).toEqual({
      pid: process.pid,
      protocol: 'tcp6',
      local_ip: '::1',
      local_port: portOf(tcp6),
      remote_ip: '::',
      remote_port: 0,
      state: 'LISTEN',
    });
    expect(find('udp', portOf(udp))).toEqual({
      pid: process.pid,
      protocol: 'udp',
      local_ip: '127.0.0.1',
      local_port: portOf(udp),
      remote_ip: '0.0.0.0',
      remote_port: 0,
      state: 'NONE',
    });
    expect(find('udp', portOf(udpConnected))).toMatchObject({
      pid: process.pid,
      remote_ip: '127.0.0.1',
      remote_port: portOf(udp),
      state: 'ESTABLISHED',
    });
  });

  it('collects a valid netstat answer', () => {
    const connections = collectLinuxConnections();
    expect(netstatRows('this-host', connections)).toHaveLength(connections.length);
  });
});
