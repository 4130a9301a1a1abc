import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PROTOCOLS, type WireConnection } from '../commands/netstat-vocabulary.js';
import { procNetConnections, type Endianness } from './proc-net-parser.js';
import { socketOwners } from './socket-owners.js';

/** /proc/net has a file of each protocol's name. */
const FILES = PROTOCOLS;

/** Where /proc is and the byte order its files are written in. */
export interface LinuxCollectOptions {
  /** @default "/proc" */
  readonly procRoot?: string;
  /** @default os.endianness() */
  readonly endianness?: Endianness;
  readonly detail?: boolean;
}

/**
 * This host's sockets from /proc/net/{tcp,tcp6,udp,udp6}, with their owning pids (null when the owner cannot
 * be seen: another user's process without privileges, or inode 0 as for request sockets). Unconnected UDP
 * sockets are included (state NONE). A protocol whose file is missing (IPv6 disabled) contributes nothing.
 */
export function collectLinuxConnections(options: LinuxCollectOptions = {}): WireConnection[] {
  const procRoot = options.procRoot ?? '/proc';
  // The owners first, as ss does, so that each line becomes its connection in one step. (Either order races
  // with sockets opened or closed in between: a socket seen without its owner gets pid null.)
  const owners = socketOwners(procRoot);
  return connectionsOf(
    FILES.map((protocol) => readText(join(procRoot, 'net', protocol))),
    owners,
    options.endianness ?? endianness(),
  );
}

/**
 * {@link collectLinuxConnections} on two cores, for the agent: a worker thread reads /proc/net/* while this
 * thread reads the fd links of every process. Both are kernel work (the kernel writes the /proc/net text as it
 * is read) and they do not contend: at 40,000 sockets, 140 ms and 210 ms one after the other, 220 ms side by
 * side. The text comes back as bytes (a copy of 6 MB, about 2 ms) and is parsed here. If the worker cannot
 * run, the files are read here instead. The result is the same as {@link collectLinuxConnections}'s.
 *
 * A worker takes 25–30 ms to start, which only pays from a few thousand sockets: below
 * {@link PARALLEL_FROM} (as /proc/net/sockstat counts them, a read of well under a millisecond) this is
 * {@link collectLinuxConnections}. (Sharing the fd links between the two threads as well gained nothing:
 * sockets sit in few processes, and a process is the unit of work.)
 */
export async function collectLinuxConnectionsInParallel(options: LinuxCollectOptions = {}): Promise<WireConnection[]> {
  const procRoot = options.procRoot ?? '/proc';
  if (socketCount(procRoot) < PARALLEL_FROM) return collectLinuxConnections(options);
  const paths = FILES.map((protocol) => join(procRoot, 'net', protocol));
  const reading = readInWorker(paths);
  // Handled now, looked at after the fd links: a worker that fails meanwhile must not be an unhandled rejection.
  reading.catch(() => undefined);
  const owners = socketOwners(procRoot);
  let texts: (string | undefined)[];
  try {
    texts = (await reading).map((bytes) =>
      bytes === null ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    );
  } catch {
    texts = paths.map(readText);
  }
  return connectionsOf(texts, owners, options.endianness ?? endianness());
}

/**
 * From about this many sockets a worker thread saves more than its start-up costs. Measured in-process: at
 * 1,000 sockets 27 ms in one thread and 55 in two; at 10,000, 126 ms and 96.
 */
const PARALLEL_FROM = 5_000;

/**
 * How many TCP and UDP sockets /proc/net/sockstat{,6} count (in use, plus TCP's TIME_WAIT), or 0 when they
 * cannot be read (as in a /proc tree made for a test).
 */
function socketCount(procRoot: string): number {
  let count = 0;
  for (const file of ['sockstat', 'sockstat6']) {
    const text = readText(join(procRoot, 'net', file)) ?? '';
    for (const [, inUse, timeWait] of text.matchAll(/^(?:TCP|UDP)6?: inuse (\d+)(?: orphan \d+ tw (\d+))?/gm))
      count += Number(inUse) + Number(timeWait ?? 0);
  }
  return count;
}

function connectionsOf(texts: readonly (string | undefined)[], owners: ReadonlyMap<number, number>, order: Endianness): WireConnection[] {
  const connections: WireConnection[] = [];
  FILES.forEach((protocol, i) => {
    const text = texts[i];
    if (text !== undefined) for (const connection of procNetConnections(text, protocol, order, owners)) connections.push(connection);
  });
  return connections;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The worker, CommonJS from a string so that it needs no file of its own (and runs as well from the sources
 * under vitest): reads each path of `workerData` (null where it cannot), posts the bytes back, and ends.
 */
const READER = `
const { readFileSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
parentPort.postMessage(workerData.map((path) => { try { return readFileSync(path); } catch { return null; } }));
`;

function readInWorker(paths: readonly string[]): Promise<(Uint8Array | null)[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(READER, { eval: true, workerData: paths });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the /proc/net reader exited (${code}) without an answer`)));
  });
}
