import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { PROTOCOLS, type WireConnection } from '../commands/netstat-vocabulary.js';
import { containerIdOfProcess } from './container-id.js';
import { netNamespaces, readNamespaceFiles, type NamespaceFiles, type NetNamespaces } from './net-namespaces.js';
import { OwnerWalker, type OwnerTableAndFiles, type OwnersAndFiles } from './parallel-owners.js';
import { procNetConnections, procNetSockets, type Endianness, type ProcNetSocket } from './proc-net-parser.js';
import { NETSTAT_OWNERS_LIMIT } from '../runtime/input-limits.js';
import { allSocketOwners, socketOwners, threadSocketOwners, type SocketOwnerTable } from './socket-owners.js';

/** /proc/net has a file of each protocol's name. */
const FILES = PROTOCOLS;

/** Where /proc is, the byte order its files are written in, and how much to say of each socket. */
export interface LinuxCollectOptions {
  /** @default "/proc" */
  readonly procRoot?: string;
  /** @default os.endianness() */
  readonly endianness?: Endianness;
  /**
   * Each connection with its {@link DetailedConnection} fields (process name, every owner, uid, inode,
   * network namespace, container), and the sockets of the host's other network namespaces as well.
   * @default false
   */
  readonly detail?: boolean;
}

/** {@link LinuxCollectOptions} and when to take a second thread. */
export interface ParallelCollectOptions extends LinuxCollectOptions {
  /**
   * From how many sockets (as /proc/net/sockstat{,6} count them) the worker thread is taken: below, this is
   * {@link collectLinuxConnections}. Tests set 0 to take it on a quiet host. @default {@link PARALLEL_FROM}
   */
  readonly parallelFrom?: number;
}

/**
 * A connection as collected with `detail`: the {@link WireConnection} fields, then who holds it and where.
 */
export type DetailedConnection = WireConnection & {
  /** The name (/proc/PID/comm, as `ss` shows it) of the lowest owner, `pid`; null when no owner is seen. */
  readonly process: string | null;
  /** Every pid whose fd table holds the socket, ascending, without repeats (empty when none is seen). */
  readonly owners: number[];
  /** The socket's uid, the uid column of /proc/net/* (known even when the owner is hidden). */
  readonly uid: number | null;
  /** The socket's inode, the inode column of /proc/net/*; null for inode 0 (request sockets, TIME_WAIT). */
  readonly inode: number | null;
  /** The inode of the network namespace the socket lives in (`readlink /proc/PID/ns/net` → `net:[N]`). */
  readonly netns: number | null;
  /**
   * The container id (docker, containerd/CRI, CRI-O, podman) the cgroup of the owner names, else that of a
   * process of the socket's (other) network namespace; null when neither names one.
   */
  readonly container: string | null;
};

/**
 * This host's sockets from /proc/net/{tcp,tcp6,udp,udp6}, with their owning pids (null when the owner cannot
 * be seen: another user's process without privileges, or inode 0 as for request sockets). Unconnected UDP
 * sockets are included (state NONE). A protocol whose file is missing (IPv6 disabled) contributes nothing.
 * A socket held only in a thread's own fd table (see `threadSocketOwners`) gets its process as pid too.
 *
 * With `detail`, each connection carries the {@link DetailedConnection} fields, and the sockets of every
 * other network namespace a process of this host is in (containers) are listed too, read through
 * /proc/PID/net/* of one process of each.
 */
export function collectLinuxConnections(options: LinuxCollectOptions & { readonly detail: true }): DetailedConnection[];
export function collectLinuxConnections(options?: LinuxCollectOptions): WireConnection[];
export function collectLinuxConnections(options: LinuxCollectOptions = {}): WireConnection[] {
  const procRoot = options.procRoot ?? '/proc';
  const order = options.endianness ?? endianness();
  if (options.detail === true) {
    const namespaces = netNamespaces(procRoot);
    const table = allSocketOwners(procRoot);
    const own = FILES.map((protocol) => readText(join(procRoot, 'net', protocol)));
    return detailedConnectionsOf(procRoot, namespaces.own, own, otherNamespaceFiles(procRoot, namespaces), table, order);
  }
  // The owners first, as ss does, so that each line becomes its connection in one step. (Either order races
  // with sockets opened or closed in between: a socket seen without its owner gets pid null.)
  const owners = socketOwners(procRoot);
  return connectionsOf(
    procRoot,
    FILES.map((protocol) => readText(join(procRoot, 'net', protocol))),
    owners,
    order,
  );
}

