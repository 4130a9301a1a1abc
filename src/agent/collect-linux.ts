import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { Protocol, WireConnection } from '../commands/netstat-answer.js';
import { parseProcNet, type Endianness } from './proc-net-parser.js';
import { socketOwners } from './socket-owners.js';


const FILES: readonly Protocol[] = ['tcp', 'tcp6', 'udp', 'udp6'];

/**
 * This host's sockets from /proc/net/{tcp,tcp6,udp,udp6}, with their owning pids (null when the owner cannot
 * be seen: another user's process without privileges, or inode 0 as for request sockets). Unconnected UDP
 * sockets are included (state NONE). A protocol whose file is missing (IPv6 disabled) contributes nothing.
 */
export function collectLinuxConnections(
  options: { procRoot?: string; endianness?: Endianness } = {},
): WireConnection[] {
  const procRoot = options.procRoot ?? '/proc';
  const order = options.endianness ?? endianness();
  const sockets = FILES.flatMap((protocol) => {
    let text: string;
    try {
      text = readFileSync(join(procRoot, 'net', protocol), 'utf8');
    } catch {
      return [];
    }
    return parseProcNet(text, protocol, order);
  });
  const owners = socketOwners(procRoot);
  return sockets.map(({ inode, ...socket }) => ({ pid: inode === 0 ? null : owners.get(inode) ?? null, ...socket }));
}
