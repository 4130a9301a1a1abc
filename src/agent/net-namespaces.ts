import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A network namespace of this host and the processes in it. */
export interface NetNamespace {
  /** Its inode, as `readlink /proc/PID/ns/net` names it (`net:[INODE]`). */
  readonly inode: number;
  /** The processes in it seen by the walk, ascending: any of them shows its sockets in /proc/PID/net/*. */
  readonly pids: readonly number[];
}

/** The network namespaces of this host, as {@link netNamespaces} finds them. */
export interface NetNamespaces {
  /** This process's namespace (the one /proc/net shows), or null when /proc/self/ns/net cannot be read. */
  readonly own: number | null;
  /** Every other namespace a process we may look into is in, each once, in the order of its lowest pid. */
  readonly others: readonly NetNamespace[];
}

/**
 * The inode of the network namespace of `pid` (or `"self"`), or null when it cannot be read: the process is
 * gone, or is another user's and we lack the privilege (reading the link needs ptrace access).
 */
export function netNamespaceOf(procRoot: string, pid: number | 'self'): number | null {
  let link: string;
  try {
    link = readlinkSync(`${procRoot}/${pid}/ns/net`);
  } catch {
    return null;
  }
  if (!link.startsWith(NET_PREFIX) || !link.endsWith(']')) return null;
  const inode = Number(link.slice(NET_PREFIX.length, -1));
  return Number.isSafeInteger(inode) && inode > 0 ? inode : null;
}

/**
 * Every network namespace of the host a process is in (containers, `ip netns`, `unshare -n`), found through
 * the links /proc/PID/ns/net: one readlink a process. Processes we may not look into, or that exit
 * meanwhile, are skipped. When this process's own namespace is unknown, no other is listed (there would be no
 * telling its sockets from those of /proc/net). A namespace no process is in (held only by a bind mount, as
 * `ip netns add` leaves it) is not found.
 *
 * @param procRoot - where /proc is mounted. @default "/proc"
 */
export function netNamespaces(procRoot = '/proc'): NetNamespaces {
  const own = netNamespaceOf(procRoot, 'self');
  if (own === null) return { own, others: [] };
  const byInode = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const inode = netNamespaceOf(procRoot, pid);
    if (inode === null || inode === own) continue;
    const pids = byInode.get(inode);
    if (pids === undefined) byInode.set(inode, [pid]);
    else pids.push(pid);
  }
  return { own, others: [...byInode].map(([inode, pids]) => ({ inode, pids: pids.sort((a, b) => a - b) })) };
}

/** The sockets files of a namespace, read through one of its processes. */
export interface NamespaceFiles {
  /** The namespace. */
  readonly netns: number;
  /** The process through which they were read. */
  readonly holder: number;
  /** Each file's text, in the order of the names asked for; undefined for a file that does not exist there. */
  readonly texts: (string | undefined)[];
}

/**
 * Reads /proc/PID/net/<file> of each of `files` through the first process of `namespace` that is still in it
 * afterwards (its link is read again once the files are: a process that exited, or whose pid was taken by
 * another process meanwhile, does not count). `first`, when given, is the texts already read through
 * `namespace.pids[0]` (by a worker thread), checked the same way. Undefined when no process of the namespace
 * could be read (all exited).
 */
export function readNamespaceFiles(
  procRoot: string,
  namespace: NetNamespace,
  files: readonly string[],
  first?: readonly (string | undefined)[],
): NamespaceFiles | undefined {
  for (const [i, pid] of namespace.pids.entries()) {
    const texts = i === 0 && first !== undefined ? [...first] : files.map((file) => readText(`${procRoot}/${pid}/net/${file}`));
    if (netNamespaceOf(procRoot, pid) === namespace.inode) return { netns: namespace.inode, holder: pid, texts };
  }
  return undefined;
}

const NET_PREFIX = 'net:[';

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
