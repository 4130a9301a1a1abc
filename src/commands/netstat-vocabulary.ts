/**
 * The words of a `netstat` answer: protocols, states and the connection as it travels. Kept apart from the
 * answer's zod schema (netstat-answer.ts) so that the agent, which only produces answers, starts without
 * loading zod.
 *
 * @module
 */
import type { IpAddress } from '../runtime/ip-address.js';
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
}

/** The output record of one checked connection: sentry-netstat's fields, in the reference page's order. */
export function netstatRow(
  guid: string,
  c: Pick<WireConnection, 'protocol' | 'local_port' | 'remote_port' | 'state'> & { readonly pid?: number | null | undefined },
  localIp: IpAddress,
  remoteIp: IpAddress,
): Row {
  return {
    guid,
    pid: c.pid ?? null,
    protocol: c.protocol,
    local_ip: localIp,
    local_port: c.local_port,
    remote_ip: remoteIp,
    remote_port: c.remote_port,
    state: c.state,
  };
}
