/**
 * The words of a `netstat` answer: protocols, states and the connection as it travels. Kept apart from the
 * answer's zod schema (netstat-answer.ts) so that the agent, which only produces answers, starts without
 * loading zod.
 *
 * @module
 */
import { CONTAINER_ID_MAX_CHARS, PROCESS_NAME_MAX_CHARS } from '../runtime/input-limits.js';
import type { IpAddress } from '../runtime/ip-address.js';
import { boundText } from '../runtime/untrusted-text.js';
import type { Row } from '../runtime/value.js';

/** TCP states, as `/proc/net/tcp` names them (the platform's vocabulary). */
export const TCP_STATES = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
] as const;

/** UDP "states": `NONE` for an unconnected socket, `ESTABLISHED` for a connected one. */
export const UDP_STATES = ['NONE', 'ESTABLISHED'] as const;

/** The four protocols; the `6` ones carry IPv6 addresses. */
export const PROTOCOLS = ['tcp', 'tcp6', 'udp', 'udp6'] as const;
/** One of {@link PROTOCOLS}. */
export type Protocol = (typeof PROTOCOLS)[number];

/** One connection as a sentry sends it (the `netstat` answer's wire form: addresses as text). */
export interface WireConnection {
  /** Process id owning the socket, or `null` when unknown. */
  readonly pid: number | null;
  /** The connection's protocol. */
  readonly protocol: Protocol;
  /** Local address as text. */
  readonly local_ip: string;
  /** Local port. */
  readonly local_port: number;
  /** Remote address as text. */
  readonly remote_ip: string;
  /** Remote port. */
  readonly remote_port: number;
  /** Socket state, e.g. `ESTABLISHED` or `LISTEN`. */
  readonly state: string;

  // The detail fields: sent only when the `netstat` call's params are `{ detail: true }` (sentry-netstat
  // detail=t, `agent --once --detail`); an agent asked without it, or an older agent, leaves them out.

  /** Process name of the lowest owner (its `comm`, as `ss -p` shows it); `null` when unknown. */
  readonly process?: string | null;
  /** Every pid holding the socket, ascending (`pid` is the lowest); `[]` when none can be seen. */
  readonly owners?: readonly number[];
  /** Uid owning the socket, from /proc/net (known even when the pid is hidden); `null` when unknown. */
  readonly uid?: number | null;
  /** The socket's inode; `null` when unknown. */
  readonly inode?: number | null;
  /** Inode of the socket's network namespace (`net:[N]`); `null` when unknown. */
  readonly netns?: number | null;
  /** Container id when the owner's cgroup names one (docker, containerd, podman); `null` otherwise. */
  readonly container?: string | null;
}

/** The detail fields, in the order records carry them (after the reference page's fields). */
export const DETAIL_FIELD_NAMES = ['process', 'owners', 'uid', 'inode', 'netns', 'container'] as const;

/**
 * The detail fields of a connection, as `netstatRow` reads them (already checked when off the wire);
 * missing or `null` is unknown.
 */
export interface ConnectionDetail {
  /** Process name of the lowest owner. */
  readonly process?: string | null | undefined;
  /** Every pid holding the socket. */
  readonly owners?: readonly number[] | null | undefined;
  /** Uid owning the socket. */
  readonly uid?: number | null | undefined;
  /** The socket's inode. */
  readonly inode?: number | null | undefined;
  /** Inode of the socket's network namespace. */
  readonly netns?: number | null | undefined;
  /** Container id. */
  readonly container?: string | null | undefined;
}

/**
 * The output record of one checked connection: sentry-netstat's fields, in the reference page's order, and with
 * `detail` the detail fields after them, always all six (`null` when the sentry did not say, so that columns
 * are the same on every row). Without `detail` a connection's detail fields are left out, whatever it carries.
 * The process name and container id are text the sentry's host chose: escaped and bounded here, where they
 * enter the record ({@link boundText}).
 */
export function netstatRow(
  guid: string,
  c: Pick<WireConnection, 'protocol' | 'local_port' | 'remote_port' | 'state'> & { readonly pid?: number | null | undefined },
  localIp: IpAddress,
  remoteIp: IpAddress,
  detail?: ConnectionDetail,
): Row {
  const row: Row = {
    guid,
    pid: c.pid ?? null,
    protocol: c.protocol,
    local_ip: localIp,
    local_port: c.local_port,
    remote_ip: remoteIp,
    remote_port: c.remote_port,
    state: c.state,
  };
  if (detail === undefined) return row;
  const { process, owners, uid, inode, netns, container } = detail;
  row['process'] = typeof process === 'string' ? boundText(process, PROCESS_NAME_MAX_CHARS) : null;
  row['owners'] = owners ?? null;
  row['uid'] = uid ?? null;
  row['inode'] = inode ?? null;
  row['netns'] = netns ?? null;
  row['container'] = typeof container === 'string' ? boundText(container, CONTAINER_ID_MAX_CHARS) : null;
  return row;
}
