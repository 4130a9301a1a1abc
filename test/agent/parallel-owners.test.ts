// The two-thread fd walk (src/agent/parallel-owners.ts) must give what socketOwners gives: on a made-up /proc
// tree, whichever thread walks, however processes are cut into parts; and on this host's /proc for sockets
// this test holds.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnerWalker, parallelSocketOwners } from '../../src/agent/parallel-owners.js';
import { socketOwners } from '../../src/agent/socket-owners.js';

/** The owners a tree's links describe: each `socket:[INODE]` to the lowest pid holding it. */
function lowestOwners(processes: Record<string, readonly string[]>): Map<number, number> {
  const owners = new Map<number, number>();
  for (const [pid, targets] of Object.entries(processes))
    for (const target of targets) {
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && !(owners.get(Number(inode))! <= Number(pid))) owners.set(Number(inode), Number(pid));
    }
  return owners;
}

/** A /proc tree: PID → fd links (targets as readlink gives them). */
function procTree(processes: Record<string, readonly string[]>): string {
  const root = mkdtempSync(join(tmpdir(), 'parallel-owners-'));
  mkdirSync(join(root, 'self'));
  for (const [pid, targets] of Object.entries(processes)) {
    mkdirSync(join(root, pid, 'fd'), { recursive: true });
    targets.forEach((target, fd) => symlinkSync(target, join(root, pid, 'fd', String(fd))));
  }
  return root;
}

describe('OwnerWalker', () => {
  const many = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? '/dev/null' : `socket:[${5_000 + i}]`));
  const processes = {
    '1': ['/dev/null', 'socket:[100]', 'pipe:[7]'],
    '2': ['socket:[101]', 'socket:[100]', 'socket:[abc]', 'socket:[102'],
    '10': ['socket:[101]', 'socket:[103]', 'anon_inode:[eventfd]'],
    '7': many,
    '42': [...many.slice(0, 150), 'socket:[104]'],
    '3': [],
  };
  let root: string;
  beforeAll(() => {
    root = procTree(processes);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['both threads', { threads: 'both' as const }],
    ['this thread only', { threads: 'main' as const }],
    ['the worker only', { threads: 'worker' as const }],
    ['both threads, every process cut into parts of 1 fd', { threads: 'both' as const, splitFrom: 1 }],
    ['the worker only, cut into parts', { threads: 'worker' as const, splitFrom: 1 }],
  ])('maps every socket to the lowest pid holding it, with %s', async (_, options) => {
    const expected = lowestOwners(processes);
    expect(expected.size).toBe(4 + 200);
    expect(expected.get(100)).toBe(1);
    expect(expected.get(101)).toBe(2);
    expect(expected.get(5_001)).toBe(7);
    // socketOwners finds the same sockets (it keeps the first pid in readdir order: ascending on a real /proc).
    expect([...socketOwners(root).keys()].sort()).toEqual([...expected.keys()].sort());
    const walker = new OwnerWalker({ procRoot: root, ...options });
    try {
      expect(await walker.walk()).toEqual(expected);
      // Again, with the worker it kept.
      expect(await walker.walk()).toEqual(expected);
    } finally {
      await walker.close();
    }
  });

  it.each(['both', 'main', 'worker'] as const)('reads the files asked for besides (walkAndRead), threads: %s', async (threads) => {
    mkdirSync(join(root, 'net'), { recursive: true });
    writeFileSync(join(root, 'net', 'tcp'), '  sl  local_address\n   0: 0100007F:1F90 éé\n');
    writeFileSync(join(root, 'net', 'udp'), '');
    const walker = new OwnerWalker({ procRoot: root, threads });
    try {
      const { owners, texts } = await walker.walkAndRead(['tcp', 'missing', 'udp'].map((file) => join(root, 'net', file)));
      expect(owners).toEqual(lowestOwners(processes));
      expect(texts).toEqual(['  sl  local_address\n   0: 0100007F:1F90 éé\n', undefined, '']);
    } finally {
      await walker.close();
    }
  });

  it('gives an empty map for a /proc that cannot be read', async () => {
    expect(await parallelSocketOwners({ procRoot: join(root, 'missing') })).toEqual(new Map());
  });
});

describe.runIf(platform() === 'linux')("OwnerWalker on this host's /proc", () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((server) => server.close()));

  it("finds this process's listening sockets, as socketOwners does", async () => {
    for (let i = 0; i < 3; i++) {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
    }
    const ours = (owners: Map<number, number>) => [...owners].filter(([, pid]) => pid === process.pid).map(([inode]) => inode);
    const expected = ours(socketOwners()).sort();
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(ours(await parallelSocketOwners({ threads: 'worker' })).sort()).toEqual(expected);
    expect(ours(await parallelSocketOwners()).sort()).toEqual(expected);
  });
});
