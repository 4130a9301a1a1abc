// The main job on its embedded default: no --scenario, so sentry-query starts a connector on loopback and
// this host's own agent over a real WebSocket, and shows this host's real sockets (Linux /proc here).
import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { hostname, platform } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
// Every socket of this host is printed: tens of thousands on a busy one (the collection benchmark holds 40,000).
const ALL_OF_A_BUSY_HOST = 256 * 1024 * 1024;
const bin = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

const listen = (host: string): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, host, () => resolve(server));
  });

describe.runIf(platform() === 'linux')('sentry-query "QUERY" without --scenario', () => {
  let tcp4: Server;
  let tcp6: Server;
  let udp: UdpSocket;
  beforeAll(async () => {
    tcp4 = await listen('127.0.0.1');
    tcp6 = await listen('::1');
    udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    tcp4.close();
    tcp6.close();
    udp.close();
  });

  it("lists this host's own sentry and shows its real sockets, with pids, through sentry-netstat", async () => {
    const port = (s: { address(): unknown }): number => (s.address() as { port: number }).port;
    const { stdout } = await run(process.execPath, [bin, '--format', 'jsonl', 'sentry | fields guid | sentry-netstat'], {
      maxBuffer: ALL_OF_A_BUSY_HOST,
    });
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const mine = (protocol: string, p: number) => rows.find((r) => r['protocol'] === protocol && r['local_port'] === p);
    expect(mine('tcp', port(tcp4))).toEqual({
      guid: hostname(),
      pid: process.pid,
      protocol: 'tcp',
      local_ip: '127.0.0.1',
      local_port: port(tcp4),
      remote_ip: '0.0.0.0',
      remote_port: 0,
      state: 'LISTEN',
    });
    expect(mine('tcp6', port(tcp6))).toMatchObject({ pid: process.pid, local_ip: '::1', state: 'LISTEN' });
    expect(mine('udp', port(udp))).toMatchObject({ pid: process.pid, local_ip: '127.0.0.1', state: 'NONE' });
    expect(rows.every((r) => !('_error' in r))).toBe(true);
  });

  it('lists the local sentry as connected', async () => {
    const { stdout } = await run(process.execPath, [bin, '--format', 'jsonl', 'sentry']);
    expect(JSON.parse(stdout.trim())).toMatchObject({ guid: hostname(), connected: true, remote_ip: '127.0.0.1', os: platform() });
  });
});
