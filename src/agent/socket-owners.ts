import { readdirSync, readlinkSync, statSync } from 'node:fs';

/**
 * Maps socket inodes to the pid that holds them, by reading the `socket:[INODE]` links in /proc/[pid]/fd.
 * Processes we may not look into (another user's, without privileges) or that exit while we read are
 * skipped: their sockets get pid null. Synchronous on purpose: thousands of tiny readlinks are several times
 * faster this way than through the promise API, and the agent does nothing else meanwhile.
 *
 * @param procRoot - where /proc is mounted. @default "/proc"
 */
export function socketOwners(procRoot = '/proc'): Map<number, number> {
  return lowestOwners([socketFdPairs(procRoot)]);
}

/**
 * The one walk of every process's fd links: each socket fd as an (inode, pid) pair, flat (inode, pid, inode,
 * pid, …), in /proc's order. {@link socketOwners} and {@link allSocketOwners} merge it; the worker of
 * parallel-owners.ts makes the same pairs for its share of the processes.
 */
function socketFdPairs(procRoot: string): number[] {
  const pairs: number[] = [];
  for (const entry of safeReaddir(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    // Paths by concatenation and the target read without a regular expression: with 40,000 fds this loop is
    // the agent's hottest, and `path.join` plus a regex match per fd cost 25 of its 240 ms.
    const fdDir = `${procRoot}/${entry}/fd/`;
    for (const fd of safeReaddir(fdDir)) {
      const inode = socketInodeOf(fdDir + fd);
      if (inode !== undefined) pairs.push(inode, pid);
    }
  }
  return pairs;
}

/** Every process holding each socket, as {@link allSocketOwners} finds them. */
export interface SocketOwnerTable {
  /** Socket inode → the lowest pid holding it (what {@link socketOwners} maps it to). */
  readonly pidOf: Map<number, number>;
  /**
   * Socket inode → every pid holding it, ascending and without repeats, for the sockets more than one process
   * holds (after a fork, or passed over a unix socket). A socket in `pidOf` and not here has that one owner.
   */
  readonly sharedBy: Map<number, number[]>;
}

/** {@link socketOwners} with every owner of each socket, not only the lowest. */
export function allSocketOwners(procRoot = '/proc'): SocketOwnerTable {
  return ownerTable([socketFdPairs(procRoot)]);
}

/**
 * The (inode, pid) pairs two threads found, each list flat (inode, pid, inode, pid, …), in no useful order: a
 * process cut into parts has pairs in both, and a pid holding a socket twice gives the pair twice.
 */
export type OwnerPairs = readonly ArrayLike<number>[];

/** Socket inode → the lowest pid of `pairs` holding it (what `socketOwners` gives). */
export function lowestOwners(pairs: OwnerPairs): Map<number, number> {
  const owners = new Map<number, number>();
  for (const list of pairs)
    for (let j = 0; j + 1 < list.length; j += 2) {
      const inode = list[j]!;
      const pid = list[j + 1]!;
      const known = owners.get(inode);
      if (known === undefined || pid < known) owners.set(inode, pid);
    }
  return owners;
}

/**
 * Every owner of each socket of `pairs`, in the shape `allSocketOwners` gives: `pidOf` the lowest pid, and
 * `sharedBy` every pid (ascending, without repeats) for the sockets more than one process holds.
 */
export function ownerTable(pairs: OwnerPairs): SocketOwnerTable {
  const pidOf = new Map<number, number>();
  const sharedBy = new Map<number, number[]>();
  for (const list of pairs)
    for (let j = 0; j + 1 < list.length; j += 2) {
      const inode = list[j]!;
      const pid = list[j + 1]!;
      const first = pidOf.get(inode);
      if (first === undefined) pidOf.set(inode, pid);
      else if (first !== pid) {
        const all = sharedBy.get(inode);
        // A pid's fds are mostly walked one after the other: its repeats are mostly caught here, the others
        // below.
        if (all === undefined) sharedBy.set(inode, [first, pid]);
        else if (all[all.length - 1] !== pid) all.push(pid);
      }
    }
  for (const [inode, all] of sharedBy) {
    all.sort((a, b) => a - b);
    let kept = 1;
    for (let i = 1; i < all.length; i++) if (all[i] !== all[kept - 1]) all[kept++] = all[i]!;
    all.length = kept;
    pidOf.set(inode, all[0]!);
  }
  return { pidOf, sharedBy };
}

/**
 * Finds the owners of `unowned` sockets in the fd tables of threads that do not share their process's: a
 * thread that called `unshare(CLONE_FILES)` (or was cloned without CLONE_FILES) holds its fds only in
 * /proc/PID/task/TID/fd, which `ss`, psutil and the walk of /proc/PID/fd all miss. Each socket found is
 * recorded in `pidOf` under the process (PID, the thread group), not the thread, and removed from `unowned`;
 * the walk stops once `unowned` is empty, and is nothing at all when it starts empty (as it does for root on
 * a quiet host: every socket with an inode has an owner in a process's own table).
 *
 * A thread is looked into only when its table can differ from the process's: on Linux 6.2 and later `stat`
 * of an fd directory gives its number of open fds, and a thread whose count equals the process's is taken to
 * share the table (one `stat` per thread instead of one `readlink` per fd per thread: a JVM with 200 threads
 * and 10,000 sockets would otherwise cost two million readlinks). Where the count is not given (size 0),
 * the fd numbers are compared instead. A private table with the very same fd numbers as the process's is
 * missed; so are the further owners of a socket found here (the first process found is recorded).
 *
 * @returns how many sockets were found.
 */
export function threadSocketOwners(procRoot: string, unowned: Set<number>, pidOf: Map<number, number>): number {
  let found = 0;
  if (unowned.size === 0) return found;
  for (const entry of safeReaddir(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    const processDir = `${procRoot}/${entry}`;
    // Gone, or another user's that we may not look into (its threads' tables neither): one failed stat.
    const mainCount = fdCount(`${processDir}/fd`);
    if (mainCount === undefined) continue;
    const tasks = safeReaddir(`${processDir}/task`);
    if (tasks.length < 2) continue;
    const pid = Number(entry);
    // A thread with the fd count of this reference is taken to share the process's table. (The process's own
    // is empty when the leader has exited and the other threads live on: then the first thread walked is the
    // reference.)
    let reference = mainCount > 0 ? mainCount : undefined;
    let mainFds: Set<string> | undefined;
    for (const tid of tasks) {
      if (tid === entry) continue;
      const fdDir = `${processDir}/task/${tid}/fd/`;
      const count = fdCount(fdDir);
      if (count === undefined) continue;
      let fds: string[] | undefined;
      if (count > 0) {
        if (count === reference) continue;
        // The process's table may have changed since (a busy server opens and closes fds all the time): a
        // thread whose count is the process's again now shares it, and is not walked (as every thread after
        // it would be, each a readlink per fd).
        if (mainCount > 0 && fdCount(`${processDir}/fd`) === count) {
          reference = count;
          continue;
        }
        reference ??= count;
      } else {
        // No count from the kernel: the same fd numbers as the process's are taken as the same table.
        fds = safeReaddir(fdDir);
        mainFds ??= new Set(safeReaddir(`${processDir}/fd`));
        if (fds.length === mainFds.size && fds.every((fd) => mainFds?.has(fd))) continue;
      }
      for (const fd of fds ?? safeReaddir(fdDir)) {
        const inode = socketInodeOf(fdDir + fd);
        if (inode === undefined || !unowned.delete(inode)) continue;
        pidOf.set(inode, pid);
        found++;
      }
      if (unowned.size === 0) return found;
    }
  }
  return found;
}

/** A socket fd's link reads `socket:[INODE]`. */
const SOCKET_PREFIX = 'socket:[';

/**
 * The socket inode an fd link (`/proc/PID/fd/N`) points to, or undefined for another kind of fd or one gone
 * meanwhile. The target is read without a regular expression: this runs once per fd of the host.
 */
function socketInodeOf(fdPath: string): number | undefined {
  let target: string;
  try {
    target = readlinkSync(fdPath);
  } catch {
    return undefined;
  }
  if (!target.startsWith(SOCKET_PREFIX) || !target.endsWith(']')) return undefined;
  const inode = Number(target.slice(SOCKET_PREFIX.length, -1));
  return Number.isSafeInteger(inode) ? inode : undefined;
}

/** The size `stat` gives an fd directory (its number of open fds since Linux 6.2, 0 before), or undefined when gone. */
function fdCount(fdDir: string): number | undefined {
  try {
    return statSync(fdDir).size;
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
