// The parallel collector's worker (parallel-owners.ts's OwnerWalker, kept by collect-linux.ts) when it works,
// and when it cannot start, throws mid-walk or exits without an answer: the collection is then the single-thread
// one, and so is every later one; no rejection goes unhandled. node:worker_threads is mocked to count the
// workers started and to make them fail on demand (the real Worker otherwise). Also: neither the worker nor
// the walker's keeps a process alive (a child process, the sources bundled by esbuild).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeParallelCollector, collectLinuxConnections, collectLinuxConnectionsInParallel } from '../../src/agent/collect-linux.js';
import { OwnerWalker } from '../../src/agent/parallel-owners.js';
import { allSocketOwners } from '../../src/agent/socket-owners.js';

type Mode = 'real' | 'cannot start' | 'throws' | 'exits';
const workers = vi.hoisted((): { mode: Mode; started: number } => ({ mode: 'real', started: 0 }));

vi.mock('node:worker_threads', async (importOriginal) => {
  const actual: typeof WorkerThreads = await importOriginal();
  class CountedWorker extends actual.Worker {
    constructor(source: string, options?: WorkerOptions) {
      workers.started++;
      if (workers.mode === 'cannot start') throw new Error('forced: no worker threads here');
      const failing =
        workers.mode === 'throws'
          ? "require('node:worker_threads').parentPort.on('message', () => { throw new Error('forced: the walk failed'); });"
          : workers.mode === 'exits'
            ? "require('node:worker_threads').parentPort.on('message', () => process.exit(3));"
            : undefined;
      super(failing ?? source, options);
    }
  }
  return { ...actual, Worker: CountedWorker, default: { ...actual, Worker: CountedWorker } };
});

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const line = (local: string, remote: string, state: string, inode: number): string =>
  `   0: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0`;

/** A /proc tree of 400 sockets that sockstat says are thousands (so the worker is taken), in two namespaces. */
function procTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'proc-parallel-'));
  const at = (...parts: string[]): string => join(root, ...parts);
  const links = (dir: string, targets: readonly string[]): void => {
    mkdirSync(dir, { recursive: true });
    targets.forEach((target, fd) => symlinkSync(target, join(dir, String(fd))));
  };
  mkdirSync(at('net'));
  const tcp = [HEADER];
  for (let i = 1; i <= 400; i++)
    tcp.push(line(`0100007F:${(1000 + i).toString(16).toUpperCase().padStart(4, '0')}`, '0100007F:D431', '01', 10_000 + i));
  writeFileSync(at('net', 'tcp'), tcp.join('\n'));
  writeFileSync(at('net', 'sockstat'), 'TCP: inuse 9000 orphan 0 tw 0 alloc 9000 mem 1\n');
  mkdirSync(at('self', 'ns'), { recursive: true });
  symlinkSync('net:[1]', at('self', 'ns', 'net'));
  for (const [pid, netns] of [
    ['100', 1],
    ['101', 1],
    ['300', 2],
  ] as const) {
    mkdirSync(at(pid, 'ns'), { recursive: true });
    symlinkSync(`net:[${netns}]`, at(pid, 'ns', 'net'));
  }
  links(
    at('100', 'fd'),
    Array.from({ length: 200 }, (_, i) => `socket:[${10_001 + i}]`),
  );
  links(
    at('101', 'fd'),
    Array.from({ length: 300 }, (_, i) => `socket:[${10_101 + i}]`),
  );
  mkdirSync(at('300', 'net'));
  writeFileSync(at('300', 'net', 'tcp'), [HEADER, line('0100007F:1F90', '00000000:0000', '0A', 30_001)].join('\n'));
  links(at('300', 'fd'), ['socket:[30001]']);
  return root;
}

let root: string;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => {
  root = procTree();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  await closeParallelCollector();
  process.off('unhandledRejection', onUnhandled);
  rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  await closeParallelCollector();
  workers.mode = 'real';
  workers.started = 0;
});
afterEach(async () => {
  // A rejection left unhandled would show up by the next turns of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(unhandled).toEqual([]);
});

describe('collectLinuxConnectionsInParallel and its worker', () => {
  it('takes one worker for every collection, and gives what the single-thread collector gives', async () => {
    const plain = collectLinuxConnections({ procRoot: root, endianness: 'LE' });
    const detailed = collectLinuxConnections({ procRoot: root, endianness: 'LE', detail: true });
    expect(plain).toHaveLength(400);
    expect(detailed.filter((c) => c.owners.length === 2)).toHaveLength(100);
    expect(detailed.find((c) => c.inode === 30_001)).toMatchObject({ pid: 300, netns: 2 });
    for (let i = 0; i < 3; i++) {
      expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE' })).toEqual(plain);
      expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE', detail: true })).toEqual(detailed);
    }
    expect(workers.started).toBe(1);
  });

  it('takes no worker below its threshold', async () => {
    const plain = collectLinuxConnections({ procRoot: root, endianness: 'LE' });
    expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE', parallelFrom: 10_000 })).toEqual(plain);
    expect(workers.started).toBe(0);
  });

  it.each(['cannot start', 'throws', 'exits'] as const)(
    'falls back to the single-thread collector when the worker %s, and stays there',
    async (mode) => {
      workers.mode = mode;
      const plain = collectLinuxConnections({ procRoot: root, endianness: 'LE' });
      const detailed = collectLinuxConnections({ procRoot: root, endianness: 'LE', detail: true });
      expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE', detail: true })).toEqual(detailed);
      expect(workers.started).toBe(1);
      // The later collections do not try again.
      expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE' })).toEqual(plain);
      expect(await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE', detail: true })).toEqual(detailed);
      expect(workers.started).toBe(1);
    },
  );
});

describe('OwnerWalker when its worker fails', () => {
  it.each(['cannot start', 'throws', 'exits'] as const)('walks here what the worker took, when it %s', async (mode) => {
    workers.mode = mode;
    const walker = new OwnerWalker({ procRoot: root, threads: 'worker' });
    try {
      const { table, texts } = await walker.walkAllAndRead([join(root, 'net', 'tcp'), join(root, 'net', 'udp')]);
      expect(walker.failed).toBe(true);
      expect(table).toEqual(allSocketOwners(root));
      expect(texts[0]).toContain('0100007F:03E9');
      expect(texts[1]).toBeUndefined();
    } finally {
      await walker.close();
    }
  });
});

describe('the worker keeps no process alive', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parallel-exit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a process that collected in parallel (worker kept, never closed) ends by itself', async () => {
    const { build } = await import('esbuild');
    const entry = join(dir, 'entry.ts');
    const source = join(import.meta.dirname, '../../src/agent/collect-linux.ts');
    writeFileSync(
      entry,
      [
        `import { collectLinuxConnectionsInParallel } from ${JSON.stringify(source)};`,
        `const root = ${JSON.stringify(root)};`,
        "const plain = await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE' });",
        "const detailed = await collectLinuxConnectionsInParallel({ procRoot: root, endianness: 'LE', detail: true });",
        'const mine = await collectLinuxConnectionsInParallel({ parallelFrom: 0 });',
        'console.log(JSON.stringify([plain.length, detailed.length, mine.length > 0]));',
      ].join('\n'),
    );
    const bundle = join(dir, 'collect.mjs');
    await build({ entryPoints: [entry], outfile: bundle, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent' });
    const started = Date.now();
    const child = spawnSync(process.execPath, [bundle], { encoding: 'utf8', timeout: 15_000 });
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual([400, 401, true]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
