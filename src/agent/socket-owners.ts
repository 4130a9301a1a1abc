import { readdirSync, readlinkSync } from 'node:fs';

/**
 * Maps socket inodes to the pid that holds them, by reading the `socket:[INODE]` links in /proc/[pid]/fd.
 * Processes we may not look into (another user's, without privileges) or that exit while we read are
 * skipped: their sockets get pid null. Synchronous on purpose: thousands of tiny readlinks are several times
 * faster this way than through the promise API, and the agent does nothing else meanwhile.
 *
 * @param procRoot - where /proc is mounted. @default "/proc"
 */
export function socketOwners(procRoot = '/proc'): Map<number, number> {
  const owners = new Map<number, number>();
  for (const entry of safeReaddir(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    // Paths by concatenation and the target read without a regular expression: with 40,000 fds this loop is
    // the agent's hottest, and `path.join` plus a regex match per fd cost 25 of its 240 ms.
    const fdDir = `${procRoot}/${entry}/fd/`;
    for (const fd of safeReaddir(fdDir)) {
      let target: string;
      try {
        target = readlinkSync(fdDir + fd);
      } catch {
        continue;
      }
      if (!target.startsWith(SOCKET_PREFIX) || !target.endsWith(']')) continue;
      const inode = Number(target.slice(SOCKET_PREFIX.length, -1));
      // A socket shared by several processes (fork) goes to the first seen: the lowest pid, usually the parent.
      if (Number.isSafeInteger(inode) && !owners.has(inode)) owners.set(inode, pid);
    }
  }
  return owners;
}

/** A socket fd's link reads `socket:[INODE]`. */
const SOCKET_PREFIX = 'socket:[';

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
