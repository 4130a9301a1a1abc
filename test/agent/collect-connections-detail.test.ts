// collectConnections({ detail }) passes detail on to the Linux collector, and elsewhere asks normalizeSiConnection
// for what systeminformation can fill (the platform and both collectors mocked: this is about the plumbing).
import type * as os from 'node:os';
import { describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({ platform: 'linux', linuxOptions: [] as unknown[] }));
vi.mock('node:os', async (original) => ({ ...(await original<typeof os>()), platform: () => state.platform }));
vi.mock('../../src/agent/collect-linux.js', () => ({
  collectLinuxConnectionsInParallel: (options: unknown) => {
    state.linuxOptions.push(options);
    return Promise.resolve([]);
  },
}));
vi.mock('systeminformation', () => ({
  networkConnections: () =>
    Promise.resolve([
      {
        protocol: 'tcp',
        localAddress: '127.0.0.1',
        localPort: '80',
        peerAddress: '0.0.0.0',
        peerPort: '0',
        state: 'LISTEN',
        pid: 7,
        process: 'httpd',
      },
    ]),
}));

const { collectConnections } = await import('../../src/agent/collect-connections.js');

describe('collectConnections', () => {
  it('on Linux hands detail to the collector (false unless asked)', async () => {
    state.platform = 'linux';
    await collectConnections();
    await collectConnections({ detail: true });
    expect(state.linuxOptions).toEqual([{ detail: false }, { detail: true }]);
  });

  it('elsewhere adds what systeminformation knows only with detail', async () => {
    state.platform = 'darwin';
    const plain = await collectConnections();
    expect(plain.connections[0]).not.toHaveProperty('process');
    const detailed = await collectConnections({ detail: true });
    expect(detailed.connections[0]).toMatchObject({
      pid: 7,
      process: 'httpd',
      owners: [7],
      uid: null,
      inode: null,
      netns: null,
      container: null,
    });
  });
});