/**
 * {@link collectLinuxConnections} on two cores, for the agent: this thread and a worker thread walk the fd links
 * of every process side by side (parallel-owners.ts's {@link OwnerWalker}: processes taken from one shared
 * counter, the biggest first), the worker after it has read /proc/net/* (and, with `detail`, the other network
 * namespaces' files, through the first process of each; a namespace whose process has left it by then is read
 * again here, through the next). The text comes back as bytes (a copy of 6 MB at 40,000 sockets, about 2 ms)
 * and is parsed here, as are the (inode, pid) pairs the worker found. Sockets the walk left without an owner
 * are looked for in the threads' own fd tables here, as {@link collectLinuxConnections} does. The result is
 * the same as {@link collectLinuxConnections}'s for the same host state.
 *
 * The worker is started once per process and kept for the next collections (a connected agent's); it is
 * unref'd between walks, so it never holds the process open. If it cannot start or fails, this collection
 * and every later one are {@link collectLinuxConnections}'s (one thread).
 *
 * A worker takes 25–30 ms to start, which only pays from a few thousand sockets: below
 * {@link PARALLEL_FROM} (as /proc/net/sockstat counts them, a read of well under a millisecond) this is
 * {@link collectLinuxConnections}.
 */
export async function collectLinuxConnectionsInParallel(
  options: ParallelCollectOptions & { readonly detail: true },
): Promise<DetailedConnection[]>;
export async function collectLinuxConnectionsInParallel(options?: ParallelCollectOptions): Promise<WireConnection[]>;
export async function collectLinuxConnectionsInParallel(options: ParallelCollectOptions = {}): Promise<WireConnection[]> {
  const procRoot = options.procRoot ?? '/proc';
  const parallelFrom = options.parallelFrom ?? PARALLEL_FROM;
  if (parallelFrom > 0 && socketCount(procRoot) < parallelFrom) return collectLinuxConnections(options);
  const walker = ownerWalker(procRoot);
  if (walker.failed) return collectLinuxConnections(options);
  const order = options.endianness ?? endianness();
  const paths = FILES.map((protocol) => join(procRoot, 'net', protocol));
  if (options.detail !== true) {
    let walked: OwnersAndFiles;
    try {
      walked = await walker.walkAndRead(paths);
    } catch {
      return collectLinuxConnections(options);
    }
    // The walker finished the walk itself if its worker failed meanwhile: the same owners. Later
    // collections take the path above.
    return connectionsOf(procRoot, walked.texts, walked.owners, order);
  }
  const namespaces = netNamespaces(procRoot);
  for (const namespace of namespaces.others) paths.push(...FILES.map((protocol) => `${procRoot}/${namespace.pids[0]}/net/${protocol}`));
  let walked: OwnerTableAndFiles;
  try {
    walked = await walker.walkAllAndRead(paths);
  } catch {
    return collectLinuxConnections(options);
  }
  const { table, texts } = walked;
  const others = otherNamespaceFiles(procRoot, namespaces, (i) => texts.slice(FILES.length * (i + 1), FILES.length * (i + 2)));
  return detailedConnectionsOf(procRoot, namespaces.own, texts.slice(0, FILES.length), others, table, order);
}

/** The walker of {@link collectLinuxConnectionsInParallel}: one per process (and /proc root). */
let sharedWalker: OwnerWalker | undefined;

/**
 * This process's {@link OwnerWalker} for `procRoot`; a walker of another root (a test's made-up /proc) is
 * closed and replaced.
 */
function ownerWalker(procRoot: string): OwnerWalker {
  if (sharedWalker?.procRoot !== procRoot) {
    void sharedWalker?.close().catch(() => undefined);
    sharedWalker = new OwnerWalker({ procRoot });
  }
  return sharedWalker;
}

/**
 * Stops the worker of {@link collectLinuxConnectionsInParallel}, if one runs (a test's clean-up; a process
 * need not: the worker never holds it open). The next parallel collection starts a new one.
 */
