import type { Protocol, WireConnection } from '../commands/netstat-vocabulary.js';
import { ipv6FromBytes } from '../runtime/ip-text.js';

/** Byte order of the host that wrote the /proc file (`os.endianness()`). */
export type Endianness = 'LE' | 'BE';

/** The kernel's TCP state codes (include/net/tcp_states.h), as /proc prints them in hex. */
const TCP_STATE_BY_CODE: Readonly<Record<number, string>> = {
  0x01: 'ESTABLISHED',
  0x02: 'SYN_SENT',
  0x03: 'SYN_RECV',
  0x04: 'FIN_WAIT1',
  0x05: 'FIN_WAIT2',
  0x06: 'TIME_WAIT',
  0x07: 'CLOSE',
  0x08: 'CLOSE_WAIT',
  0x09: 'LAST_ACK',
  0x0a: 'LISTEN',
  0x0b: 'CLOSING',
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
  return bytes.length === 4 ? bytes.join('.') : ipv6FromBytes(bytes);
}

/**
 * Parses the text of one /proc/net/{tcp,tcp6,udp,udp6} file into the connections the `netstat` RPC answers,
 * each with its owner (`owners`: socket inode → pid, see `socketOwners`; null when no process we can see holds
 * it, or the inode is 0 as for request sockets). The header line and lines that do not parse (a short read, a
 * state code we do not know) are skipped rather than failing the whole answer. `unowned`, when given, is
 * told of each connection with an inode that `owners` does not know (its pid null), to look further.
 */
export function procNetConnections(
  text: string,
  protocol: Protocol,
  endianness: Endianness,
  owners: ReadonlyMap<number, number>,
  unowned?: (inode: number, connection: WireConnection) => void,
): WireConnection[] {
  return scanProcNet(text, protocol, endianness, (protocol, local_ip, local_port, remote_ip, remote_port, state, _uid, inode) => {
    const connection = {
      pid: inode === 0 ? null : (owners.get(inode) ?? null),
      protocol,
      local_ip,
      local_port,
      remote_ip,
      remote_port,
      state,
    };
    if (connection.pid === null && inode !== 0) unowned?.(inode, connection);
    return connection;
  });
}

/** One socket line of /proc/net/*, with the two columns that say who it is: uid and inode. */
export interface ProcNetSocket {
  readonly protocol: Protocol;
  readonly local_ip: string;
  readonly local_port: number;
  readonly remote_ip: string;
  readonly remote_port: number;
  readonly state: string;
  /** The uid column: the socket's owner as the kernel records it (shown even when the pid is hidden). */
  readonly uid: number;
  /** The inode column; 0 for sockets without one (request sockets, TIME_WAIT). */
  readonly inode: number;
}

/**
 * Parses the text of one /proc/net/{tcp,tcp6,udp,udp6} file into its sockets with their uid and inode, the
 * owner left to the caller (see `socketOwners`). Lines that do not parse are skipped, as in
 * {@link procNetConnections}.
 */
export function procNetSockets(text: string, protocol: Protocol, endianness: Endianness): ProcNetSocket[] {
  return scanProcNet(text, protocol, endianness, (protocol, local_ip, local_port, remote_ip, remote_port, state, uid, inode) => ({
    protocol,
    local_ip,
    local_port,
    remote_ip,
    remote_port,
    state,
    uid,
    inode,
  }));
}

/** Builds the record of one socket line (positional, so that no object is made just to be copied). */
type MakeRecord<T> = (
  protocol: Protocol,
  localIp: string,
  localPort: number,
  remoteIp: string,
  remotePort: number,
  state: string,
  uid: number,
  inode: number,
) => T;

