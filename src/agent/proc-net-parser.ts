import type { Protocol, WireConnection } from '../commands/netstat-answer.js';
import { IpAddress } from '../runtime/ip-address.js';

/** Byte order of the host that wrote the /proc file (`os.endianness()`). */
export type Endianness = 'LE' | 'BE';

/** One socket as a /proc/net/{tcp,tcp6,udp,udp6} line describes it: a connection without its owner, plus its inode. */
export type ProcSocket = Omit<WireConnection, 'pid'> & {
  /** Socket inode; 0 for request sockets and sockets without one (their owner cannot be found). */
  readonly inode: number;
};

/** The kernel's TCP state codes (include/net/tcp_states.h), as /proc prints them in hex. */
const TCP_STATE_BY_CODE: Readonly<Record<number, string>> = {
  0x01: 'ESTABLISHED', 0x02: 'SYN_SENT', 0x03: 'SYN_RECV', 0x04: 'FIN_WAIT1', 0x05: 'FIN_WAIT2',
  0x06: 'TIME_WAIT', 0x07: 'CLOSE', 0x08: 'CLOSE_WAIT', 0x09: 'LAST_ACK', 0x0a: 'LISTEN', 0x0b: 'CLOSING',
};

/** A UDP socket is TCP_ESTABLISHED once connect()ed, TCP_CLOSE otherwise: we say NONE, as the platform does. */
const UDP_STATE_BY_CODE: Readonly<Record<number, string>> = { 0x01: 'ESTABLISHED', 0x07: 'NONE' };

/**
 * Decodes an address of /proc/net/*: 8 hex digits (IPv4) or 32 (IPv6), written as 32-bit words each in the
 * host's byte order. So on a little-endian host the IPv6 loopback is `00000000000000000000000001000000`,
 * which is `::1`, not `0:100:0:0:0:0:0:0` (the bug of reading the words as network order).
 */
export function decodeProcAddress(hex: string, endianness: Endianness): string {
  if (!/^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{32})$/.test(hex)) throw new TypeError(`not a /proc address: ${JSON.stringify(hex)}`);
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(word + i, word + i + 2), 16));
    bytes.push(...(endianness === 'LE' ? wordBytes.reverse() : wordBytes));
  }
  // Dotted decimal from bytes is canonical already; IPv6 needs RFC 5952 compression.
  return bytes.length === 4 ? bytes.join('.') : IpAddress.fromBytes(bytes).toString();
}

/**
 * Parses the text of one /proc/net/{tcp,tcp6,udp,udp6} file. The header line and lines that do not parse
 * (a short read, a state code we do not know) are skipped rather than failing the whole answer.
 */
export function parseProcNet(text: string, protocol: Protocol, endianness: Endianness): ProcSocket[] {
  const states = protocol.startsWith('tcp') ? TCP_STATE_BY_CODE : UDP_STATE_BY_CODE;
  const sockets: ProcSocket[] = [];
  // A host repeats few addresses (its own, loopback, wildcards) across thousands of sockets.
  const decoded = new Map<string, string>();
  const decode = (hex: string): string => {
    let address = decoded.get(hex);
    if (address === undefined) decoded.set(hex, (address = decodeProcAddress(hex, endianness)));
    return address;
  };
  for (const line of text.split('\n')) {
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^\d+:$/.test(f[0]!)) continue;
    const [localHex, localPort] = f[1]!.split(':');
    const [remoteHex, remotePort] = f[2]!.split(':');
    const state = states[parseInt(f[3]!, 16)];
    if (!localHex || !localPort || !remoteHex || !remotePort || state === undefined) continue;
    try {
      sockets.push({
        protocol,
        local_ip: decode(localHex),
        local_port: parseInt(localPort, 16),
        remote_ip: decode(remoteHex),
        remote_port: parseInt(remotePort, 16),
        state,
        inode: Number(f[9]),
      });
    } catch {
      // A malformed line: skip it, keep the rest.
    }
  }
  return sockets;
}
