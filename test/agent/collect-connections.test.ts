// collectConnections on Linux: one thread or two (a one-shot process below ONE_SHOT_PARALLEL_FROM sockets takes
// one), the same records; and the socket count that decides it.
import { createServer, type Server } from 'node:net';
import { platform } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectConnections, ONE_SHOT_PARALLEL_FROM, socketCount } from '../../src/agent/collect-connections.js';

describe('socketCount', () => {
  it('adds the TCP and UDP sockets in use and TCP TIME_WAIT of sockstat and sockstat6', () => {
    const sockstat = [
      'sockets: used 27',
      'TCP: inuse 12 orphan 0 tw 9898 alloc 14 mem 3',
      'UDP: inuse 5 mem 1',
      'UDPLITE: inuse 0',
      'RAW: inuse 7',
      'FRAG: inuse 0 memory 0',
      'TCP6: inuse 3',
      'UDP6: inuse 2',
      'UDPLITE6: inuse 0',
      'RAW6: inuse 1',
      '',
    ].join('\n');
    expect(socketCount(sockstat)).toBe(12 + 9_898 + 5 + 3 + 2);
    expect(socketCount('')).toBe(0);
  });

  it('is a threshold above the connected agent’s', () => {
    expect(ONE_SHOT_PARALLEL_FROM).toBeGreaterThan(5_000);
  });
});

describe.runIf(platform() === 'linux')('collectConnections', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    server.close();
  });

  it.each([[{}], [{ oneShot: true }]])("finds this process's listening socket with its pid (%j)", async (options) => {
    const port = (server.address() as { port: number }).port;
    const { connections, rejected } = await collectConnections(options);
    expect(rejected).toEqual([]);
    expect(connections).toContainEqual({
      pid: process.pid,
      protocol: 'tcp',
      local_ip: '127.0.0.1',
      local_port: port,
      remote_ip: '0.0.0.0',
      remote_port: 0,
      state: 'LISTEN',
    });
  });
});
