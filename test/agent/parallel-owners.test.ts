// The two-thread fd walk (src/agent/parallel-owners.ts) must give what socketOwners gives: on a made-up /proc
// tree, whichever thread walks, however processes are cut into parts; and on this host's /proc for sockets
// this test holds.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lowestOwners as mergeLowest, OwnerWalker, ownerTable, parallelSocketOwners } from '../../src/agent/parallel-owners.js';
import { allSocketOwners, socketOwners } from '../../src/agent/socket-owners.js';

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
    // Holds socket 100 again (after pids 1 and 2) and twice itself; 5,001 as 7 and 42 do.
    '12': ['socket:[100]', 'socket:[5001]', 'socket:[100]'],
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

  it.each([
    ['both threads', { threads: 'both' as const }],
    ['this thread only', { threads: 'main' as const }],
    ['the worker only', { threads: 'worker' as const }],
    ['both threads, every process cut into parts of 1 fd', { threads: 'both' as const, splitFrom: 1 }],
  ])('gives every owner of each socket as allSocketOwners does (walkAllAndRead), with %s', async (_, options) => {
    const expected = allSocketOwners(root);
    // Not vacuous: sockets held by several processes, one of them holding it twice.
    expect(expected.sharedBy.get(100)).toEqual([1, 2, 12]);
    expect(expected.sharedBy.get(101)).toEqual([2, 10]);
    expect(expected.sharedBy.get(5_001)).toEqual([7, 12, 42]);
    expect(expected.sharedBy.has(103)).toBe(false);
    const walker = new OwnerWalker({ procRoot: root, ...options });
    try {
      const first = await walker.walkAllAndRead([join(root, 'missing')]);
      expect(first.table).toEqual(expected);
      expect(first.texts).toEqual([undefined]);
      expect((await walker.walkAllAndRead([])).table).toEqual(expected);
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

describe('the merge of the two threads’ pairs', () => {
  // Flat (inode, pid) lists as the threads give them: this thread's, then the worker's.
  const mine = [100, 30, 200, 7, 100, 30, 300, 9];
  const theirs = Float64Array.from([100, 4, 200, 7, 100, 12, 400, 1, 100, 4]);

  it('maps each socket to its lowest pid, whichever thread found it', () => {
    expect(mergeLowest([mine, theirs])).toEqual(
      new Map([
        [100, 4],
        [200, 7],
        [300, 9],
        [400, 1],
      ]),
    );
    expect(mergeLowest([theirs, mine])).toEqual(mergeLowest([mine, theirs]));
    expect(mergeLowest([[], new Float64Array(0)])).toEqual(new Map());
  });

  it('lists every owner ascending without repeats, and only for sockets of more than one process', () => {
    const table = ownerTable([mine, theirs]);
    expect(table.pidOf).toEqual(mergeLowest([mine, theirs]));
    expect(table.sharedBy).toEqual(new Map([[100, [4, 12, 30]]]));
    // The order the pairs come in changes nothing.
    expect(ownerTable([theirs, mine])).toEqual(table);
    expect(ownerTable([[100, 30, 100, 4, 100, 30, 100, 4]])).toEqual({ pidOf: new Map([[100, 4]]), sharedBy: new Map([[100, [4, 30]]]) });
  });
});