export async function closeParallelCollector(): Promise<void> {
  const closing = sharedWalker;
  sharedWalker = undefined;
  await closing?.close();
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

/**
 * The connections of the /proc/net texts, in the order of {@link FILES}. Sockets with an inode `owners` does
 * not know are looked for in the threads' own fd tables (nothing to do, and no cost, when there are none).
 */
function connectionsOf(
  procRoot: string,
  texts: readonly (string | undefined)[],
  owners: Map<number, number>,
  order: Endianness,
): WireConnection[] {
  let connections: WireConnection[] = [];
  const unowned = new Map<number, WireConnection>();
  const miss = (inode: number, connection: WireConnection): void => void unowned.set(inode, connection);
  FILES.forEach((protocol, i) => {
    const text = texts[i];
    if (text !== undefined) for (const connection of procNetConnections(text, protocol, order, owners, miss)) connections.push(connection);
  });
  if (unowned.size > 0 && threadSocketOwners(procRoot, new Set(unowned.keys()), owners) > 0) {
    const found = new Map<WireConnection, number>();
    for (const [inode, connection] of unowned) {
      const pid = owners.get(inode);
      if (pid !== undefined) found.set(connection, pid);
    }
    connections = connections.map((c) => {
      const pid = found.get(c);
      return pid === undefined ? c : { ...c, pid };
    });
  }
  return connections;
}

/** The /proc/net texts of one network namespace. */
interface NamespaceTexts {
  readonly netns: number | null;
  /** The process they were read through; null for this process's own namespace (/proc/net). */
  readonly holder: number | null;
  readonly texts: readonly (string | undefined)[];
}

/**
 * The files of each namespace of `namespaces.others`, read through one of its processes (`preread(i)`: what a
 * worker read already through the first process of the i-th). A namespace whose processes all exited is left
 * out.
 */
function otherNamespaceFiles(
  procRoot: string,
  namespaces: NetNamespaces,
  preread: (i: number) => readonly (string | undefined)[] | undefined = () => undefined,
): NamespaceFiles[] {
  const files: NamespaceFiles[] = [];
  namespaces.others.forEach((namespace, i) => {
    const read = readNamespaceFiles(procRoot, namespace, FILES, preread(i));
    if (read !== undefined) files.push(read);
  });
  return files;
}

/**
 * The detailed connections of this process's namespace (`own`, the /proc/net texts) and of the others, with
 * every owner of `table` (completed from the threads' own fd tables), and the name and container of the
 * processes that own at least one socket, each read once.
 */
function detailedConnectionsOf(
  procRoot: string,
  ownNetns: number | null,
  own: readonly (string | undefined)[],
  others: readonly NamespaceTexts[],
  table: SocketOwnerTable,
  order: Endianness,
): DetailedConnection[] {
  const namespaces: NamespaceTexts[] = [{ netns: ownNetns, holder: null, texts: own }, ...others];
  const sockets = namespaces.map(({ texts }) => {
    const parsed: ProcNetSocket[] = [];
    FILES.forEach((protocol, i) => {
      const text = texts[i];
      if (text !== undefined) for (const socket of procNetSockets(text, protocol, order)) parsed.push(socket);
    });
    return parsed;
  });
  const unowned = new Set<number>();
  for (const parsed of sockets) for (const { inode } of parsed) if (inode !== 0 && !table.pidOf.has(inode)) unowned.add(inode);
  threadSocketOwners(procRoot, unowned, table.pidOf);

  const names = new Map<number, string | null>();
  const nameOf = (pid: number): string | null => {
    let name = names.get(pid);
    if (name === undefined) names.set(pid, (name = processName(procRoot, pid)));
    return name;
  };
  const containers = new Map<number, string | null>();
  const containerOf = (pid: number): string | null => {
    let id = containers.get(pid);
    if (id === undefined) containers.set(pid, (id = containerIdOfProcess(procRoot, pid)));
    return id;
  };
  const connections: DetailedConnection[] = [];
  namespaces.forEach(({ netns, holder }, n) => {
    for (const socket of sockets[n] ?? []) {
      const pid = socket.inode === 0 ? null : (table.pidOf.get(socket.inode) ?? null);
      connections.push({
        pid,
        protocol: socket.protocol,
        local_ip: socket.local_ip,
        local_port: socket.local_port,
        remote_ip: socket.remote_ip,
        remote_port: socket.remote_port,
        state: socket.state,
        process: pid === null ? null : nameOf(pid),
        // At most NETSTAT_OWNERS_LIMIT (the lowest), or the whole answer would be refused as malformed.
        owners: pid === null ? [] : (table.sharedBy.get(socket.inode)?.slice(0, NETSTAT_OWNERS_LIMIT) ?? [pid]),
        uid: socket.uid,
        inode: socket.inode === 0 ? null : socket.inode,
        netns,
        container: (pid === null ? null : containerOf(pid)) ?? (holder === null ? null : containerOf(holder)),
      });
    }
  });
  return connections;
}

/** /proc/PID/comm without its newline (the name `ss` shows), or null when the process is gone. */
function processName(procRoot: string, pid: number): string | null {
  const comm = readText(`${procRoot}/${pid}/comm`);
  return comm === undefined ? null : comm.endsWith('\n') ? comm.slice(0, -1) : comm;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