/**
 * The lines of a /proc/net file, read by hand. With 40,000 sockets the files are 6 MB of text, and the
 * obvious way (`split('\n')`, then `trim().split(/\s+/)` and `split(':')` on each line) makes about twenty
 * strings a line: 100,000 lines took 240–330 ms that way in a fresh process (160 ms warm), and take 100–135 ms
 * this way (40 ms warm). Only the two address keys are strings; numbers are read from the character codes.
 *
 * A line is `SL: LOCAL:PORT REMOTE:PORT ST TX:RX TR:WHEN RETRNSMT UID TIMEOUT INODE ...` where SL is a
 * right-aligned decimal, the addresses are 8 hex digits (IPv4) or 32 (IPv6), the ports 4 and the state 2
 * (the kernel's fixed `%08X:%04X %02X` formats); the fields up to INODE are separated by spaces.
 */
function scanProcNet<T>(text: string, protocol: Protocol, endianness: Endianness, make: MakeRecord<T>): T[] {
  const states = protocol.startsWith('tcp') ? TCP_STATE_BY_CODE : UDP_STATE_BY_CODE;
  const width = protocol.endsWith('6') ? 32 : 8;
  const records: T[] = [];
  // A host repeats few addresses (its own, loopback, wildcards) across thousands of sockets.
  const decoded = new Map<string, string>();
  const decode = (hex: string): string => {
    let address = decoded.get(hex);
    if (address === undefined) decoded.set(hex, (address = decodeProcAddress(hex, endianness)));
    return address;
  };
  for (let start = 0, end: number; start < text.length; start = end + 1) {
    end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let at = skipSpaces(text, start);
    const sl = at;
    while (isDigit(text.charCodeAt(at))) at++;
    // Not "SL: ": the header, or a torn line.
    if (at === sl || text.charCodeAt(at) !== COLON || text.charCodeAt(at + 1) !== SPACE) continue;
    const local = at + 2;
    const remote = local + width + 6; // LOCAL:PORT and a space
    const st = remote + width + 6;
    if (st + 2 > end || text.charCodeAt(local + width) !== COLON || text.charCodeAt(remote + width) !== COLON) continue;
    const localPort = hexAt(text, local + width + 1, 4);
    const remotePort = hexAt(text, remote + width + 1, 4);
    const state = states[hexAt(text, st, 2)];
    if (localPort < 0 || remotePort < 0 || state === undefined) continue;
    // Past TX:RX, TR:WHEN and RETRNSMT to UID, then past TIMEOUT to INODE.
    at = st + 2;
    for (let field = 0; field < 3; field++) {
      at = skipSpaces(text, at);
      while (at < end && text.charCodeAt(at) !== SPACE) at++;
    }
    at = skipSpaces(text, at);
    const uidStart = at;
    let uid = 0;
    for (let c = text.charCodeAt(at); isDigit(c); c = text.charCodeAt(++at)) uid = uid * 10 + (c - ZERO);
    if (at === uidStart) continue;
    at = skipSpaces(text, at);
    while (at < end && text.charCodeAt(at) !== SPACE) at++;
    at = skipSpaces(text, at);
    const inodeStart = at;
    let inode = 0;
    for (let c = text.charCodeAt(at); isDigit(c); c = text.charCodeAt(++at)) inode = inode * 10 + (c - ZERO);
    if (at === inodeStart) continue;
    try {
      records.push(
        make(
          protocol,
          decode(text.slice(local, local + width)),
          localPort,
          decode(text.slice(remote, remote + width)),
          remotePort,
          state,
          uid,
          inode,
        ),
      );
    } catch {
      // A malformed address: skip the line, keep the rest.
    }
  }
  return records;
}

const SPACE = 0x20;
const COLON = 0x3a;
const ZERO = 0x30;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= 0x39;
}

function skipSpaces(text: string, at: number): number {
  while (text.charCodeAt(at) === SPACE) at++;
  return at;
}

/** The value of `digits` hex digits at `at`, or -1 when one of them is not a hex digit. */
function hexAt(text: string, at: number, digits: number): number {
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const c = text.charCodeAt(at + i);
    const digit = c >= ZERO && c <= 0x39 ? c - ZERO : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}
