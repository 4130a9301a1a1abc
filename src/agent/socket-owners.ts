import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

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
    const fdDir = join(procRoot, entry, 'fd');
    for (const fd of safeReaddir(fdDir)) {
      let target: string;
      try {
        target = readlinkSync(join(fdDir, fd));
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(target);
      // A socket shared by several processes (fork) goes to the first seen: the lowest pid, usually the parent.
      if (match && !owners.has(Number(match[1]))) owners.set(Number(match[1]), pid);
    }
  }
  return owners;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
