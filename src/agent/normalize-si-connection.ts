import type { Protocol } from '../commands/netstat-vocabulary.js';
import { TCP_STATES } from '../commands/netstat-vocabulary.js';
import { IpAddress } from '../runtime/ip-address.js';
import type { WireConnection } from '../commands/netstat-vocabulary.js';

/** One entry of systeminformation's `networkConnections()`, as loosely typed as it really is. */
export interface SiConnection {
  readonly protocol: string;
  readonly localAddress: string;
  readonly localPort: string | number;
  readonly peerAddress: string;
  readonly peerPort: string | number;
  readonly state: string;
  readonly pid?: number | null;
  /** The owning process's name, where the platform's tool gives one (lsof on macOS, netstat -b on Windows). */
  readonly process?: string | null;
}

/** Either a connection in our schema, or why the entry was rejected. */
export type Normalized = { readonly connection: WireConnection } | { readonly rejected: string };

/** Spellings of the same state across netstat, ss and Windows (systeminformation passes most through). */
const STATE_ALIASES: Readonly<Record<string, string>> = {
  ESTAB: 'ESTABLISHED',
  LISTENING: 'LISTEN',
  SYN_RECEIVED: 'SYN_RECV',
  FIN_WAIT_1: 'FIN_WAIT1',
  FIN_WAIT_2: 'FIN_WAIT2',
  CLOSED: 'CLOSE',
};

/** What UDP rows say when there is no state at all. */
const UDP_STATELESS = new Set(['', 'UNKNOWN', 'UNCONN', 'NONE', 'CLOSE']);

/**
 * Turns a systeminformation connection into ours, or rejects it with a reason; nothing is passed through
 * unchecked. Handles its quirks: string ports (`*` and empty = 0), `[::1]` brackets, `*` addresses (the
 * wildcard of the family), `%zone` suffixes, `tcp4`/`tcp46` (macOS), IPv6 sockets listed as plain `TCP`
 * (Windows), ss/Windows state spellings, and UDP rows without a state (NONE, or ESTABLISHED when they have a peer).
 * With `detail`, the detail fields systeminformation can fill: process (its `process`, if any), owners
 * (`[pid]`, or `[]`), and null for uid, inode, netns and container.
 */
export function normalizeSiConnection(entry: SiConnection, options: { readonly detail?: boolean } = {}): Normalized {
  const base = /^(tcp|udp)/i.exec(entry.protocol.trim())?.[1]?.toLowerCase() as 'tcp' | 'udp' | undefined;
  if (!base) return { rejected: `unknown protocol ${JSON.stringify(entry.protocol)}` };
  const declaredV6 = /6$/.test(entry.protocol.trim());

  const local = address(entry.localAddress);
  const peer = address(entry.peerAddress);
  if (local === undefined) return { rejected: `bad local address ${JSON.stringify(entry.localAddress)}` };
  if (peer === undefined) return { rejected: `bad peer address ${JSON.stringify(entry.peerAddress)}` };
  // The family comes from the addresses (`[::]` on Windows' plain `TCP` is IPv6); from the protocol name for `*`.
  const v6 = local === '*' && peer === '*' ? declaredV6 : [local, peer].some((a) => a !== '*' && a.family === 6);
  const protocol: Protocol = v6 ? `${base}6` : base;
  const text = (a: IpAddress | '*'): string | undefined => {
    if (a === '*') return v6 ? '::' : '0.0.0.0';
    if (a.family === 6 || !v6) return a.toString();
    // An IPv4 address on a dual-stack socket: the unspecified one is `::`, others are v4-mapped.
    return a.toString() === '0.0.0.0' ? '::' : `::ffff:${a.toString()}`;
  };

  const localPort = port(entry.localPort);
  const remotePort = port(entry.peerPort);
  if (localPort === undefined) return { rejected: `bad local port ${JSON.stringify(entry.localPort)}` };
  if (remotePort === undefined) return { rejected: `bad peer port ${JSON.stringify(entry.peerPort)}` };

  const spelled = entry.state.trim().toUpperCase().replace(/-/g, '_');
  const aliased = STATE_ALIASES[spelled] ?? spelled;
  let state: string;
  if (base === 'udp') {
    if (aliased === 'ESTABLISHED') state = 'ESTABLISHED';
    else if (UDP_STATELESS.has(aliased)) state = remotePort === 0 ? 'NONE' : 'ESTABLISHED';
    else return { rejected: `unknown udp state ${JSON.stringify(entry.state)}` };
  } else {
    if (!(TCP_STATES as readonly string[]).includes(aliased)) return { rejected: `unknown tcp state ${JSON.stringify(entry.state)}` };
    state = aliased;
  }

  const pid = typeof entry.pid === 'number' && Number.isInteger(entry.pid) && entry.pid > 0 ? entry.pid : null;
  return {
    connection: {
      pid,
      protocol,
      local_ip: text(local)!,
      local_port: localPort,
      remote_ip: text(peer)!,
      remote_port: remotePort,
      state,
      // systeminformation knows one pid and at times a name; the rest is Linux's /proc only.
      ...(options.detail === true && {
        process: typeof entry.process === 'string' && entry.process !== '' ? entry.process : null,
        owners: pid === null ? [] : [pid],
        uid: null,
        inode: null,
        netns: null,
        container: null,
      }),
    },
  };
}

/** An address, `'*'` for a wildcard, or `undefined` when it is not one. */
function address(raw: string): IpAddress | '*' | undefined {
  const bare = raw
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '');
  if (bare === '*' || bare === '') return '*';
  return IpAddress.tryParse(bare);
}

function port(raw: string | number): number | undefined {
  const text = String(raw).trim();
  if (text === '*' || text === '') return 0;
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}
